package flows

import (
	"context"
	"encoding/json"
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
	helena = "7c1e4a52-0000-4000-8000-000000000003"
)

func TestAbsenceCommandInEveryLanguage(t *testing.T) {
	for text, lang := range map[string]domain.Lang{
		"poissa": domain.Finnish, "Poissa 10.–24.7.": domain.Finnish, "sijainen": domain.Finnish,
		"frånvaro": domain.Swedish, "Frånvarande 1.8.-3.8.2027": domain.Swedish, "ersättare": domain.Swedish,
		"away": domain.English, "Out of office 10.-24.7.": domain.English, "substitute": domain.English,
	} {
		if c, l := matchCommand(normalise(text)); c != cmdAbsence || l != lang {
			t.Errorf("%q: %v %s", text, c, l)
		}
	}
	for _, text := range []string{"poissaolot kaupungissa", "awayday", "omat valtuudet"} {
		if c, _ := matchCommand(normalise(text)); c == cmdAbsence {
			t.Errorf("%q is not an absence command", text)
		}
	}
	// Every language has a word: the same command works for everyone.
	langs := map[domain.Lang]bool{}
	for _, l := range absenceWords {
		langs[l] = true
	}
	if len(langs) != len(domain.Langs) {
		t.Errorf("absence words in %d languages", len(langs))
	}
}

func TestParseDays(t *testing.T) {
	today := domain.NewDate(2027, 6, 28)
	d := domain.NewDate
	for in, want := range map[string][2]domain.Date{
		"10.–24.7.":          {d(2027, 7, 10), d(2027, 7, 24)},
		"10.–24.7":           {d(2027, 7, 10), d(2027, 7, 24)},
		"10.7.-24.7.":        {d(2027, 7, 10), d(2027, 7, 24)},
		"10.7. – 24.7.2027":  {d(2027, 7, 10), d(2027, 7, 24)},
		"24.7.":              {d(2027, 7, 24), d(2027, 7, 24)},
		"1.–5.6.":            {d(2028, 6, 1), d(2028, 6, 5)}, // June 2027 has passed: next year's
		"28.12.–3.1.":        {d(2027, 12, 28), d(2028, 1, 3)},
		"30.6.2027-2.7.2027": {d(2027, 6, 30), d(2027, 7, 2)},
		"28.6.":              {d(2027, 6, 28), d(2027, 6, 28)},
	} {
		from, until, ok := parseDays(in, today)
		if !ok || from != want[0] || until != want[1] {
			t.Errorf("%q: %v %v %v, want %v %v", in, from, until, ok, want[0], want[1])
		}
	}
	for _, in := range []string{"", "huomenna", "10.–", "–24.7.", "24.–10.7.2027", "31.2.", "1.13.", "10.-24.", "1.-2.-3.7."} {
		if from, until, ok := parseDays(in, today); ok {
			t.Errorf("%q parsed as %v–%v", in, from, until)
		}
	}
}

// absenceFlows is the flows with delegations, on SQLite, at 25 Nov 2026.
func absenceFlows(t *testing.T) (*Flows, *sqlstore.DB) {
	t.Helper()
	clk := clock.NewManual(time.Time{})
	db := sqltest.Open(t, sqlstore.WithNow(clk.Now))
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
	return New(Deps{Workflow: wf, Delegations: &workflow.Delegations{Workflow: wf, Alerts: al}, Catalog: cat, Directory: dir,
		Register: db.People, Views: &views.Views{Catalog: cat, Directory: dir, Refs: db.People, Now: clk.Now},
		Language: &language.Resolver{Hints: st, Default: domain.Finnish}, Messages: i18n.MustLoad(), State: st, Now: clk.Now}), db
}

