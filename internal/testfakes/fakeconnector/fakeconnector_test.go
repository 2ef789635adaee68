package fakeconnector_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
)

type answer struct {
	status     int
	retryAfter string
	body       map[string]any
}

func do(t *testing.T, method, url, auth, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.body); err != nil {
			t.Fatalf("answer %q is not JSON: %v", raw, err)
		}
	}
	return a
}

const message = `{"type":"message","text":"hei"}`

func TestRoutesAndIDs(t *testing.T) {
	s := fakeconnector.New(t)
	base := s.URL + "/v3/conversations/"

	if a := do(t, "POST", base+"a:1/activities", "", message); a.status != 201 || a.body["id"] != "act-1" {
		t.Errorf("send: %+v", a)
	}
	if a := do(t, "POST", base+"a:1/activities/act-1", "", message); a.status != 201 || a.body["id"] != "act-2" {
		t.Errorf("reply: %+v", a)
	}
	if a := do(t, "PUT", base+"a:1/activities/act-1", "", message); a.status != 200 || a.body["id"] != "act-1" {
		t.Errorf("update: %+v", a)
	}
	if a := do(t, "DELETE", base+"a:1/activities/act-2", "", ""); a.status != 200 {
		t.Errorf("delete: %+v", a)
	}
	chat := do(t, "POST", s.URL+"/v3/conversations", "", `{"bot":{"id":"28:b"},"members":[{"id":"29:u"}],"channelData":{"tenant":{"id":"t"}}}`)
	if chat.status != 201 || chat.body["id"] != "a:conv-1" || chat.body["activityId"] != nil {
		t.Errorf("create chat: %+v", chat)
	}
	thread := do(t, "POST", s.URL+"/v3/conversations", "", `{"isGroup":true,"channelData":{"channel":{"id":"19:c@thread.tacv2"}},"activity":`+message+`}`)
	if thread.status != 201 || thread.body["id"] != "19:thread-1@thread.tacv2" || thread.body["activityId"] != "act-3" {
		t.Errorf("create thread: %+v", thread)
	}
	if a := do(t, "POST", base+"19:thread-1@thread.tacv2%3Bmessageid=act-3/activities", "", message); a.status != 201 {
		t.Errorf("thread reply: %+v", a)
	}
	if a := do(t, "GET", s.URL+"/v3/unknown", "", ""); a.status != 404 {
		t.Errorf("unknown route: %+v", a)
	}

	sent := s.Sent()
	if len(sent) != 3 {
		t.Fatalf("sent %d, want 3:\n%s", len(sent), s)
	}
	if sent[1].ReplyToID != "act-1" || sent[1].ActivityID != "act-2" {
		t.Errorf("reply recorded as %+v", sent[1])
	}
	if r := sent[2]; r.ConversationID != "19:thread-1@thread.tacv2" || r.RootMessageID != "act-3" {
		t.Errorf("thread reply recorded as conversation %q root %q", r.ConversationID, r.RootMessageID)
	}
	if up := s.Updated(); len(up) != 1 || up[0].ActivityID != "act-1" || up[0].Activity.Text != "hei" {
		t.Errorf("updated = %+v", up)
	}
	if del := s.Deleted(); len(del) != 1 || del[0].ActivityID != "act-2" {
		t.Errorf("deleted = %+v", del)
	}
	created := s.Created()
	if len(created) != 2 || created[0].Params == nil || created[0].ConversationID != "a:conv-1" || created[1].Activity.Text != "hei" {
		t.Errorf("created = %+v", created)
	}
	if n := len(s.Calls()); n != 8 {
		t.Errorf("calls = %d, want 8", n)
	}
}

func TestRejectsWhatTeamsRejects(t *testing.T) {
	s := fakeconnector.New(t)
	for name, tc := range map[string]struct{ path, body string }{
		"bad JSON":               {"/v3/conversations/a:1/activities", `{`},
		"no type":                {"/v3/conversations/a:1/activities", `{"text":"x"}`},
		"chat without tenant":    {"/v3/conversations", `{"members":[{"id":"29:u"}]}`},
		"chat without members":   {"/v3/conversations", `{"tenantId":"t"}`},
		"thread without channel": {"/v3/conversations", `{"isGroup":true,"tenantId":"t"}`},
	} {
		a := do(t, "POST", s.URL+tc.path, "", tc.body)
		if a.status != 400 {
			t.Errorf("%s: status %d", name, a.status)
		}
		if errObj, _ := a.body["error"].(map[string]any); errObj["code"] != "BadArgument" {
			t.Errorf("%s: body %v", name, a.body)
		}
	}
	if n := len(s.Sent()) + len(s.Created()); n != 0 {
		t.Errorf("%d rejected calls counted as delivered", n)
	}
}

