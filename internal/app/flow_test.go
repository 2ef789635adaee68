package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

const (
	sami  = "7c1e4a52-0000-4000-8000-000000000002"
	dina  = "7c1e4a52-0000-4000-8000-000000000005"
	oskar = "7c1e4a52-0000-4000-8000-000000000006"
	leo   = "7c1e4a52-0000-4000-8000-000000000009"
)

// fastOutbox makes the outbox worker retry within milliseconds.
func fastOutbox(_ map[string]string, o *app.Options) {
	o.Outbox = app.OutboxTuning{PollInterval: 20 * time.Millisecond, BaseBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	o.Connector = app.ConnectorTuning{MaxAttempts: 2, BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

// invokeResponse is the body of an adaptiveCard/action answer.
type invokeResponse struct {
	StatusCode int             `json:"statusCode"`
	Type       string          `json:"type"`
	Value      json.RawMessage `json:"value"`
}

func (r invokeResponse) card(t testing.TB) map[string]any {
	t.Helper()
	if r.Type != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("not a card: %s %s", r.Type, r.Value)
	}
	var m map[string]any
	if err := json.Unmarshal(r.Value, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// invoke taps an Action.Execute button as user, with data (inputs merged in, as Teams does).
func (h *harness) invoke(user, verb string, data map[string]any) invokeResponse {
	h.t.Helper()
	act := h.activity("invoke", user, "fi-FI", "")
	act["name"] = "adaptiveCard/action"
	act["replyToId"] = "card-msg-" + user
	act["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
	body := h.send(act)
	var r invokeResponse
	if err := json.Unmarshal(body, &r); err != nil {
		h.t.Fatalf("%v: %s", err, body)
	}
	return r
}

// say sends a message so the bot knows the person (as installing the app would).
func (h *harness) say(user, text string) {
	h.t.Helper()
	h.send(h.activity("message", user, "fi-FI", text))
}

// waitOutbox waits until the outbox is empty.
func (h *harness) waitOutbox(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := h.app.DB.Outbox.PendingOutbox(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			var stuck []string
			for _, l := range strings.Split(h.logs.String(), "\n") {
				if strings.Contains(l, `"component":"outbox"`) && !strings.Contains(l, "delivered") {
					stuck = append(stuck, l)
				}
			}
			t.Fatalf("%d outbox messages still pending; outbox log: %s", n, strings.Join(stuck[max(0, len(stuck)-5):], "\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sentTo returns the activities posted into a person's personal chat.
func sentTo(calls []fakeconnector.Call, user string) []fakeconnector.Call {
	var out []fakeconnector.Call
	for _, c := range calls {
		if c.ConversationID == "a:personal-"+user {
			out = append(out, c)
		}
	}
	return out
}

func requestIDOf(t testing.TB, card map[string]any) int64 {
	t.Helper()
	var find func(v any) int64
	find = func(v any) int64 {
		switch x := v.(type) {
		case map[string]any:
			if id, ok := x["requestId"].(float64); ok {
				return int64(id)
			}
			for _, vv := range x {
				if id := find(vv); id != 0 {
					return id
				}
			}
		case []any:
			for _, vv := range x {
				if id := find(vv); id != 0 {
					return id
				}
			}
		}
		return 0
	}
	id := find(card)
	if id == 0 {
		t.Fatalf("no requestId in card %s", cardText(card))
	}
	return id
}

// fileRequest is the employee's "I sent the request" on their Suomi.fi steps card; the outbox is then drained.
func fileRequest(t testing.TB, h *harness, who string, id int64) {
	t.Helper()
	if r := h.invoke(who, "requestFiled", map[string]any{"requestId": id}); !contains(string(r.Value), "steps.filed.done") &&
		r.Type != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("filed: %s %s", r.Type, r.Value)
	}
	h.waitOutbox(t)
}

// submitRequest runs the employee's part: intake → recommendation → request.
func submitRequest(t *testing.T, h *harness, who string, tasks string) int64 {
	t.Helper()
	rec := h.invoke(who, "intakeSubmit", map[string]any{"tasks_palkat-henkilosto": tasks}).card(t)
	if !contains(cardText(rec), "requestSubmit") {
		t.Fatalf("recommendation without submit: %s", cardText(rec))
	}
	st := h.invoke(who, "requestSubmit", map[string]any{"taskIds": strings.Split(tasks, ","),
		"justification": "Vastaan kaupungin palkkailmoituksista tulorekisteriin.", "validUntil": "2027-12-31"}).card(t)
	return requestIDOf(t, st)
}

func TestWholeMandateFlow(t *testing.T) {
	h := newHarness(t, fastOutbox)
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	h.conn.WaitForSent(t, 3, 5*time.Second)

	// Intake by free text, in Swedish words from a Finnish client.
	h.send(h.activity("message", elina, "fi-FI", "Vilka fullmakter behöver jag?"))
	intake := card(t, h.conn.WaitForSent(t, 4, 5*time.Second)[3])
	if intake["lang"] != "sv" || !contains(cardText(intake), "intakeSubmit", "tasks_") {
		t.Fatalf("intake card %s", cardText(intake))
	}
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)

	// The approval card reached Sami's 1:1 chat, refreshable only for him.
	approvals := sentTo(h.conn.Sent(), sami)
	if len(approvals) != 2 { // welcome + approval
		t.Fatalf("%d messages to the approver", len(approvals))
	}
	ac := card(t, approvals[1])
	if refresh, _ := ac["refresh"].(map[string]any); refresh == nil || fmt.Sprint(refresh["userIds"]) != "[29:"+sami+"]" {
		t.Fatalf("approval card refresh %v", ac["refresh"])
	}

	// Strangers and the requester cannot decide; nothing changes.
	for _, who := range []string{elina, mikael, dina} {
		r := h.invoke(who, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll"})
		if r.Type != "application/vnd.microsoft.error" {
			t.Fatalf("%s approving got %s %s", who, r.Type, r.Value)
		}
	}
	if r, _ := h.app.DB.Register.Request(context.Background(), id); r.State != domain.RequestPending {
		t.Fatalf("state after refused taps: %s", r.State)
	}

	// Sami opens the card (the refresh Teams would do) and approves.
	open := h.invoke(sami, "approvalOpen", map[string]any{"requestId": id}).card(t)
	if !contains(cardText(open), "approvalDecide") {
		t.Fatalf("approver's view has no decision buttons: %s", cardText(open))
	}
	final := h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll", "reason": ""}).card(t)
	if contains(cardText(final), "approvalDecide") || final["refresh"] != nil {
		t.Fatalf("final card still has buttons: %s", cardText(final))
	}
	h.waitOutbox(t)
	// The valtuuspyyntö path: Elina got the steps; the main user hears nothing until she says she sent it.
	if n := len(sentTo(h.conn.Sent(), mikael)); n != 1 {
		t.Fatalf("%d messages to the main user before the request was sent", n)
	}
	fileRequest(t, h, elina, id)

	// The main user got a grant task; the approval card and Elina's status card were updated in place.
	tasks := sentTo(h.conn.Sent(), mikael)
	if len(tasks) != 2 || !contains(cardText(card(t, tasks[1])), "grantDone") {
		t.Fatalf("grant task: %d messages", len(tasks))
	}
	updated := map[string]bool{}
	for _, u := range h.conn.Updated() {
		updated[u.ConversationID+"/"+u.ActivityID] = true
	}
	if !updated["a:personal-"+sami+"/"+approvals[1].ActivityID] || !updated["a:personal-"+elina+"/card-msg-"+elina] {
		t.Fatalf("cards not updated: %v", updated)
	}

	// Mikael grants.
	g := h.invoke(mikael, "grantDone", map[string]any{"requestId": id, "validFrom": "2026-11-26", "validUntil": "2027-12-31"}).card(t)
	if contains(cardText(g), "grantDone") {
		t.Fatalf("grant card still open: %s", cardText(g))
	}
	h.waitOutbox(t)

	ms, err := h.app.DB.Register.MandatesByHolder(context.Background(), elina)
	if err != nil || len(ms) == 0 || ms[0].GrantedBy != mikael || ms[0].ValidUntil.Format(time.DateOnly) != "2027-12-31" {
		t.Fatalf("register %+v %v", ms, err)
	}
	audit, _ := h.app.DB.Register.AuditForRequest(context.Background(), id)
	actions := []string{}
	for _, a := range audit {
		actions = append(actions, a.Action)
		if a.ActivityID == "" {
			t.Errorf("audit %s has no activity id", a.Action)
		}
	}
	if got := strings.Join(actions, ","); !strings.HasPrefix(got, "request.submitted,request.approved,request.filed,mandate.granted") || !strings.HasSuffix(got, "request.granted") {
		t.Fatalf("audit trail %s", got)
	}
	// Elina heard about the decision, her Suomi.fi steps and the grant; every copy of the grant task is final.
	toElina := sentTo(h.conn.Sent(), elina)
	if len(toElina) < 5 { // welcome, intake, decision, steps, granted
		t.Fatalf("%d messages to the requester", len(toElina))
	}
	last := map[string]string{} // each card as its last update left it
	for _, u := range h.conn.Updated() {
		last[u.ConversationID+"/"+u.ActivityID] = string(u.Raw)
	}
	for _, raw := range last {
		if strings.Contains(raw, "grantDone") || strings.Contains(raw, "approvalDecide") {
			t.Fatalf("an updated card still has live buttons: %s", raw)
		}
	}
	// My mandates shows it.
	mine := h.invoke(elina, "myMandates", map[string]any{}).card(t)
	if !contains(cardText(mine), "31.12.2027") {
		t.Fatalf("my mandates %s", cardText(mine))
	}
}

func TestRejectionNeedsReasonAndTellsRequester(t *testing.T) {
	h := newHarness(t, fastOutbox)
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)
	noReason := h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "rejectAll", "reason": " "}).card(t)
	if !contains(cardText(noReason), "approvalDecide") {
		t.Fatalf("without a reason the approver stays on the interactive card: %s", cardText(noReason))
	}
	h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "rejectAll", "reason": "Ei kuulu tehtäviisi"})
	h.waitOutbox(t)
	r, _ := h.app.DB.Register.Request(context.Background(), id)
	if r.State != domain.RequestRejected || r.DecisionReason != "Ei kuulu tehtäviisi" {
		t.Fatalf("request %+v", r)
	}
	toElina := sentTo(h.conn.Sent(), elina)
	if !strings.Contains(string(toElina[len(toElina)-1].Raw), "Ei kuulu tehtäviisi") {
		t.Fatalf("the requester was not told the reason")
	}
	if len(sentTo(h.conn.Sent(), mikael)) != 1 { // only the welcome: no grant task for a rejection
		t.Fatal("a rejected request made a grant task")
	}
}

func TestApproverFallbacks(t *testing.T) {
	t.Run("no manager: department head", func(t *testing.T) {
		h := newHarness(t, fastOutbox)
		h.say(oskar, "hei")
		h.say(leo, "hei")
		id := submitRequest(t, h, oskar, "palkkatietojen-ilmoittaminen")
		r, _ := h.app.DB.Register.Request(context.Background(), id)
		if r.ApproverID != leo || r.ApproverBasis != domain.ApproverDepartmentHead {
			t.Fatalf("approver %s (%s)", r.ApproverID, r.ApproverBasis)
		}
		h.waitOutbox(t)
		if len(sentTo(h.conn.Sent(), leo)) != 2 {
			t.Fatal("the department head got no approval card")
		}
	})
	t.Run("manager is the requester", func(t *testing.T) {
		demo, err := directory.LoadDemo()
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, fastOutbox, func(_ map[string]string, o *app.Options) { o.Directory = selfManaged{demo, sami} })
		h.say(sami, "hei")
		id := submitRequest(t, h, sami, "palkkatietojen-ilmoittaminen")
		r, _ := h.app.DB.Register.Request(context.Background(), id)
		if r.ApproverID == sami || r.ApproverID != helena || r.ApproverBasis != domain.ApproverDepartmentHead {
			t.Fatalf("approver %s (%s)", r.ApproverID, r.ApproverBasis)
		}
	})
}

// selfManaged is the demo directory in which one person is their own manager (Graph data can be that wrong).
type selfManaged struct {
	*directory.File
	who string
}

func (d selfManaged) Manager(ctx context.Context, id string) (domain.User, error) {
	if id == d.who {
		return d.File.User(ctx, id)
	}
	return d.File.Manager(ctx, id)
}

func TestFiftyConcurrentApprovalsDecideOnce(t *testing.T) {
	h := newHarness(t, fastOutbox)
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)
	before := len(h.conn.Sent())
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			act := h.activity("invoke", sami, "fi-FI", "")
			act["name"] = "adaptiveCard/action"
			act["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "approvalDecide",
				"data": map[string]any{"requestId": id, "decision": "approveAll"}}}
			if status, body := h.post(act, h.token(fakeidp.TokenOptions{})); status != http.StatusOK {
				t.Errorf("status %d: %s", status, body)
			}
		}()
	}
	wg.Wait()
	h.waitOutbox(t)
	audit, _ := h.app.DB.Register.AuditForRequest(context.Background(), id)
	decisions := 0
	for _, a := range audit {
		if a.Action == "request.approved" {
			decisions++
		}
	}
	after := h.conn.Sent()[before:]
	grantTasks, notices := len(sentTo(after, mikael)), 0
	for _, c := range sentTo(after, elina) {
		notices++
		_ = c
	}
	if decisions != 1 || grantTasks != 0 || notices != 2 { // decision notice + Suomi.fi steps; no task before she sends it
		t.Fatalf("%d decisions, %d grant tasks, %d messages to the requester", decisions, grantTasks, notices)
	}
}

