package graphdir

import (
	"context"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakegraph"
)

// People are found by mail or user principal name in any case and by display name, through the real SDK; a quote
// in a value is escaped, so it cannot change the filter.
func TestFinder(t *testing.T) {
	ctx := context.Background()
	g, fake, _ := setup(t)
	fake.Put(fakegraph.User{User: domain.User{ID: "7c1e4a52-0000-4000-8000-0000000000a1", DisplayName: "Seán O'Brien",
		Mail: "", AccountEnabled: true}, UserPrincipalName: "sean.obrien@porvoo.example"})
	for mail, want := range map[string]string{
		"elina.lindholm@porvoo.example":   elina,
		" ELINA.Lindholm@porvoo.example ": elina,
		"sean.obrien@porvoo.example":      "7c1e4a52-0000-4000-8000-0000000000a1", // the UPN: no mail
	} {
		u, err := g.UserByMail(ctx, mail)
		if err != nil || u.ID != want {
			t.Errorf("UserByMail(%q) = %q, %v; want %s", mail, u.ID, err, want)
		}
	}
	if _, err := g.UserByMail(ctx, "sean.obrien@porvoo.example"); err != nil {
		t.Fatal(err)
	}
	last := fake.Requests()[len(fake.Requests())-1]
	if f := last.Query.Get("$filter"); f != "mail eq 'sean.obrien@porvoo.example' or userPrincipalName eq 'sean.obrien@porvoo.example'" {
		t.Errorf("$filter = %q", f)
	}
	if last.Query.Get("$select") == "" || last.Query.Get("$top") != "2" {
		t.Errorf("query = %v", last.Query)
	}
	for _, mail := range []string{"nobody@porvoo.example", "x' or displayName eq 'Elina Lindholm", "", "a\nb@c"} {
		if u, err := g.UserByMail(ctx, mail); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("UserByMail(%q) = %q, %v; want not found", mail, u.ID, err)
		}
	}

	us, err := g.UsersByName(ctx, "  elina   lindholm ")
	if err != nil || len(us) != 1 || us[0].ID != elina {
		t.Errorf("UsersByName = %v, %v", us, err)
	}
	us, err = g.UsersByName(ctx, "Seán O'Brien")
	if err != nil || len(us) != 1 {
		t.Errorf("UsersByName(O'Brien) = %v, %v", us, err)
	}
	if f := fake.Requests()[len(fake.Requests())-1].Query.Get("$filter"); f != "displayName eq 'Seán O''Brien'" {
		t.Errorf("$filter = %q", f)
	}
	fake.Put(fakegraph.User{User: domain.User{ID: "7c1e4a52-0000-4000-8000-0000000000a2", DisplayName: "Elina Lindholm",
		Mail: "elina.lindholm2@porvoo.example"}})
	if us, err := g.UsersByName(ctx, "Elina Lindholm"); err != nil || len(us) != 2 {
		t.Errorf("two of one name = %v, %v", us, err)
	}
	if us, err := g.UsersByName(ctx, "Nobody Here"); err != nil || len(us) != 0 {
		t.Errorf("nobody = %v, %v", us, err)
	}
	fake.FailNext(1, 403) // not retried by the SDK
	if _, err := g.UserByMail(ctx, "elina.lindholm@porvoo.example"); err == nil {
		t.Error("a Graph failure must not look like a person")
	}
}

// Two accounts with one address are no answer.
func TestUserByMailTwoAccounts(t *testing.T) {
	g, fake, _ := setup(t)
	fake.Put(fakegraph.User{User: domain.User{ID: "7c1e4a52-0000-4000-8000-0000000000a3", DisplayName: "Toinen",
		Mail: "other@porvoo.example"}, UserPrincipalName: "elina.lindholm@porvoo.example"})
	if _, err := g.UserByMail(context.Background(), "elina.lindholm@porvoo.example"); !domain.IsCode(err, domain.EConflict) {
		t.Errorf("two accounts: %v", err)
	}
}
