package dirsync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

const (
	org    = "1061512-1"
	anna   = "7c1e4a52-0000-4000-8000-0000000000a1"
	boss   = "7c1e4a52-0000-4000-8000-0000000000a2"
	carl   = "7c1e4a52-0000-4000-8000-0000000000a3"
	dora   = "7c1e4a52-0000-4000-8000-0000000000a4"
	newbie = "7c1e4a52-0000-4000-8000-0000000000a5"
)

// person is one entry of a test directory file.
type person struct {
	id, name, dept, title, manager, leave, company string
	disabled                                       bool
}

func (p person) yaml() string {
	s := fmt.Sprintf("- id: %s\n  display_name: %s\n  mail: %s@porvoo.example\n  department: %s\n  job_title: %s\n",
		p.id, p.name, strings.ToLower(p.name), p.dept, p.title)
	if p.manager != "" {
		s += "  manager: " + p.manager + "\n"
	}
	if p.company != "" {
		s += "  company_name: " + p.company + "\n"
	}
	if p.leave != "" {
		s += "  leave_date: " + p.leave + "\n"
	}
	if p.disabled {
		s += "  account_enabled: false\n"
	}
	return s
}

func staff() []person {
	return []person{
		{id: anna, name: "Anna", dept: "Talous", title: "Kirjanpitäjä", manager: boss},
		{id: boss, name: "Boss", dept: "Talous", title: "Päällikkö"},
		{id: carl, name: "Carl", dept: "Talous", title: "Palkkasihteeri", manager: boss},
		{id: dora, name: "Dora", dept: "Tekninen", title: "Insinööri", manager: boss},
	}
}

// writeFile writes the people as a directory file, with a modification time of its own so a reload sees it.
func writeFile(t *testing.T, path string, people []person, version int) {
	t.Helper()
	var b strings.Builder
	for _, p := range people {
		b.WriteString(p.yaml())
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	mod := time.Date(2026, 1, 1, 0, 0, version, 0, time.UTC)
	if err := os.Chtimes(path, mod, mod); err != nil {
		t.Fatal(err)
	}
}

type rig struct {
	t     *testing.T
	db    *sqlstore.DB
	clock *clock.Manual
	path  string
	s     *Syncer
}

func newRig(t *testing.T, db *sqlstore.DB) *rig {
	t.Helper()
	path := filepath.Join(t.TempDir(), "people.yaml")
	writeFile(t, path, staff(), 1)
	w, err := directory.WatchFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := clock.NewManual(time.Time{})
	return &rig{t: t, db: db, clock: c, path: path,
		s: &Syncer{Store: db.DirSync(), Source: w, Org: org, Now: c.Now}}
}

func (r *rig) run() Result {
	r.t.Helper()
	res, err := r.s.Run(context.Background())
	if err != nil {
		r.t.Fatalf("sync: %v", err)
	}
	return res
}

func (r *rig) job(key string) (domain.Job, bool) {
	r.t.Helper()
	j, err := r.db.Jobs.Job(context.Background(), key)
	if domain.IsCode(err, domain.ENotFound) {
		return j, false
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return j, true
}

func (r *rig) pending() int {
	r.t.Helper()
	n, err := r.db.Jobs.Pending(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return n
}

func kinds(evs []domain.DirectoryEvent) string {
	var s []string
	for _, e := range evs {
		s = append(s, string(e.Kind)+":"+e.PersonID[len(e.PersonID)-2:])
	}
	return strings.Join(s, " ")
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// The first sync records a baseline with no events; then a joiner, a mover and a leaver (account disabled) each
// raise one event and one job; the same state synced again raises nothing.
func TestJoinerMoverLeaver(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := newRig(t, db)
		res := r.run()
		if !res.Baseline || !res.Full || len(res.Events) != 0 || r.pending() != 0 {
			t.Fatalf("baseline: %+v, %d jobs", res, r.pending())
		}
		people := staff()
		people[0].dept, people[0].title = "Tekninen", "Suunnittelija" // Anna moves
		people[2].disabled = true                                     // Carl leaves
		people = append(people, person{id: newbie, name: "Newbie", dept: "Talous", title: "Harjoittelija", manager: boss})
		writeFile(t, r.path, people, 2)
		r.clock.Advance(time.Hour)
		res = r.run()
		if got := kinds(res.Events); got != "mover:a1 leaver:a3 joiner:a5" {
			t.Fatalf("events %q", got)
		}
		if res.Baseline || res.Jobs != 3 || res.Changed != 3 {
			t.Fatalf("result %+v", res)
		}
		now := r.clock.Now()
		mv := res.Events[0]
		if mv.Before.Department != "Talous" || mv.After.Department != "Tekninen" || mv.Fingerprint == "" {
			t.Errorf("mover %+v", mv)
		}
		j, ok := r.job("dir_mover/" + anna + "/" + day(now) + "/" + mv.Fingerprint)
		if !ok || j.Kind != "dir_mover" || !j.DueAt.Equal(now) {
			t.Fatalf("mover job %+v %v", j, ok)
		}
		if _, ok := r.job("dir_leaver/" + carl + "/" + day(now)); !ok {
			t.Fatal("no leaver job")
		}
		if _, ok := r.job("dir_joiner/" + newbie + "/" + day(now)); !ok {
			t.Fatal("no joiner job")
		}
		// Synced again (the file only touched, then the same content): nothing new.
		writeFile(t, r.path, people, 3)
		r.clock.Advance(time.Hour)
		if res := r.run(); len(res.Events) != 0 || res.Jobs != 0 {
			t.Fatalf("re-run raised %+v", res)
		}
		if r.pending() != 3 {
			t.Fatalf("%d jobs, want 3", r.pending())
		}
	})
}

// A leave date in the future schedules the leaver job for that day; moved later, the old day's job is cancelled
// and the new day's scheduled; cleared, the job is cancelled. A leave date already ahead at the baseline is
// scheduled too (nothing else would raise it).
func TestLeaveDate(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := newRig(t, db)
		people := staff()
		people[3].leave = "2027-03-31"
		writeFile(t, r.path, people, 2)
		if res := r.run(); !res.Baseline || kinds(res.Events) != "leaver:a4" {
			t.Fatalf("baseline with a leave date ahead: %+v", res)
		}
		first := "dir_leaver/" + dora + "/2027-03-31"
		if j, ok := r.job(first); !ok || !j.DueAt.Equal(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("leaver job %+v %v", j, ok)
		}
		people[0].leave = "2027-02-28" // Anna gets a leave date
		people[3].leave = "2027-06-30" // Dora's contract is extended
		writeFile(t, r.path, people, 3)
		r.clock.Advance(24 * time.Hour)
		if res := r.run(); kinds(res.Events) != "leaver:a1 leaver:a4" || res.Jobs != 2 {
			t.Fatalf("moved: %+v", res)
		}
		if j, _ := r.job(first); j.CancelledAt.IsZero() {
			t.Fatal("the old day's job was not cancelled")
		}
		moved := "dir_leaver/" + dora + "/2027-06-30"
		if j, ok := r.job(moved); !ok || !j.Pending() {
			t.Fatalf("new day's job %+v", j)
		}
		people[3].leave = ""
		writeFile(t, r.path, people, 4)
		if res := r.run(); len(res.Events) != 0 || res.Changed != 1 {
			t.Fatalf("cleared: %+v", res)
		}
		if j, _ := r.job(moved); j.CancelledAt.IsZero() {
			t.Fatal("a cleared leave date left its job")
		}
		if r.pending() != 1 {
			t.Fatalf("%d pending, want Anna's only", r.pending())
		}
	})
}

