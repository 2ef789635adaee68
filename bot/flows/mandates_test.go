package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/language"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/views"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

const (
	helenaID = "7c1e4a52-0000-4000-8000-000000000003" // Sami's manager
	mikaelID = "7c1e4a52-0000-4000-8000-000000000004" // the main user
	dinaID   = "7c1e4a52-0000-4000-8000-000000000005" // nobody's supervisor here
)

// mandateWorld is the flows with the mandate verbs wired, on a real register, and two granted mandates: Elina's
// (supervisor Sami) and Sami's (supervisor Helena).
type mandateWorld struct {
	f             *Flows
	db            *sqlstore.DB
	elinas, samis domain.Mandate
}

func newMandateWorld(t *testing.T, db *sqlstore.DB) *mandateWorld {
	t.Helper()
	clk := clock.NewManual(time.Time{})
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	st := state.NewMemory(clk.Now)
	al := &alerts.Service{Store: db.Register, Catalog: cat, Directory: dir, Now: clk.Now}
	wf := &workflow.Service{Store: db.Register, Directory: dir, Catalog: cat, Now: clk.Now, Alerts: al}
	f := New(Deps{Workflow: wf, Catalog: cat, Directory: dir, Register: db.People,
		Views:    &views.Views{Catalog: cat, Directory: dir, Refs: db.People, Now: clk.Now},
		Language: &language.Resolver{Hints: st, Default: domain.Finnish}, Messages: i18n.MustLoad(), State: st, Now: clk.Now,
		Mandates: &workflow.Mandates{Flow: wf, Store: db.Register}})
	w := &mandateWorld{f: f, db: db}
	w.elinas = w.grant(t, elina, sami)
	w.samis = w.grant(t, sami, helenaID)
	return w
}

