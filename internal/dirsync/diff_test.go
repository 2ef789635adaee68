package dirsync

import (
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

func dp(id, dept, title, manager string, enabled bool, leave *time.Time) domain.DirectoryPerson {
	return domain.DirectoryPerson{User: domain.User{ID: id, DisplayName: "X " + id[len(id)-2:], Mail: id[len(id)-2:] + "@x.example",
		Department: dept, JobTitle: title, AccountEnabled: enabled, LeaveDate: leave}, ManagerID: manager}
}

func at(t time.Time) *time.Time { return &t }

// co is the person with a company name.
func co(p domain.DirectoryPerson, company string) domain.DirectoryPerson {
	p.CompanyName = company
	return p
}

// The rules of classify, one change at a time.
func TestDiffRules(t *testing.T) {
	now := clock.Start
	ahead, passed := now.AddDate(0, 2, 0), now.AddDate(0, -1, 0)
	a := dp(anna, "Talous", "Kirjanpitäjä", boss, true, nil)
	tests := []struct {
		name     string
		old      []domain.DirectoryPerson
		changes  []directory.Change
		full     bool
		baseline bool
		want     string
		cancel   int
	}{
		{name: "deleted", old: []domain.DirectoryPerson{a}, changes: []directory.Change{{Person: domain.DirectoryPerson{User: domain.User{ID: anna}}, Removed: true}},
			want: "leaver:a1"},
		{name: "deleted after leaving", old: []domain.DirectoryPerson{dp(anna, "T", "K", "", false, nil)},
			changes: []directory.Change{{Person: domain.DirectoryPerson{User: domain.User{ID: anna}}, Removed: true}}},
		{name: "deleted before the leave date", old: []domain.DirectoryPerson{dp(anna, "T", "K", "", true, at(ahead))},
			changes: []directory.Change{{Person: domain.DirectoryPerson{User: domain.User{ID: anna}}, Removed: true}}, want: "leaver:a1", cancel: 1},
		{name: "missing from a full round", old: []domain.DirectoryPerson{a, dp(boss, "T", "P", "", true, nil)},
			changes: []directory.Change{{Person: a, Fields: directory.AllFields}}, full: true, want: "leaver:a2"},
		{name: "enabled again", old: []domain.DirectoryPerson{dp(anna, "Talous", "Kirjanpitäjä", boss, false, nil)},
			changes: []directory.Change{{Person: a, Fields: directory.FieldAccountEnabled}}, want: "joiner:a1"},
		{name: "only the manager", old: []domain.DirectoryPerson{a},
			changes: []directory.Change{{Person: dp(anna, "", "", carl, false, nil), Fields: directory.FieldManager}}, want: "mover:a1"},
		{name: "a partial change keeps the rest", old: []domain.DirectoryPerson{a},
			changes: []directory.Change{{Person: dp(anna, "", "Kirjanpitäjä", "", false, nil), Fields: directory.FieldJobTitle}}},
		{name: "a disabled account moved", old: []domain.DirectoryPerson{dp(anna, "Talous", "K", "", false, nil)},
			changes: []directory.Change{{Person: dp(anna, "Tekninen", "", "", false, nil), Fields: directory.FieldDepartment}}},
		{name: "baseline", baseline: true, full: true, changes: []directory.Change{
			{Person: a, Fields: directory.AllFields},
			{Person: dp(boss, "T", "P", "", false, at(passed)), Fields: directory.AllFields},
			{Person: dp(carl, "T", "P", "", true, at(ahead)), Fields: directory.AllFields}}, want: "leaver:a3"},
		{name: "new with a leave date", changes: []directory.Change{{Person: dp(carl, "T", "P", "", true, at(ahead)), Fields: directory.AllFields}},
			want: "leaver:a3 joiner:a3"},
		{name: "new but disabled", changes: []directory.Change{{Person: dp(carl, "T", "P", "", false, nil), Fields: directory.AllFields}}},
		{name: "the company changed", old: []domain.DirectoryPerson{co(a, "Porvoon kaupunki")},
			changes: []directory.Change{{Person: co(dp(anna, "", "", "", false, nil), "Porvoon Energia Oy"), Fields: directory.FieldCompanyName}},
			want:    "mover:a1"},
		{name: "a change without the company keeps it", old: []domain.DirectoryPerson{co(a, "Porvoon kaupunki"), co(dp(boss, "T", "P", "", true, nil), "Porvoon kaupunki")},
			changes: []directory.Change{{Person: dp(anna, "", "", "", false, nil), Fields: directory.FieldDepartment | directory.FieldJobTitle | directory.FieldManager},
				{Person: co(dp(boss, "T", "P", "", true, nil), "Porvoon kaupunki"), Fields: directory.AllFields}},
			want: "mover:a1"},
		{name: "company names read the first time", old: []domain.DirectoryPerson{a, dp(boss, "T", "P", "", true, nil)},
			changes: []directory.Change{{Person: co(a, "Porvoon kaupunki"), Fields: directory.AllFields},
				{Person: co(dp(boss, "T", "P", "", true, nil), "Porvoon Energia Oy"), Fields: directory.AllFields}}, full: true},
		{name: "twice in a round, the later wins", old: []domain.DirectoryPerson{a}, changes: []directory.Change{
			{Person: dp(anna, "Tekninen", "", "", false, nil), Fields: directory.FieldDepartment},
			{Person: dp(anna, "Talous", "", "", false, nil), Fields: directory.FieldDepartment}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := map[string]domain.DirectoryPerson{}
			for _, p := range tc.old {
				old[p.ID] = p
			}
			pl := diff(old, directory.Delta{Changes: tc.changes, Full: tc.full}, tc.baseline, now, nil)
			for _, p := range pl.put {
				if want := old[p.ID].CompanyName; want != "" && p.CompanyName == "" {
					t.Errorf("%s stored without the company %q", p.ID, want)
				}
			}
			if got := kinds(pl.events); got != tc.want || len(pl.cancel) != tc.cancel {
				t.Fatalf("events %q, %d cancelled; want %q, %d", got, len(pl.cancel), tc.want, tc.cancel)
			}
		})
	}
}

// Two moves of one person on one day are two events; the same move seen twice has one fingerprint.
func TestMoverFingerprint(t *testing.T) {
	x := dp(anna, "Talous", "K", boss, true, nil)
	y := dp(anna, "Tekninen", "K", boss, true, nil)
	if fingerprint(x) == fingerprint(y) || fingerprint(x) != fingerprint(dp(anna, "Talous", "K", boss, true, at(clock.Start))) {
		t.Fatal("fingerprints")
	}
	if fingerprint(co(x, "Porvoon kaupunki")) == fingerprint(co(x, "Porvoon Energia Oy")) {
		t.Fatal("the company is not in the fingerprint")
	}
}

// The rules of membership: a non-member is absent from the organisation.
func TestDiffMembership(t *testing.T) {
	now := clock.Start
	ahead := now.AddDate(0, 2, 0)
	city := func(u domain.User) bool { return u.CompanyName == "Porvoon kaupunki" }
	member := co(dp(anna, "Talous", "K", boss, true, nil), "Porvoon kaupunki")
	outsider := co(dp(anna, "Verkko", "A", "", true, nil), "Porvoon Energia Oy")
	removed := directory.Change{Person: domain.DirectoryPerson{User: domain.User{ID: anna}}, Removed: true}
	company := func(c string) directory.Change {
		return directory.Change{Person: co(domain.DirectoryPerson{User: domain.User{ID: anna}}, c), Fields: directory.FieldCompanyName}
	}
	tests := []struct {
		name     string
		old      []domain.DirectoryPerson
		change   directory.Change
		baseline bool
		want     string
		cancel   int
		stored   int // people put or removed
	}{
		{name: "a non-member joins", change: directory.Change{Person: outsider, Fields: directory.AllFields}, stored: 1},
		{name: "a non-member in the baseline", baseline: true, change: directory.Change{Person: co(dp(anna, "V", "A", "", true, at(ahead)), "Porvoon Energia Oy"), Fields: directory.AllFields}, stored: 1},
		{name: "a non-member moves", old: []domain.DirectoryPerson{outsider},
			change: directory.Change{Person: dp(anna, "Kaukolämpö", "", "", false, nil), Fields: directory.FieldDepartment}, stored: 1},
		{name: "a non-member deleted", old: []domain.DirectoryPerson{outsider}, change: removed, stored: 1},
		{name: "a member leaves the organisation", old: []domain.DirectoryPerson{member}, change: company("Porvoon Energia Oy"),
			want: "leaver:a1", stored: 1},
		{name: "a member with a leave date ahead leaves the organisation",
			old:    []domain.DirectoryPerson{co(dp(anna, "Talous", "K", "", true, at(ahead)), "Porvoon kaupunki")},
			change: company("Porvoon Energia Oy"), want: "leaver:a1", cancel: 1, stored: 1},
		{name: "a disabled member leaves the organisation", old: []domain.DirectoryPerson{co(dp(anna, "T", "K", "", false, nil), "Porvoon kaupunki")},
			change: company("Porvoon Energia Oy"), stored: 1},
		{name: "a non-member joins the organisation", old: []domain.DirectoryPerson{outsider}, change: company("Porvoon kaupunki"),
			want: "joiner:a1", stored: 1},
		{name: "a member moves", old: []domain.DirectoryPerson{member},
			change: directory.Change{Person: dp(anna, "Tekninen", "", "", false, nil), Fields: directory.FieldDepartment}, want: "mover:a1", stored: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := map[string]domain.DirectoryPerson{}
			for _, p := range tc.old {
				old[p.ID] = p
			}
			pl := diff(old, directory.Delta{Changes: []directory.Change{tc.change}}, tc.baseline, now, city)
			if got := kinds(pl.events); got != tc.want || len(pl.cancel) != tc.cancel || len(pl.put)+len(pl.remove) != tc.stored {
				t.Fatalf("events %q, %d cancelled, %d stored; want %q, %d, %d", got, len(pl.cancel), len(pl.put)+len(pl.remove),
					tc.want, tc.cancel, tc.stored)
			}
		})
	}
}
