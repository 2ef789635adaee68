package directory

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// People of a municipal enterprise in the demo's tenant, and a city person whose manager works there.
const (
	eero     = "7c1e4a52-0000-4000-8000-0000000000e1" // Porvoon Energia Oy, reports to Helena (city)
	enni     = "7c1e4a52-0000-4000-8000-0000000000e2" // Porvoon Energia Oy, "Anna Virta", reports to Eero
	cityAnna = "7c1e4a52-0000-4000-8000-0000000000e3" // Porvoon kaupunki, "Anna Virta", reports to Eero
)

// sharedTenant is the demo city with a municipal enterprise in the same directory.
func sharedTenant(t *testing.T) *File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tenant.yaml")
	writeFile(t, path, string(demoYAML)+`
- {id: `+eero+`, display_name: Eero Energia, mail: eero@porvoonenergia.example, company_name: Porvoon Energia Oy, manager: `+helena+`}
- {id: `+enni+`, display_name: Anna Virta, mail: anna.virta@porvoonenergia.example, company_name: Porvoon Energia Oy, manager: `+eero+`}
- {id: `+cityAnna+`, display_name: Anna Virta, mail: anna.virta@porvoo.example, company_name: Porvoon kaupunki, manager: `+eero+`}
`)
	f, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func cityMember(u domain.User) bool { return u.CompanyName == "Porvoon kaupunki" }

// sortedIDs are the people's ids in order.
func sortedIDs(us []domain.User) []string {
	out := ids(us)
	slices.Sort(out)
	return out
}

// The city's view of a tenant it shares: anyone by id and any manager, but only the city's people among direct
// reports and found by mail or name.
func TestOnly(t *testing.T) {
	ctx := context.Background()
	d := Only(sharedTenant(t), cityMember)

	if u, err := d.User(ctx, eero); err != nil || u.DisplayName != "Eero Energia" {
		t.Errorf("User(a non-member) = %+v, %v", u, err)
	}
	if m, err := d.Manager(ctx, cityAnna); err != nil || m.ID != eero {
		t.Errorf("Manager(a member with a manager outside) = %+v, %v", m, err)
	}
	if _, err := d.Manager(ctx, helena); !domain.IsCode(err, domain.ENotFound) {
		t.Errorf("Manager(nobody's report) = %v", err)
	}
	rs, err := d.DirectReports(ctx, helena)
	if got, want := sortedIDs(rs), []string{sami, mikael}; err != nil || !slices.Equal(got, want) {
		t.Errorf("DirectReports(helena) = %v, %v; want %v", got, err, want)
	}
	rs, err = d.DirectReports(ctx, eero) // a non-member's reports: the members among them
	if got := sortedIDs(rs); err != nil || !slices.Equal(got, []string{cityAnna}) {
		t.Errorf("DirectReports(eero) = %v, %v", got, err)
	}
	if rs, err := d.DirectReports(ctx, elina); err != nil || rs == nil || len(rs) != 0 {
		t.Errorf("DirectReports(no reports) = %#v, %v", rs, err)
	}
	if _, err := d.DirectReports(ctx, "7c1e4a52-0000-4000-8000-0000000000ff"); !domain.IsCode(err, domain.ENotFound) {
		t.Errorf("DirectReports(unknown) = %v", err)
	}

	f, ok := d.(Finder)
	if !ok {
		t.Fatal("the view of a Finder is no Finder")
	}
	if u, err := f.UserByMail(ctx, "ELINA.lindholm@porvoo.example"); err != nil || u.ID != elina {
		t.Errorf("UserByMail(a member) = %v, %v", u.ID, err)
	}
	_, err = f.UserByMail(ctx, "eero@porvoonenergia.example")
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.ENotFound || de.Op != "directory.Only.UserByMail" ||
		de.Message != UserNotFound("").(*domain.Error).Message {
		t.Errorf("UserByMail(a non-member) = %v", err)
	}
	if _, err := f.UserByMail(ctx, "nobody@porvoo.example"); !domain.IsCode(err, domain.ENotFound) {
		t.Errorf("UserByMail(nobody's) = %v", err)
	}
	if us, err := f.UsersByName(ctx, "anna virta"); err != nil || !slices.Equal(sortedIDs(us), []string{cityAnna}) {
		t.Errorf("UsersByName(two people, one a member) = %v, %v", sortedIDs(us), err)
	}
	if us, err := f.UsersByName(ctx, "Eero Energia"); err != nil || us == nil || len(us) != 0 {
		t.Errorf("UsersByName(a non-member) = %#v, %v", us, err)
	}

	// The enterprise's view of the same directory is the other way round.
	e := Only(sharedTenant(t), func(u domain.User) bool { return u.CompanyName == "Porvoon Energia Oy" })
	if rs, err := e.DirectReports(ctx, helena); err != nil || !slices.Equal(sortedIDs(rs), []string{eero}) {
		t.Errorf("the enterprise's DirectReports(helena) = %v, %v", sortedIDs(rs), err)
	}
	if us, err := e.(Finder).UsersByName(ctx, "Anna Virta"); err != nil || !slices.Equal(sortedIDs(us), []string{enni}) {
		t.Errorf("the enterprise's UsersByName = %v, %v", sortedIDs(us), err)
	}
}

// reportsOnly is a Directory that cannot find people by mail or name.
type reportsOnly struct{ d Directory }

func (r reportsOnly) User(ctx context.Context, id string) (domain.User, error) {
	return r.d.User(ctx, id)
}
func (r reportsOnly) Manager(ctx context.Context, id string) (domain.User, error) {
	return r.d.Manager(ctx, id)
}
func (r reportsOnly) DirectReports(ctx context.Context, id string) ([]domain.User, error) {
	return r.d.DirectReports(ctx, id)
}

// The view is a Finder exactly when the directory is one; no rule is no view.
func TestOnlyTypes(t *testing.T) {
	ctx := context.Background()
	f := sharedTenant(t)
	if _, ok := Only(reportsOnly{f}, cityMember).(Finder); ok {
		t.Error("the view of a directory that cannot find is a Finder")
	}
	if rs, err := Only(reportsOnly{f}, cityMember).DirectReports(ctx, eero); err != nil || !slices.Equal(sortedIDs(rs), []string{cityAnna}) {
		t.Errorf("DirectReports without a Finder = %v, %v", sortedIDs(rs), err)
	}
	if _, ok := Only(NewCached(f, time.Minute, nil), cityMember).(Finder); !ok {
		t.Error("the view of Cached is no Finder")
	}
	if _, ok := Only(f, cityMember).(DeltaSource); ok {
		t.Error("the view is a DeltaSource")
	}
	if d := Only(f, nil); d != Directory(f) {
		t.Errorf("Only(d, nil) = %T, want d itself", d)
	}
}