func (w *mandateWorld) grant(t *testing.T, who, approver string) domain.Mandate {
	t.Helper()
	ctx := context.Background()
	wf := w.f.Workflow
	r, err := wf.Submit(ctx, workflow.SubmitInput{RequesterID: who, TaskIDs: []string{"palkkatietojen-ilmoittaminen"},
		Justification: "Palkat tulorekisteriin.", ValidUntil: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Decide(ctx, workflow.DecideInput{ActorID: approver, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Filed(ctx, who, r.ID, ""); err != nil {
		t.Fatal(err)
	}
	g, err := wf.Grant(ctx, workflow.GrantInput{ActorID: mikaelID, RequestID: r.ID, ValidFrom: clock.Start, ValidUntil: r.ValidUntil})
	if err != nil {
		t.Fatal(err)
	}
	m, err := w.db.Register.Mandate(ctx, g.Items[0].MandateID)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tap invokes verb as who in their personal chat and returns the response body.
func (w *mandateWorld) tap(t *testing.T, who, verb string, data map[string]any) string {
	t.Helper()
	res, err := w.f.Invoke(context.Background(), turn(w.f, who, "personal", invoke(verb, data)))
	if err != nil {
		t.Fatalf("%s by %s: %v", verb, who, err)
	}
	return string(res.Invoke.Body)
}

// rows counts what the mandate verbs write: requests, lapses, invalidation tasks (open and confirmed), revoked
// mandates, audit rows of both mandates' requests and outbox messages.
func (w *mandateWorld) rows(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var requests, lapses, tasks, revoked, audit, outbox int
	for _, who := range []string{elina, sami} {
		rs, err := w.db.Register.RequestsByRequester(ctx, who, 0)
		if err != nil {
			t.Fatal(err)
		}
		requests += len(rs)
	}
	for _, m := range []domain.Mandate{w.elinas, w.samis} {
		got, err := w.db.Register.Mandate(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Lapsing() {
			lapses++
		}
		if got.State == domain.MandateRevoked {
			revoked++
		}
		if _, err := w.db.Register.Invalidation(ctx, m.ID); err == nil {
			tasks++
		}
		evs, err := w.db.Register.AuditForRequest(ctx, m.RequestID)
		if err != nil {
			t.Fatal(err)
		}
		audit += len(evs)
		msgs, err := w.db.Outbox.ForRequest(ctx, m.RequestID)
		if err != nil {
			t.Fatal(err)
		}
		outbox += len(msgs)
	}
	return fmt.Sprintf("requests %d, lapses %d, tasks %d, revoked %d, audit %d, outbox %d", requests, lapses, tasks, revoked, audit, outbox)
}

func refused(body string) bool { return strings.Contains(body, "application/vnd.microsoft.error") }

// Every mandate verb, tapped by someone without the right to it or with tampered data (another person's mandate, an
// id that names nothing, a wrong type, a field the bot never writes), is refused and writes nothing.
func TestMandateVerbsRefuseTamperedData(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		w := newMandateWorld(t, db)
		e, s := w.elinas.ID, w.samis.ID
		type tapCase struct {
			who, verb string
			data      map[string]any
		}
		var cases []tapCase
		for _, verb := range []string{cards.VerbMandateRenew, cards.VerbMandateLapse} {
			cases = append(cases,
				tapCase{dinaID, verb, map[string]any{"mandateId": e}},
				tapCase{mikaelID, verb, map[string]any{"mandateId": e}}, // a main user is not the holder or supervisor
				tapCase{elina, verb, map[string]any{"mandateId": s}},    // Elina names her supervisor's mandate
				tapCase{helenaID, verb, map[string]any{"mandateId": e}}, // Sami's manager is not Elina's supervisor
				tapCase{elina, verb, map[string]any{"mandateId": 999999}},
				tapCase{elina, verb, map[string]any{"mandateId": -1}},
				tapCase{elina, verb, map[string]any{"mandateId": "1"}},
				tapCase{elina, verb, map[string]any{}},
				tapCase{elina, verb, map[string]any{"mandateId": e, "holderId": elina}},
			)
		}
		reason := func(id any) map[string]any { return map[string]any{"mandateId": id, "reason": "Ei tarvita"} }
		cases = append(cases,
			tapCase{elina, cards.VerbInvalidationRequest, reason(e)},    // the holder
			tapCase{elina, cards.VerbInvalidationRequest, reason(s)},    // someone else's
			tapCase{sami, cards.VerbInvalidationRequest, reason(s)},     // his own
			tapCase{helenaID, cards.VerbInvalidationRequest, reason(e)}, // not her person
			tapCase{dinaID, cards.VerbInvalidationRequest, reason(e)},   // nobody's supervisor
			tapCase{mikaelID, cards.VerbInvalidationRequest, reason(999999)},
			tapCase{mikaelID, cards.VerbInvalidationRequest, map[string]any{"mandateId": e, "reason": 5}},
			tapCase{mikaelID, cards.VerbInvalidationRequest, map[string]any{"mandateId": e, "reason": "x", "role": "main_user"}},
			tapCase{sami, cards.VerbInvalidationDone, map[string]any{"mandateId": e, "invalidatedOn": "2026-11-25"}},
			tapCase{elina, cards.VerbInvalidationDone, map[string]any{"mandateId": e, "invalidatedOn": "2026-11-25"}},
			tapCase{dinaID, cards.VerbInvalidationOpen, map[string]any{"mandateId": e}},
			tapCase{elina, cards.VerbInvalidationOpen, map[string]any{"mandateId": s}},
			tapCase{mikaelID, cards.VerbMandateList, map[string]any{"offset": -3}},
			tapCase{mikaelID, cards.VerbMandateList, map[string]any{"offset": "2"}},
		)
		before := w.rows(t)
		for _, c := range cases {
			if body := w.tap(t, c.who, c.verb, c.data); !refused(body) {
				t.Errorf("%s by %s with %v was not refused: %s", c.verb, c.who[len(c.who)-2:], c.data, body)
			}
		}
		if after := w.rows(t); after != before {
			t.Errorf("refused taps wrote something:\nbefore %s\nafter  %s", before, after)
		}
		// A verb of the 1:1 chat is refused in a channel.
		res, err := w.f.Invoke(context.Background(), turn(w.f, elina, "channel", invoke(cards.VerbMandateLapse, map[string]any{"mandateId": e})))
		if err != nil || !refused(string(res.Invoke.Body)) {
			t.Errorf("lapse in a channel: %v %s", err, res.Invoke.Body)
		}
		// A supervisor's or anyone else's list holds only what they may act on; nobody else's names.
		if body := w.tap(t, dinaID, cards.VerbMandateList, map[string]any{}); strings.Contains(body, "Elina") || strings.Contains(body, "Sami") || refused(body) {
			t.Errorf("Dina's list: %s", body)
		}
		if body := w.tap(t, sami, cards.VerbMandateList, map[string]any{}); !strings.Contains(body, "Elina") || strings.Contains(body, "Sami Virtanen") {
			t.Errorf("Sami's list: %s", body)
		}
		if after := w.rows(t); after != before {
			t.Errorf("reading lists wrote something: %s", after)
		}
	})
}

// The allowed taps each record once, however often they come.
func TestMandateVerbsRecordOnce(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		w := newMandateWorld(t, db)
		e, s := w.elinas.ID, w.samis.ID
		ctx := context.Background()

		// Elina renews twice: one request, and her card becomes its status card; the second tap shows the renewal.
		first := w.tap(t, elina, cards.VerbMandateRenew, map[string]any{"mandateId": e})
		if refused(first) || !strings.Contains(first, "VB-") {
			t.Fatalf("renew: %s", first)
		}
		second := w.tap(t, elina, cards.VerbMandateRenew, map[string]any{"mandateId": e})
		if refused(second) || strings.Contains(second, cards.VerbMandateRenew) {
			t.Errorf("second renew: %s", second)
		}
		rs, _ := db.Register.RequestsByRequester(ctx, elina, 0)
		renewals := 0
		for _, r := range rs {
			if r.RenewsMandateID == e {
				renewals++
			}
		}
		if renewals != 1 {
			t.Errorf("%d renewals after two taps", renewals)
		}

		// Helena (Sami's supervisor) lets Sami's mandate lapse; Sami's own second tap records nothing more.
		for _, who := range []string{helenaID, sami} {
			body := w.tap(t, who, cards.VerbMandateLapse, map[string]any{"mandateId": s})
			if refused(body) || strings.Contains(body, cards.VerbMandateLapse) || !strings.Contains(body, "Helena") {
				t.Errorf("lapse by %s: %s", who, body)
			}
		}
		evs, _ := db.Register.AuditForRequest(ctx, w.samis.RequestID)
		if n := countActions(evs, "mandate.lapse"); n != 1 {
			t.Errorf("%d lapses audited", n)
		}

		// Sami asks for the invalidation of Elina's mandate twice (a double tap); Mikael confirms twice.
		for range 2 {
			body := w.tap(t, sami, cards.VerbInvalidationRequest, map[string]any{"mandateId": e, "reason": "Siirtyy toiseen yksikköön"})
			if refused(body) || strings.Contains(body, cards.VerbInvalidationRequest) {
				t.Errorf("ask for invalidation: %s", body)
			}
		}
		// Without a reason, or with a personal identity code in it, nothing is opened: the form says why.
		for _, bad := range []string{" ", "hetu 131052-308T"} {
			body := w.tap(t, mikaelID, cards.VerbInvalidationRequest, map[string]any{"mandateId": s, "reason": bad})
			if refused(body) || !strings.Contains(body, cards.VerbInvalidationRequest) {
				t.Errorf("reason %q: %s", bad, body)
			}
		}
		task := w.tap(t, mikaelID, cards.VerbInvalidationOpen, map[string]any{"mandateId": e})
		if !strings.Contains(task, cards.VerbInvalidationDone) || !strings.Contains(task, "Siirtyy toiseen yksikk") {
			t.Fatalf("Mikael's task: %s", task)
		}
		future := w.tap(t, mikaelID, cards.VerbInvalidationDone, map[string]any{"mandateId": e, "invalidatedOn": "2027-01-01"})
		if refused(future) || !strings.Contains(future, cards.VerbInvalidationDone) {
			t.Errorf("a day in the future: %s", future)
		}
		for range 2 {
			body := w.tap(t, mikaelID, cards.VerbInvalidationDone, map[string]any{"mandateId": e, "invalidatedOn": "2026-11-25"})
			if refused(body) || strings.Contains(body, cards.VerbInvalidationDone) {
				t.Errorf("confirm: %s", body)
			}
		}
		evs, _ = db.Register.AuditForRequest(ctx, w.elinas.RequestID)
		for action, want := range map[string]int{"mandate.invalidation_requested": 1, "mandate.revoked": 1, "mandate.renewal_requested": 1} {
			if n := countActions(evs, action); n != want {
				t.Errorf("%d × %s, want %d", n, action, want)
			}
		}
		msgs, _ := db.Outbox.ForRequest(ctx, w.elinas.RequestID)
		tasks, notices := 0, 0
		for _, m := range msgs {
			switch m.Kind {
			case domain.MsgInvalidationTask:
				tasks++
			case domain.MsgRevokedNotice:
				notices++
			}
		}
		if tasks != 1 || notices != 1 {
			t.Errorf("%d task messages, %d revoked notices; want one each", tasks, notices)
		}
	})
}

func countActions(evs []domain.AuditEvent, action string) int {
	n := 0
	for _, e := range evs {
		if e.Action == action {
			n++
		}
	}
	return n
}

// The list is a typed command in all three languages, only in the 1:1 chat.
func TestMandateListCommand(t *testing.T) {
	w := newMandateWorld(t, sqltest.Open(t))
	for _, text := range []string{"valtuusluettelo", "Stadens fullmaktsförteckning", "mandate list"} {
		res, err := w.f.Message(context.Background(), turn(w.f, mikaelID, "personal", schema.Activity{Type: "message", Text: text}))
		if err != nil || len(res.Replies) != 1 {
			t.Fatalf("%q: %v %+v", text, err, res)
		}
		raw, _ := json.Marshal(res.Replies[0].Attachments)
		if !strings.Contains(string(raw), "Elina Lindholm") || !strings.Contains(string(raw), cards.VerbInvalidationOpen) {
			t.Errorf("%q: %s", text, raw)
		}
	}
	res, _ := w.f.Message(context.Background(), turn(w.f, mikaelID, "channel", schema.Activity{Type: "message", Text: "valtuusluettelo"}))
	if raw, _ := json.Marshal(res.Replies); strings.Contains(string(raw), "Elina") {
		t.Errorf("the list in a channel: %s", raw)
	}
}