func TestOutboxSurvivesConnectorOutage(t *testing.T) {
	h := newHarness(t, fastOutbox)
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	h.conn.WaitForSent(t, 3, 5*time.Second)
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)
	before := len(h.conn.Sent())

	end := h.conn.Outage(http.StatusInternalServerError, "")
	h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll"})
	// Let deliveries fail for a while, then throttle with 429 before recovering.
	deadline := time.Now().Add(5 * time.Second)
	for countFailed(h.conn.Calls()) < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	end()
	h.conn.FailNext(3, http.StatusTooManyRequests, "0")
	h.waitOutbox(t)
	fileRequest(t, h, elina, id)

	after := h.conn.Sent()[before:]
	if n := len(sentTo(after, mikael)); n != 1 {
		t.Fatalf("grant task delivered %d times", n)
	}
	if n := len(sentTo(after, elina)); n != 2 {
		t.Fatalf("%d messages to the requester, want decision + steps once each", n)
	}
	if countFailed(h.conn.Calls()) < 3 {
		t.Fatal("the outage never hit a delivery")
	}
}

func countFailed(calls []fakeconnector.Call) int {
	n := 0
	for _, c := range calls {
		if c.Status >= 400 {
			n++
		}
	}
	return n
}

// A crash between the commit and the delivery loses nothing: the next process delivers, once.
func TestOutboxSurvivesRestart(t *testing.T) {
	slowOutbox := func(_ map[string]string, o *app.Options) {
		o.Outbox = app.OutboxTuning{Paused: true} // this process dies before it delivers anything
	}
	h := newHarness(t, slowOutbox)
	for _, u := range []string{elina, sami} {
		h.say(u, "hei")
	}
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.stop()
	sentBefore := len(sentTo(h.conn.Sent(), sami))

	h.start(fastOutbox, withDB(h.dbPath))
	h.waitOutbox(t)
	got := sentTo(h.conn.Sent(), sami)[sentBefore:]
	if len(got) != 1 || !strings.Contains(string(got[0].Raw), fmt.Sprint(id)) {
		t.Fatalf("after restart the approver got %d messages", len(got))
	}
}