// The dry run reports the events of the next sync and writes nothing; the sync then raises exactly those.
func TestDryRun(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		r := newRig(t, db)
		r.run()
		people := staff()
		people[1].disabled = true
		writeFile(t, r.path, people, 2)
		before, _ := db.DirSync().State(context.Background(), org)
		dry, err := r.s.DryRun(context.Background())
		if err != nil || kinds(dry.Events) != "leaver:a2" || dry.Jobs != 0 {
			t.Fatalf("dry run %+v %v", dry, err)
		}
		after, _ := db.DirSync().State(context.Background(), org)
		if after != before || r.pending() != 0 {
			t.Fatalf("dry run changed the state %+v → %+v, %d jobs", before, after, r.pending())
		}
		if res := r.run(); kinds(res.Events) != kinds(dry.Events) || res.Jobs != 1 {
			t.Fatalf("sync after the dry run %+v", res)
		}
	})
}

// Two replicas, each with its own connections and its own copy of the file, sync the same changes at the same
// time, round after round: each event's job exists once, whichever replica got it. The lease is bypassed in the
// second half, so the transaction's lock and version check alone must keep the effects single.
func TestTwoReplicas(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		c := clock.NewManual(time.Time{})
		dir := t.TempDir()
		var reps [2]*Syncer
		var paths [2]string
		for i := range reps {
			db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(c.Now))
			paths[i] = filepath.Join(dir, fmt.Sprintf("r%d.yaml", i))
			writeFile(t, paths[i], staff(), 1)
			w, err := directory.WatchFile(paths[i])
			if err != nil {
				t.Fatal(err)
			}
			reps[i] = &Syncer{Store: db.DirSync(), Source: w, Org: org, Now: c.Now}
		}
		check := sqltest.OpenDSN(t, dsn)
		people := staff()
		want := 0
		for round := 0; round < 8; round++ {
			had := want
			switch round {
			case 1:
				people[0].title = "Controller"
				want++
			case 2:
				people = append(people, person{id: newbie, name: "Newbie", dept: "Talous", title: "Harjoittelija"})
				want++
			case 3:
				people[2].disabled = true
				want++
			case 4:
				people[3].leave = "2027-05-31"
				want++
			case 5:
				people[3].manager = anna
				want++
			case 6:
				people[0].title = "Pääkirjanpitäjä"
				people[1].leave = "2027-04-30"
				want += 2
			}
			for i := range paths {
				writeFile(t, paths[i], people, round+2)
			}
			c.Advance(time.Hour)
			var wg sync.WaitGroup
			results := make([]Result, 2)
			errs := make([]error, 2)
			for i, s := range reps {
				wg.Go(func() {
					if round%2 == 0 {
						results[i], errs[i] = s.Run(context.Background())
					} else {
						results[i], errs[i] = s.sync(context.Background(), false)
					}
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			n, err := check.Jobs.Pending(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Fatalf("round %d: %d jobs, want %d (results %+v)", round, n, want, results)
			}
			if got := results[0].Jobs + results[1].Jobs; got != want-had {
				t.Fatalf("round %d: the replicas scheduled %d jobs together", round, got)
			}
		}
	})
}