func TestFailures(t *testing.T) {
	s := fakeconnector.New(t)
	url := s.URL + "/v3/conversations/a:1/activities"

	s.FailNext(2, 429, "3")
	for range 2 {
		if a := do(t, "POST", url, "", message); a.status != 429 || a.retryAfter != "3" {
			t.Errorf("FailNext: %+v", a)
		}
	}
	if a := do(t, "POST", url, "", message); a.status != 201 {
		t.Errorf("after FailNext: %+v", a)
	}

	end := s.Outage(503, "")
	for range 3 {
		if a := do(t, "POST", url, "", message); a.status != 503 || a.retryAfter != "" {
			t.Errorf("during outage: %+v", a)
		}
	}
	end()
	if a := do(t, "POST", url, "", message); a.status != 201 {
		t.Errorf("after outage: %+v", a)
	}

	s.FailWhen(func(c fakeconnector.Call) *fakeconnector.Fault {
		if c.ConversationID == "a:blocked" {
			return &fakeconnector.Fault{Status: 403, Code: "ConversationBlockedByUser"}
		}
		return nil
	})
	a := do(t, "POST", s.URL+"/v3/conversations/a:blocked/activities", "", message)
	if errObj, _ := a.body["error"].(map[string]any); a.status != 403 || errObj["code"] != "ConversationBlockedByUser" {
		t.Errorf("FailWhen: %+v", a)
	}
	if a := do(t, "POST", url, "", message); a.status != 201 {
		t.Errorf("FailWhen hit another conversation: %+v", a)
	}
	s.FailWhen(nil)

	s.RequireToken("good")
	if a := do(t, "POST", url, "Bearer bad", message); a.status != 401 {
		t.Errorf("bad token: %+v", a)
	}
	if a := do(t, "POST", url, "Bearer good", message); a.status != 201 {
		t.Errorf("good token: %+v", a)
	}

	statuses := []int{}
	for _, c := range s.Calls() {
		statuses = append(statuses, c.Status)
	}
	want := []int{429, 429, 201, 503, 503, 503, 201, 403, 201, 401, 201}
	if len(statuses) != len(want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
	for i := range want {
		if statuses[i] != want[i] {
			t.Fatalf("statuses %v, want %v", statuses, want)
		}
	}
	if n := len(s.Sent()); n != 4 {
		t.Errorf("sent %d, want 4 successful", n)
	}
}

func TestWaitForSent(t *testing.T) {
	s := fakeconnector.New(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 3 {
			resp, err := http.Post(s.URL+"/v3/conversations/a:1/activities", "application/json", strings.NewReader(message))
			if err == nil {
				resp.Body.Close()
			}
		}
	}()
	sent := s.WaitForSent(t, 3, 10*time.Second)
	if len(sent) < 3 {
		t.Errorf("WaitForSent returned %d", len(sent))
	}
	<-done
}

func TestWaitForSentTimesOut(t *testing.T) {
	s := fakeconnector.New(t)
	ft := &fatalRecorder{TB: t}
	ft.run(func() { s.WaitForSent(ft, 1, time.Millisecond) })
	if !ft.failed {
		t.Error("WaitForSent did not fail when nothing was sent")
	}
}

// fatalRecorder catches Fatalf so that a helper's failure can be asserted.
type fatalRecorder struct {
	testing.TB
	failed bool
}

type fatalCalled struct{}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(string, ...any) {
	f.failed = true
	panic(fatalCalled{})
}

func (f *fatalRecorder) run(fn func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(fatalCalled); !ok {
				panic(r)
			}
		}
	}()
	fn()
}

func TestResetForgetsCallsButKeepsIDs(t *testing.T) {
	s := fakeconnector.New(t)
	base := s.URL + "/v3/conversations/"
	do(t, "POST", base+"a:1/activities", "", message)
	s.Reset()
	if n := len(s.Calls()); n != 0 {
		t.Fatalf("%d calls after Reset", n)
	}
	if a := do(t, "POST", base+"a:1/activities", "", message); a.status != 201 || a.body["id"] != "act-2" {
		t.Errorf("send after Reset: %+v", a)
	}
	if n := len(s.Sent()); n != 1 {
		t.Fatalf("%d sent after Reset, want 1", n)
	}
}

// A lean server still refuses what Teams refuses and records each reply's type and replyToId, and only those.
func TestLean(t *testing.T) {
	s := fakeconnector.New(t)
	s.Lean()
	for name, body := range map[string]string{"bad JSON": `{`, "no type": `{"text":"x"}`, "not an object": `[1]`} {
		if a := do(t, "POST", s.URL+"/v3/conversations/a:1/activities/m1", "", body); a.status != 400 {
			t.Errorf("%s: status %d", name, a.status)
		}
	}
	a := do(t, "POST", s.URL+"/v3/conversations/a:1/activities/m1", "",
		`{"type":"message","replyToId":"m1","text":"hei","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"body":[]}}]}`)
	if a.status != 201 {
		t.Fatalf("status %d", a.status)
	}
	sent := s.Sent()
	if len(sent) != 1 || sent[0].Activity.Type != "message" || sent[0].Activity.ReplyToID != "m1" ||
		sent[0].Activity.Text != "" || len(sent[0].Activity.Attachments) != 0 {
		t.Fatalf("recorded %+v", sent)
	}
}