func TestIdentityCodeInJustificationRefused(t *testing.T) {
	h := newHarness(t, fastOutbox)
	h.say(elina, "hei")
	h.invoke(elina, "intakeSubmit", map[string]any{"tasks_palkat-henkilosto": "palkkatietojen-ilmoittaminen"})
	resp := h.invoke(elina, "requestSubmit", map[string]any{"taskIds": []string{"palkkatietojen-ilmoittaminen"},
		"justification": "Tarvitsen tämän, hetuni on 131052-308T", "validUntil": "2027-12-31"})
	c := resp.card(t)
	if !contains(cardText(c), "requestSubmit") || strings.Contains(cardText(c), "131052") {
		t.Fatalf("want the recommendation again, without the code: %s", cardText(c))
	}
	rs, _ := h.app.DB.Register.RequestsByRequester(context.Background(), elina, 10)
	if len(rs) != 0 {
		t.Fatal("a request with an identity code was stored")
	}
	h.stop()
	for _, f := range []string{h.dbPath, h.dbPath + "-wal"} {
		if raw, err := os.ReadFile(f); err == nil && strings.Contains(string(raw), "131052") {
			t.Fatalf("%s contains the identity code", f)
		}
	}
	if strings.Contains(h.logs.String(), "131052") {
		t.Fatal("the log contains the identity code")
	}
}