// Two organisations share the directory, each with its Syncer and its Member rule: a non-member joining raises
// nothing for the city (a joiner for the enterprise), a member whose company changes leaves the city and joins the
// enterprise, a non-member whose company changes joins the city; a non-member's move is not the city's. The dry
// run agrees with the sync.
func TestMembership(t *testing.T) {
	const (
		city       = "Porvoon kaupunki"
		enterprise = "Porvoon Energia Oy"
		energyOrg  = "1234567-8"
		erkki      = "7c1e4a52-0000-4000-8000-0000000000a6"
	)
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		r := newRig(t, db)
		r.s.Member = func(u domain.User) bool { return u.CompanyName == city }
		energy := &Syncer{Store: db.DirSync(), Source: r.s.Source, Org: energyOrg, Now: r.clock.Now,
			Member: func(u domain.User) bool { return u.CompanyName == enterprise }}
		people := staff()
		for i := range people {
			people[i].company = city
		}
		people = append(people, person{id: erkki, name: "Erkki", dept: "Verkko", title: "Asentaja", company: enterprise})
		version := 1
		round := func(want, wantEnergy string) Result {
			t.Helper()
			version++
			writeFile(t, r.path, people, version)
			r.clock.Advance(24 * time.Hour)
			dry, err := r.s.DryRun(ctx)
			if err != nil {
				t.Fatal(err)
			}
			res := r.run()
			if got := kinds(res.Events); got != want || kinds(dry.Events) != got || res.Jobs != len(res.Events) {
				t.Fatalf("round %d, the city: events %q (dry run %q), %d jobs; want %q", version, got, kinds(dry.Events), res.Jobs, want)
			}
			eres, err := energy.Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(eres.Events); got != wantEnergy {
				t.Fatalf("round %d, the enterprise: events %q, want %q", version, got, wantEnergy)
			}
			return res
		}

		if res := round("", ""); !res.Baseline {
			t.Fatalf("no baseline: %+v", res)
		}
		// A newcomer of the enterprise; the enterprise's Erkki moves.
		people = append(people, person{id: newbie, name: "Newbie", dept: "Verkko", title: "Harjoittelija", company: enterprise})
		people[4].dept = "Kaukolämpö"
		if res := round("", "joiner:a5 mover:a6"); res.Changed != 2 {
			t.Fatalf("the city's snapshot keeps everyone: %+v", res)
		}
		// Carl goes to work for the enterprise; the newcomer comes to the city.
		people[2].company = enterprise
		people[5].company = city
		res := round("leaver:a3 joiner:a5", "joiner:a3 leaver:a5")
		now := r.clock.Now()
		lv, jn := res.Events[0], res.Events[1]
		if lv.Before == nil || lv.Before.CompanyName != city || lv.After != nil || !lv.EffectiveOn.Equal(now) {
			t.Errorf("the city's leaver %+v", lv)
		}
		if jn.Before != nil || jn.After == nil || jn.After.Mail != "newbie@porvoo.example" || jn.After.CompanyName != city {
			t.Errorf("the city's joiner %+v", jn)
		}
		if _, ok := r.job("dir_leaver/" + carl + "/" + day(now)); !ok {
			t.Fatal("no leaver job for the city")
		}
		if _, ok := r.job("dir_joiner/" + newbie + "/" + day(now)); !ok {
			t.Fatal("no joiner job for the city")
		}
		// Nothing changed: nothing more, for either.
		round("", "")
	})
}
