package dirsync

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/directory/graphdir"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakegraph"
)

// Demo people (docs/demo-people.md).
const (
	elina  = "7c1e4a52-0000-4000-8000-000000000001"
	mikael = "7c1e4a52-0000-4000-8000-000000000004"
	oskar  = "7c1e4a52-0000-4000-8000-000000000006"
	tiina  = "7c1e4a52-0000-4000-8000-000000000007"
	joiner = "7c1e4a52-0000-4000-8000-0000000000b1"
)

func demoUser(t *testing.T, id string) fakegraph.User {
	t.Helper()
	demo, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range demo.Entries() {
		if e.User.ID == id {
			return fakegraph.User{User: e.User, ManagerID: e.ManagerID}
		}
	}
	t.Fatalf("no demo person %s", id)
	return fakegraph.User{}
}

// The whole chain on Microsoft Graph through the real SDK against the fake: a paged baseline; a tracked round
// (throttled once, Retry-After honoured by the SDK) with a mover, a deleted user (@removed) and a joiner; then
// the delta link expires and the full resync raises only what changed meanwhile, nothing twice.
func TestGraphSync(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		demo, err := directory.LoadDemo()
		if err != nil {
			t.Fatal(err)
		}
		fake := fakegraph.FromDirectory(t, demo)
		fake.SetPageSize(3)
		fake.RequireBearer("tok")
		g, err := graphdir.New(graphdir.Config{Credential: &fakegraph.Credential{Token: "tok"}, BaseURL: fake.URL(),
			HTTPClient: &http.Client{Timeout: 30 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		c := clock.NewManual(time.Time{})
		s := &Syncer{Store: db.DirSync(), Source: g, Org: org, Now: c.Now}
		run := func() Result {
			t.Helper()
			res, err := s.Run(ctx)
			if err != nil {
				t.Fatalf("sync: %v", err)
			}
			return res
		}
		jobs := func() int {
			t.Helper()
			n, err := db.Jobs.Pending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		if res := run(); !res.Baseline || !res.Full || len(res.Events) != 0 {
			t.Fatalf("baseline %+v", res)
		}
		el := demoUser(t, elina)
		el.Department = "Tietohallinto"
		fake.Put(el)
		fake.Remove(oskar)
		fake.Put(fakegraph.User{User: domain.User{ID: joiner, DisplayName: "Uusi Työntekijä", Mail: "uusi@porvoo.example",
			Department: "Sivistyspalvelut", JobTitle: "Koulusihteeri", AccountEnabled: true}, ManagerID: tiina})
		fake.Throttle(1, time.Second)
		c.Advance(time.Hour)
		res := run()
		if got := kinds(res.Events); res.Full || got != "mover:01 leaver:06 joiner:b1" || res.Jobs != 3 {
			t.Fatalf("tracked round: %q %+v", got, res)
		}
		if res.Events[0].After.ManagerID == "" || res.Events[0].After.Mail == "" {
			t.Errorf("a tracked change lost what it did not carry: %+v", res.Events[0].After)
		}

		// The link expires; meanwhile Tiina moves and Mikael is deleted. The full resync raises those two only.
		fake.ExpireDeltaTokens(http.StatusGone)
		ti := demoUser(t, tiina)
		ti.JobTitle = "Rehtori"
		fake.Put(ti)
		fake.Remove(mikael)
		c.Advance(time.Hour)
		res = run()
		if got := kinds(res.Events); !res.Full || got != "leaver:04 mover:07" || res.Jobs != 2 {
			t.Fatalf("full resync: %q %+v", got, res)
		}
		if res := run(); len(res.Events) != 0 || res.Full {
			t.Fatalf("after the resync: %+v", res)
		}
		if n := jobs(); n != 5 {
			t.Fatalf("%d jobs, want 5", n)
		}
		var throttled bool
		for _, r := range fake.Requests() {
			throttled = throttled || r.Status == http.StatusTooManyRequests
		}
		if !throttled {
			t.Fatal("the 429 was never answered")
		}
	})
}

// On Graph a tracked round carries only what changed: a person of the enterprise whose company name alone changes
// to the city's joins the city known by name and mail (the snapshot keeps non-members), and the city's Mikael, whose
// company name alone changes, leaves it.
func TestGraphMembership(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		demo, err := directory.LoadDemo()
		if err != nil {
			t.Fatal(err)
		}
		fake := fakegraph.FromDirectory(t, demo)
		outsider := fakegraph.User{User: domain.User{ID: joiner, DisplayName: "Eero Energia", Mail: "eero@porvoonenergia.example",
			Department: "Verkko", CompanyName: "Porvoon Energia Oy", JobTitle: "Asentaja", AccountEnabled: true}}
		fake.Put(outsider)
		g, err := graphdir.New(graphdir.Config{Credential: &fakegraph.Credential{Token: "tok"}, BaseURL: fake.URL(),
			HTTPClient: &http.Client{Timeout: 30 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		c := clock.NewManual(time.Time{})
		s := &Syncer{Store: db.DirSync(), Source: g, Org: org, Now: c.Now,
			Member: func(u domain.User) bool { return u.CompanyName == "Porvoon kaupunki" }}
		if res, err := s.Run(ctx); err != nil || !res.Baseline || len(res.Events) != 0 {
			t.Fatalf("baseline %+v %v", res, err)
		}
		outsider.CompanyName = "Porvoon kaupunki"
		fake.Put(outsider)
		mi := demoUser(t, mikael)
		mi.CompanyName = "Porvoon Energia Oy"
		fake.Put(mi)
		c.Advance(time.Hour)
		dry, err := s.DryRun(ctx)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := kinds(res.Events); res.Full || got != "leaver:04 joiner:b1" || kinds(dry.Events) != got || res.Jobs != 2 {
			t.Fatalf("tracked round: %q (dry run %q) %+v", got, kinds(dry.Events), res)
		}
		if a := res.Events[1].After; a.Mail != "eero@porvoonenergia.example" || a.DisplayName != "Eero Energia" || !a.AccountEnabled {
			t.Errorf("the joiner lost what the change did not carry: %+v", a)
		}
		if b := res.Events[0].Before; b == nil || b.DisplayName != "Mikael Nordström" || res.Events[0].After != nil {
			t.Errorf("the leaver %+v", res.Events[0])
		}
	})
}