// teamsInstaller plays Microsoft Graph and Teams: installing the app for a person makes Teams send the bot an
// installationUpdate from that person's new personal chat.
type teamsInstaller struct {
	h     *harness
	mu    sync.Mutex
	calls []string
}

func (i *teamsInstaller) InstallFor(_ context.Context, userID string) error {
	i.mu.Lock()
	i.calls = append(i.calls, userID)
	i.mu.Unlock()
	go func() {
		act := i.h.activity("installationUpdate", userID, "sv-FI", "")
		act["action"] = "add"
		i.h.post(act, i.h.token(fakeidp.TokenOptions{}))
	}()
	return nil
}

func TestProactiveInstallForUnknownRecipient(t *testing.T) {
	inst := &teamsInstaller{}
	h := newHarness(t, fastOutbox, func(_ map[string]string, o *app.Options) { o.Installer = inst })
	inst.h = h
	h.say(elina, "hei") // Sami, the approver, has never opened the bot
	submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)
	inst.mu.Lock()
	calls := append([]string(nil), inst.calls...)
	inst.mu.Unlock()
	if len(calls) != 1 || calls[0] != sami {
		t.Fatalf("installs %v, want one for the approver", calls)
	}
	toSami := sentTo(h.conn.Sent(), sami)
	var approval int
	for _, c := range toSami {
		if strings.Contains(string(c.Raw), "approvalOpen") {
			approval++
			if card(t, c)["lang"] != "sv" {
				t.Errorf("the approval card should follow Sami's sv-FI locale")
			}
		}
	}
	if approval != 1 {
		t.Fatalf("%d approval cards reached the approver", approval)
	}
}

