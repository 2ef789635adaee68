package flows

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/language"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/views"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

const (
	elina = "7c1e4a52-0000-4000-8000-000000000001"
	sami  = "7c1e4a52-0000-4000-8000-000000000002"
)

// newFlows is the flows on a real SQLite register and the demo directory: no HTTP, no tokens, no connector.
func newFlows(t *testing.T) *Flows {
	t.Helper()
	clk := clock.NewManual(time.Time{})
	db := sqltest.Open(t)
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	st := state.NewMemory(clk.Now)
	wf := &workflow.Service{Store: db.Register, Directory: dir, Catalog: cat, Now: clk.Now}
	return New(Deps{Workflow: wf, Catalog: cat, Directory: dir, Register: db.People,
		Views:    &views.Views{Catalog: cat, Directory: dir, Refs: db.People, Now: clk.Now, Grants: db.Register},
		Language: &language.Resolver{Hints: st, Default: domain.Finnish}, Messages: i18n.MustLoad(), State: st, Now: clk.Now})
}

func turn(f *Flows, who, convType string, act schema.Activity) *Turn {
	act.From = schema.ChannelAccount{ID: "29:" + who, AadObjectID: who}
	act.Recipient = schema.ChannelAccount{ID: "28:bot"}
	act.Conversation = schema.ConversationAccount{ID: "conv-" + convType, ConversationType: convType, IsGroup: convType != "personal"}
	return &Turn{Activity: act, Lang: domain.Finnish, P: f.Messages.Printer(domain.Finnish)}
}

func invoke(verb string, data map[string]any) schema.Activity {
	return schema.Activity{Type: "invoke", Name: "adaptiveCard/action",
		Value: map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": verb, "data": data}}}
}

// The request flow runs turn by turn without HTTP: the intake answers with a recommendation, the submit files the
// request and shows its status; in a channel the same verb is refused and a command gets only the private-chat card.
func TestFlowsRunWithoutHTTP(t *testing.T) {
	f := newFlows(t)
	ctx := context.Background()
	res, err := f.Invoke(ctx, turn(f, elina, "personal", invoke("intakeSubmit", map[string]any{"tasks_palkat-henkilosto": "palkkatietojen-ilmoittaminen"})))
	if err != nil || res.Invoke == nil || !strings.Contains(string(res.Invoke.Body), "requestSubmit") {
		t.Fatalf("recommendation: %v %s", err, res.Invoke.Body)
	}
	res, err = f.Invoke(ctx, turn(f, elina, "personal", invoke("requestSubmit", map[string]any{"taskIds": []string{"palkkatietojen-ilmoittaminen"},
		"justification": "Palkat tulorekisteriin.", "validUntil": "2027-06-30"})))
	if err != nil || !strings.Contains(string(res.Invoke.Body), "VB-2026-") {
		t.Fatalf("submit: %v %s", err, res.Invoke.Body)
	}
	if rs, _ := f.Workflow.PendingApprovals(ctx, sami); len(rs) != 1 {
		t.Fatalf("Sami has %d approvals waiting", len(rs))
	}

	res, err = f.Invoke(ctx, turn(f, sami, "channel", invoke("approvalList", map[string]any{})))
	if err != nil || !strings.Contains(string(res.Invoke.Body), "application/vnd.microsoft.error") {
		t.Fatalf("a private verb in a channel: %v %s", err, res.Invoke.Body)
	}
	res, err = f.Message(ctx, turn(f, sami, "channel", schema.Activity{Type: "message", Text: "hyväksyttävät"}))
	if err != nil || len(res.Replies) != 1 {
		t.Fatalf("command in a channel: %v %+v", err, res)
	}
	shown, _ := json.Marshal(res.Replies[0].Attachments)
	if strings.Contains(string(shown), "VB-") || strings.Contains(string(shown), "Elina") || !strings.Contains(string(shown), "28%3Abot") {
		t.Fatalf("channel answer: %s", shown)
	}
}

// A personal identity code in a message is refused before anything else reads the text.
func TestFlowsRefuseIdentityCode(t *testing.T) {
	f := newFlows(t)
	res, err := f.Message(context.Background(), turn(f, elina, "personal", schema.Activity{Type: "message", Text: "omat valtuudet 131052-308T"}))
	if err != nil || len(res.Replies) != 1 || res.Replies[0].Text != f.Messages.Printer(domain.Finnish).Get("hetu.refused") {
		t.Fatalf("%v %+v", err, res)
	}
}
