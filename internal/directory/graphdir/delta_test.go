package graphdir

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakegraph"
)

func deltaRequests(fake *fakegraph.Server) []fakegraph.Request {
	var out []fakegraph.Request
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Path, "/v1.0/users/delta") {
			out = append(out, r)
		}
	}
	return out
}

func byID(d directory.Delta) map[string]directory.Change {
	m := map[string]directory.Change{}
	for _, c := range d.Changes {
		m[c.Person.ID] = c
	}
	return m
}

// A full round through the SDK: every page followed, $select with the manager relation sent once, managers read
// from manager@delta, and the delta link returned.
func TestDeltaFullRoundPages(t *testing.T) {
	g, fake, _ := setup(t)
	fake.SetPageSize(2)
	d, err := g.Delta(context.Background(), "")
	if err != nil {
		t.Fatalf("Delta: %v", err)
	}
	if !d.Full || len(d.Changes) != 9 || !strings.Contains(d.Link, "$deltatoken=") {
		t.Fatalf("full round: full %v, %d changes, link %q", d.Full, len(d.Changes), d.Link)
	}
	reqs := deltaRequests(fake)
	if len(reqs) != 5 {
		t.Fatalf("%d delta requests, want 5 pages of 2", len(reqs))
	}
	sel := reqs[0].Query.Get("$select")
	for _, f := range []string{"accountEnabled", "employeeLeaveDateTime", "department", "companyName", "jobTitle", "manager"} {
		if !strings.Contains(sel, f) {
			t.Errorf("$select %q lacks %s", sel, f)
		}
	}
	if reqs[1].Query.Get("$skiptoken") == "" || reqs[1].Query.Get("$select") != "" {
		t.Errorf("second page %v: want the next link as sent", reqs[1].Query)
	}
	m := byID(d)
	e := m[elina]
	if e.Fields != directory.AllFields || e.Person.ManagerID != sami || e.Person.Department != "Talous- ja henkilöstöpalvelut" ||
		!e.Person.AccountEnabled || e.Person.Mail != "elina.lindholm@porvoo.example" || e.Person.CompanyName != "Porvoon kaupunki" {
		t.Errorf("elina %+v", e)
	}
	if h := m[helena]; h.Person.ManagerID != "" || h.Fields != directory.AllFields {
		t.Errorf("helena has no manager: %+v", h)
	}
	p := m[pekka]
	if p.Person.AccountEnabled || p.Person.LeaveDate == nil || !p.Person.LeaveDate.Equal(time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("pekka %+v", p.Person)
	}
}

// A tracked round carries only what changed: a department cleared (null), a manager taken away (@removed in
// manager@delta), a user deleted (@removed), a user added with everything.
func TestDeltaTrackedRound(t *testing.T) {
	g, fake, _ := setup(t)
	ctx := context.Background()
	d, err := g.Delta(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	demo, _ := directory.LoadDemo()
	var el fakegraph.User
	for _, e := range demo.Entries() {
		if e.User.ID == elina {
			el = fakegraph.User{User: e.User, ManagerID: e.ManagerID}
		}
	}
	el.Department, el.ManagerID = "", ""
	fake.Put(el)
	fake.Remove(oskar)
	fake.Put(fakegraph.User{User: domain.User{ID: unknown, DisplayName: "Uusi Ihminen", Mail: "uusi@porvoo.example",
		Department: "Tietohallinto", JobTitle: "Kehittäjä", AccountEnabled: true}, ManagerID: mikael})

	d2, err := g.Delta(ctx, d.Link)
	if err != nil {
		t.Fatalf("tracked Delta: %v", err)
	}
	if d2.Full || len(d2.Changes) != 3 || d2.Link == "" || d2.Link == d.Link {
		t.Fatalf("tracked round: %+v", d2)
	}
	m := byID(d2)
	if e := m[elina]; e.Fields != directory.FieldDepartment|directory.FieldManager || e.Person.Department != "" ||
		e.Person.ManagerID != "" || e.Removed {
		t.Errorf("elina's change %+v", e)
	}
	if o := m[oskar]; !o.Removed {
		t.Errorf("oskar not removed: %+v", o)
	}
	if n := m[unknown]; n.Fields&directory.FieldManager == 0 || n.Person.ManagerID != mikael || !n.Person.AccountEnabled {
		t.Errorf("new user %+v", n)
	}
	d3, err := g.Delta(ctx, d2.Link)
	if err != nil || len(d3.Changes) != 0 {
		t.Fatalf("nothing changed: %+v %v", d3, err)
	}
	// The company name alone changes (the person moves to a municipal enterprise): the change carries it only.
	el.CompanyName = "Porvoon Energia Oy"
	fake.Put(el)
	d4, err := g.Delta(ctx, d3.Link)
	if err != nil || len(d4.Changes) != 1 {
		t.Fatalf("company changed: %+v %v", d4, err)
	}
	if e := d4.Changes[0]; e.Fields != directory.FieldCompanyName || e.Person.CompanyName != "Porvoon Energia Oy" {
		t.Errorf("elina's company change %+v", e)
	}
}

// 429 with Retry-After is retried by the SDK's retry handler, and the round goes on.
func TestDeltaThrottled(t *testing.T) {
	g, fake, _ := setup(t)
	fake.SetPageSize(4)
	fake.Throttle(1, time.Second)
	d, err := g.Delta(context.Background(), "")
	if err != nil || len(d.Changes) != 9 {
		t.Fatalf("Delta after 429: %d changes, %v", len(d.Changes), err)
	}
	reqs := deltaRequests(fake)
	if reqs[0].Status != http.StatusTooManyRequests || reqs[1].Status != http.StatusOK || reqs[1].RetryAttempt != "1" {
		t.Fatalf("requests %+v, want 429 then a retry", reqs[:2])
	}
}

// An expired delta link (410 Gone, or 400 syncStateNotFound) is directory.ErrDeltaExpired; a new full round works.
func TestDeltaExpired(t *testing.T) {
	for _, status := range []int{http.StatusGone, http.StatusBadRequest} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			g, fake, _ := setup(t)
			ctx := context.Background()
			d, err := g.Delta(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			fake.ExpireDeltaTokens(status)
			_, err = g.Delta(ctx, d.Link)
			if !errors.Is(err, directory.ErrDeltaExpired) {
				t.Fatalf("error %v, want ErrDeltaExpired", err)
			}
			if d2, err := g.Delta(ctx, ""); err != nil || !d2.Full || len(d2.Changes) != 9 {
				t.Fatalf("full round again: %+v %v", d2, err)
			}
		})
	}
}

// A stored link to another host is refused before anything is sent.
func TestDeltaForeignLink(t *testing.T) {
	g, fake, _ := setup(t)
	if _, err := g.Delta(context.Background(), "https://evil.example/v1.0/users/delta?$deltatoken=x"); err == nil {
		t.Fatal("a foreign link was followed")
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// A guest account is not one of the organisation's people: a delta round reports it as removed, so it never joins.
func TestDeltaGuestsAreNotPeople(t *testing.T) {
	g, fake, _ := setup(t)
	fake.Put(fakegraph.User{User: domain.User{ID: unknown, DisplayName: "Vieras", Mail: "vieras@example.org",
		AccountEnabled: true}, UserType: "Guest"})
	d, err := g.Delta(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if c := byID(d)[unknown]; !c.Removed {
		t.Fatalf("guest %+v", c)
	}
	if c := byID(d)[elina]; c.Removed {
		t.Fatalf("a member was taken for a guest: %+v", c)
	}
}