// The Playground (and some Teams clients) always say en-US. After a Finnish "hei", the cards the person taps must
// stay Finnish, and so must the messages sent to them later.
func TestWrittenLanguageCarriesToButtons(t *testing.T) {
	h := newHarness(t, fastOutbox)
	act := h.activity("message", elina, "en-US", "hei")
	h.send(act)
	inv := h.activity("invoke", elina, "en-US", "")
	inv["name"] = "adaptiveCard/action"
	inv["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "intakeOpen", "data": map[string]any{}}}
	var r invokeResponse
	if err := json.Unmarshal(h.send(inv), &r); err != nil {
		t.Fatal(err)
	}
	if c := r.card(t); c["lang"] != "fi" {
		t.Fatalf("tapping a button after a Finnish greeting answered in %v", c["lang"])
	}
	// An explicit choice still wins over what was written.
	h.invoke(elina, "setLanguage", map[string]any{"lang": "en"})
	h.send(h.activity("message", elina, "en-US", "hei"))
	sent := h.conn.Sent()
	if c := card(t, sent[len(sent)-1]); c["lang"] != "en" {
		t.Fatalf("after choosing English a Finnish greeting answered in %v", c["lang"])
	}
}

func TestRoleDropdownTicksTheRolesTasks(t *testing.T) {
	h := newHarness(t)
	h.say(elina, "hei")
	c := h.invoke(elina, "intakeOpen", map[string]any{"role": "palkkasihteeri", "tasks_verotus": ""}).card(t)
	if !contains(cardText(c), `"value":"palkkasihteeri"`, "palkkatietojen-ilmoittaminen") {
		t.Fatalf("the role's tasks are not ticked: %s", cardText(c))
	}
	for _, bad := range []map[string]any{
		{"role": "no-such-role"},
		{"role": "palkkasihteeri", "approver": elina},
	} {
		if r := h.invoke(elina, "intakeOpen", bad); r.Type != "application/vnd.microsoft.error" {
			t.Errorf("%v accepted: %s", bad, r.Value)
		}
	}
}

// A message for someone the bot has never heard from waits (no installer here), and goes out the moment that
// person first reaches the bot, not at the next hourly retry.
func TestWaitingMessageGoesOutOnFirstContact(t *testing.T) {
	h := newHarness(t, fastOutbox)
	h.say(elina, "hei")
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, _ := h.app.DB.Outbox.ForRequest(context.Background(), id)
		if len(msgs) == 1 && msgs[0].LastError != "" {
			break // tried once, parked
		}
		if time.Now().After(deadline) {
			t.Fatalf("the approval card was never tried: %+v", msgs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n, _ := h.app.DB.Outbox.PendingOutbox(context.Background()); n != 1 {
		t.Fatalf("%d pending: the waiting message must neither go out nor be abandoned", n)
	}
	h.say(sami, "moi")
	h.waitOutbox(t)
	var approval int
	for _, c := range sentTo(h.conn.Sent(), sami) {
		if strings.Contains(string(c.Raw), "approvalOpen") {
			approval++
		}
	}
	if approval != 1 {
		t.Fatalf("%d approval cards after Sami's first message", approval)
	}
}

// A chat that is gone (404: the app was removed, or the Playground runs as someone else) loses nothing: the message
// waits and goes out when the person installs the app again.
func TestMessageToAGoneChatWaitsForReinstall(t *testing.T) {
	h := newHarness(t, fastOutbox)
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)
	gone := true
	var mu sync.Mutex
	h.conn.FailWhen(func(c fakeconnector.Call) *fakeconnector.Fault {
		mu.Lock()
		defer mu.Unlock()
		if gone && c.ConversationID == "a:personal-"+elina {
			return &fakeconnector.Fault{Status: http.StatusNotFound, Code: "ConversationNotFound"}
		}
		return nil
	})
	h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll"})
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs, _ := h.app.DB.Outbox.ForRequest(context.Background(), id)
		parked := 0
		for _, m := range msgs {
			if m.RecipientID == elina && m.DeliveredAt.IsZero() && m.LastError != "" {
				parked++
			}
		}
		if parked == 2 { // decision notice and Suomi.fi steps
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the messages to the gone chat were not parked: %+v", msgs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	gone = false
	mu.Unlock()
	before := len(sentTo(h.conn.Sent(), elina))
	inst := h.activity("installationUpdate", elina, "fi-FI", "")
	inst["action"] = "add"
	h.send(inst)
	h.waitOutbox(t)
	// The welcome for the reinstall, the decision notice and the steps: each once.
	if n := len(sentTo(h.conn.Sent(), elina)) - before; n != 3 {
		t.Fatalf("%d messages after the reinstall, want 3", n)
	}
}

// A double-tapped submit files one request; the second tap sees the same request's status card.
func TestDoubleTappedSubmitShowsTheSameRequest(t *testing.T) {
	h := newHarness(t, fastOutbox)
	h.say(elina, "hei")
	h.say("7c1e4a52-0000-4000-8000-000000000002", "hei") // Sami, the approver
	data := map[string]any{"taskIds": []string{"palkkatietojen-ilmoittaminen"},
		"justification": "Vastaan kaupungin palkkailmoituksista.", "validUntil": "2027-12-31"}
	first := requestIDOf(t, h.invoke(elina, "requestSubmit", data).card(t))
	second := requestIDOf(t, h.invoke(elina, "requestSubmit", data).card(t))
	if first != second {
		t.Fatalf("two taps filed requests %d and %d", first, second)
	}
	h.waitOutbox(t)
	approvals := 0
	for _, c := range h.conn.Calls() {
		if c.Method == http.MethodPost && strings.Contains(string(c.Raw), "approvalOpen") {
			approvals++
		}
	}
	if approvals != 1 {
		t.Fatalf("%d approval cards sent", approvals)
	}
}

// Cancelling asks first: the first tap changes nothing and shows what cancelling means; "keep it" goes back to the
// status card; only the confirmation withdraws the request.
func TestCancelAsksForConfirmation(t *testing.T) {
	h := newHarness(t, fastOutbox)
	for _, u := range []string{elina, sami} {
		h.say(u, "hei")
	}
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	ask := h.invoke(elina, "requestCancel", map[string]any{"requestId": id}).card(t)
	if !contains(cardText(ask), "Perutaanko pyyntö", `"confirm":true`, "requestStatus") {
		t.Fatalf("confirmation card %s", cardText(ask))
	}
	if r, _ := h.app.DB.Register.Request(context.Background(), id); r.State != domain.RequestPending {
		t.Fatalf("the first tap changed the request: %s", r.State)
	}
	back := h.invoke(elina, "requestStatus", map[string]any{"requestId": id}).card(t)
	if !contains(cardText(back), "requestCancel") {
		t.Fatalf("keep it: %s", cardText(back))
	}
	if r := h.invoke(sami, "requestCancel", map[string]any{"requestId": id, "confirm": true}); r.Type != "application/vnd.microsoft.error" {
		t.Fatalf("the approver cancelling: %s %s", r.Type, r.Value)
	}
	done := h.invoke(elina, "requestCancel", map[string]any{"requestId": id, "confirm": true}).card(t)
	if r, _ := h.app.DB.Register.Request(context.Background(), id); r.State != domain.RequestCancelled || contains(cardText(done), "requestCancel") {
		t.Fatalf("after confirming: %s %s", r.State, cardText(done))
	}
}

// A main user asks for the upcoming reminders and gets the list; anyone else is refused.
func TestUpcomingRemindersForMainUsers(t *testing.T) {
	h := newHarness(t, fastOutbox)
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll", "reason": ""})
	h.waitOutbox(t)
	list := h.invoke(mikael, "upcoming", map[string]any{}).card(t)
	if !contains(cardText(list), "Tulevat muistutukset", "Elina Lindholm: muistutus lähettää valtuuspyyntö") {
		t.Fatalf("upcoming reminders: %s", cardText(list))
	}
	if r := h.invoke(elina, "upcoming", map[string]any{}); r.Type != "application/vnd.microsoft.error" {
		t.Fatalf("an employee got %s %s", r.Type, r.Value)
	}
	before := len(h.conn.Sent())
	h.send(h.activity("message", mikael, "fi-FI", "tulevat muistutukset"))
	if c := card(t, h.conn.WaitForSent(t, before+1, 5*time.Second)[before]); !contains(cardText(c), "Tulevat muistutukset") {
		t.Fatalf("typed command: %s", cardText(c))
	}
}