// cardOf is the card of a reply or an invoke response, as JSON text.
func cardText(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// Sami types "poissa 1.–4.12.": the card has the days filled in and whom he may name; naming himself is refused on
// the card; he picks Helena and saves, and the card says so and that the waiting requests move when the absence
// begins; he ends it from the card. Ending someone else's, tampered data and a channel are refused.
func TestAbsenceCardSetsAndEndsADelegation(t *testing.T) {
	f, _ := absenceFlows(t)
	ctx := context.Background()
	res, err := f.Message(ctx, turn(f, sami, "personal", schema.Activity{Type: "message", Text: "poissa 1.–4.12."}))
	if err != nil || len(res.Replies) != 1 {
		t.Fatalf("command: %v %+v", err, res)
	}
	text := cardText(t, res.Replies[0].Attachments)
	for _, want := range []string{`"value":"2026-12-01"`, `"value":"2026-12-04"`, "Helena Åberg", "Mikael Nordström", cards.VerbDelegationSet} {
		if !strings.Contains(text, want) {
			t.Errorf("the card lacks %s: %s", want, text)
		}
	}
	set := func(who, delegate, from, until string) string {
		t.Helper()
		res, err := f.Invoke(ctx, turn(f, who, "personal", invoke(cards.VerbDelegationSet, map[string]any{
			cards.DelegateInput: delegate, cards.ValidFromInput: from, cards.ValidUntilInput: until})))
		if err != nil || res.Invoke == nil || res.Invoke.Status != 200 {
			t.Fatalf("set: %v %+v", err, res.Invoke)
		}
		return string(res.Invoke.Body)
	}
	body := set(sami, sami, "2026-12-01", "2026-12-04")
	if !strings.Contains(body, "Et voi olla oma sijaisesi") {
		t.Errorf("naming oneself: %s", body)
	}
	body = set(sami, helena, "2026-12-01", "2026-12-04")
	if !strings.Contains(body, "Tallennettu: Helena Åberg päättää sijaisenasi 1.12.2026–4.12.2026.") ||
		!strings.Contains(body, "Avoimet pyynnöt siirtyvät hänelle poissaolon alkaessa.") || !strings.Contains(body, cards.VerbDelegationEnd) {
		t.Errorf("saved: %s", body)
	}
	list, err := f.Delegations.Of(ctx, sami)
	if err != nil || len(list) != 1 || list[0].DelegateID != helena {
		t.Fatalf("delegations %+v %v", list, err)
	}
	res, err = f.Invoke(ctx, turn(f, sami, "personal", invoke(cards.VerbDelegationEnd, map[string]any{"delegationId": list[0].ID})))
	if err != nil || !strings.Contains(string(res.Invoke.Body), "Sijaisuus päättyi.") {
		t.Fatalf("end: %v %s", err, res.Invoke.Body)
	}
	if list, _ := f.Delegations.Of(ctx, sami); len(list) != 0 {
		t.Errorf("still listed: %+v", list)
	}
	// Someone else's delegation, tampered data, a channel: refused.
	res, _ = f.Invoke(ctx, turn(f, mikael, "personal", invoke(cards.VerbDelegationEnd, map[string]any{"delegationId": list0(t, f)})))
	if !strings.Contains(string(res.Invoke.Body), "Sijaisuus on jo päättynyt.") {
		t.Errorf("ending someone else's: %s", res.Invoke.Body)
	}
	for _, data := range []map[string]any{{"delegationId": "x"}, {"delegationId": 1, "approverId": sami}, {}} {
		res, _ := f.Invoke(ctx, turn(f, sami, "personal", invoke(cards.VerbDelegationEnd, data)))
		if !strings.Contains(string(res.Invoke.Body), `"statusCode":400`) {
			t.Errorf("%v: %s", data, res.Invoke.Body)
		}
	}
	res, _ = f.Invoke(ctx, turn(f, sami, "channel", invoke(cards.VerbDelegationOpen, map[string]any{})))
	if !strings.Contains(string(res.Invoke.Body), `"statusCode":403`) {
		t.Errorf("in a channel: %s", res.Invoke.Body)
	}
}

// list0 sets a new delegation for Sami and returns its id.
func list0(t *testing.T, f *Flows) int64 {
	t.Helper()
	d, _, err := f.Delegations.Set(context.Background(), workflow.DelegationInput{ActorID: sami, DelegateID: mikael,
		From: domain.NewDate(2026, 12, 7), Until: domain.NewDate(2026, 12, 8)})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}
