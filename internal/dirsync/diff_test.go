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
			pl := diff(old, directory.Delta{Changes: tc.changes, Full: tc.full}, tc.baseline, now)
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
