package app_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

// A replica received an activity and died before its turn committed: its "processing" claim is left behind.
// Teams' retry while that claim lives is told to come back (503 with Retry-After), not dropped; once the claim has
// lapsed the retry is processed, and a further copy of the activity is ignored: the turn runs exactly once.
func TestCrashMidTurnThenRetryProcessedOnce(t *testing.T) {
	h := newHarness(t, fastOutbox)
	h.say(elina, "hei")
	h.say("7c1e4a52-0000-4000-8000-000000000002", "hei") // Sami, the approver
	act := h.activity("invoke", elina, "fi-FI", "")
	act["name"] = "adaptiveCard/action"
	act["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "requestSubmit", "data": map[string]any{
		"taskIds": []string{"palkkatietojen-ilmoittaminen"}, "justification": "Palkat tulorekisteriin.", "validUntil": "2027-12-31"}}}
	key := "activity:msteams:a:personal-" + elina + ":" + act["id"].(string)
	// What the crashed replica left: its claim, for a moment, and no request.
	if ok, err := h.app.State.SetNX(t.Context(), key, []byte("processing"), 300*time.Millisecond); err != nil || !ok {
		t.Fatalf("leave a claim: %v %v", ok, err)
	}
	status, _ := h.post(act, h.token(fakeidp.TokenOptions{}))
	if status != http.StatusServiceUnavailable {
		t.Fatalf("retry while the dead replica's claim lives: %d, want 503", status)
	}
	if rs, _ := h.app.Workflow.Store.RequestsByRequester(t.Context(), elina, 0); len(rs) != 0 {
		t.Fatalf("a request was filed while the claim lived: %d", len(rs))
	}
	time.Sleep(400 * time.Millisecond) // the dead replica's claim lapses (its lease is real time in this harness)
	first := h.send(act)
	again := h.send(act) // Teams retries once more: answered from the record, no second effect
	if string(first) != string(again) {
		t.Fatalf("the retry got another answer:\n%s\n%s", first, again)
	}
	rs, _ := h.app.Workflow.Store.RequestsByRequester(t.Context(), elina, 0)
	if len(rs) != 1 || rs[0].State != domain.RequestPending {
		t.Fatalf("requests after the retries: %+v", rs)
	}
	h.waitOutbox(t)
	msgs, _ := h.app.DB.Outbox.ForRequest(t.Context(), rs[0].ID)
	approvals := 0
	for _, m := range msgs {
		if m.Kind == domain.MsgApprovalRequest {
			approvals++
		}
	}
	if approvals != 1 {
		t.Fatalf("%d approval cards", approvals)
	}
}
