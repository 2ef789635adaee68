package directory

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// People are found by e-mail in any case and by name in any case and spacing; an address two people share is not
// anyone's.
func TestFileFinder(t *testing.T) {
	ctx := context.Background()
	f := mustDemo(t)
	for _, mail := range []string{"elina.lindholm@porvoo.example", " Elina.Lindholm@PORVOO.example "} {
		if u, err := f.UserByMail(ctx, mail); err != nil || u.ID != elina {
			t.Errorf("UserByMail(%q) = %v, %v", mail, u.ID, err)
		}
	}
	if _, err := f.UserByMail(ctx, "nobody@porvoo.example"); !domain.IsCode(err, domain.ENotFound) {
		t.Errorf("unknown mail: %v", err)
	}
	for name, want := range map[string]int{"Elina Lindholm": 1, "  elina   LINDHOLM ": 1, "Lindholm Elina": 0, "": 0, "Elina": 0} {
		us, err := f.UsersByName(ctx, name)
		if err != nil || len(us) != want || (want == 1 && us[0].ID != elina) {
			t.Errorf("UsersByName(%q) = %v, %v; want %d", name, us, err, want)
		}
	}

	path := filepath.Join(t.TempDir(), "org.yaml")
	writeFile(t, path, `
- {id: 00000000-0000-4000-8000-00000000000a, display_name: Anna Virta, mail: shared@example.org}
- {id: 00000000-0000-4000-8000-00000000000b, display_name: Anna Virta, mail: SHARED@example.org}
- {id: 00000000-0000-4000-8000-00000000000c, display_name: Aino Virta, mail: aino@example.org}
`)
	g, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.UserByMail(ctx, "shared@example.org"); !domain.IsCode(err, domain.EConflict) {
		t.Errorf("shared mail: %v, want a conflict", err)
	}
	if us, _ := g.UsersByName(ctx, "anna virta"); len(us) != 2 {
		t.Errorf("two people of one name: %v", us)
	}
}

// Cached finds through the directory it wraps, without caching; a directory that cannot find says so.
func TestCachedFinder(t *testing.T) {
	ctx := context.Background()
	c := NewCached(mustDemo(t), time.Minute, nil)
	if u, err := c.UserByMail(ctx, "SAMI.virtanen@porvoo.example"); err != nil || u.ID != sami {
		t.Errorf("UserByMail = %v, %v", u.ID, err)
	}
	if us, err := c.UsersByName(ctx, "Sami Virtanen"); err != nil || len(us) != 1 {
		t.Errorf("UsersByName = %v, %v", us, err)
	}
	plain, _, _ := newCached(t) // wraps a directory without a Finder
	if _, err := plain.UserByMail(ctx, "x@example.org"); !domain.IsCode(err, domain.EInternal) {
		t.Errorf("no finder: %v", err)
	}
	if _, err := plain.UsersByName(ctx, "X"); !domain.IsCode(err, domain.EInternal) {
		t.Errorf("no finder: %v", err)
	}
}
