package directory

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Demo people (docs/demo-people.md).
const (
	elina  = "7c1e4a52-0000-4000-8000-000000000001"
	sami   = "7c1e4a52-0000-4000-8000-000000000002"
	helena = "7c1e4a52-0000-4000-8000-000000000003"
	mikael = "7c1e4a52-0000-4000-8000-000000000004"
	dina   = "7c1e4a52-0000-4000-8000-000000000005"
	oskar  = "7c1e4a52-0000-4000-8000-000000000006"
	tiina  = "7c1e4a52-0000-4000-8000-000000000007"
	pekka  = "7c1e4a52-0000-4000-8000-000000000008"
	leo    = "7c1e4a52-0000-4000-8000-000000000009"
)

func mustDemo(t *testing.T) *File {
	t.Helper()
	f, err := LoadDemo()
	if err != nil {
		t.Fatalf("LoadDemo: %v", err)
	}
	return f
}

func TestDemoHasAllPeople(t *testing.T) {
	f := mustDemo(t)
	want := map[string]struct{ name, mail, dept, title, manager string }{
		elina:  {"Elina Lindholm", "elina.lindholm@porvoo.example", "Talous- ja henkilöstöpalvelut", "Palkkasihteeri", sami},
		sami:   {"Sami Virtanen", "sami.virtanen@porvoo.example", "Talous- ja henkilöstöpalvelut", "Palkkahallinnon esihenkilö", helena},
		helena: {"Helena Åberg", "helena.aberg@porvoo.example", "Talous- ja henkilöstöpalvelut", "Talous- ja henkilöstöjohtaja", ""},
		mikael: {"Mikael Nordström", "mikael.nordstrom@porvoo.example", "Tietohallinto", "Tietohallintopäällikkö", helena},
		dina:   {"Dina Korhonen", "dina.korhonen@porvoo.example", "Tietohallinto", "Digituki-asiantuntija", mikael},
		oskar:  {"Oskar Berg", "oskar.berg@porvoo.example", "Sivistyspalvelut", "Koulusihteeri", ""},
		tiina:  {"Tiina Mäkelä", "tiina.makela@porvoo.example", "Sivistyspalvelut", "Taloussihteeri", pekka},
		pekka:  {"Pekka Lahti", "pekka.lahti@porvoo.example", "Sivistyspalvelut", "Hallintopäällikkö", leo},
		leo:    {"Leo Sundqvist", "leo.sundqvist@porvoo.example", "Sivistyspalvelut", "Sivistysjohtaja", ""},
	}
	entries := f.Entries()
	if len(entries) != len(want) {
		t.Fatalf("demo has %d people, want %d", len(entries), len(want))
	}
	for _, e := range entries {
		w, ok := want[e.User.ID]
		if !ok {
			t.Errorf("unexpected person %s", e.User.ID)
			continue
		}
		u := e.User
		if u.DisplayName != w.name || u.Mail != w.mail || u.Department != w.dept || u.JobTitle != w.title || e.ManagerID != w.manager {
			t.Errorf("%s = %+v manager %q, want %+v", e.User.ID, u, e.ManagerID, w)
		}
		if u.CompanyName != "Porvoon kaupunki" {
			t.Errorf("%s (%s): company %q, want Porvoon kaupunki", u.ID, u.DisplayName, u.CompanyName)
		}
		if u.ID != pekka && (!u.AccountEnabled || u.LeaveDate != nil) {
			t.Errorf("%s (%s): enabled=%v leave=%v, want enabled and no leave date", u.ID, u.DisplayName, u.AccountEnabled, u.LeaveDate)
		}
	}
}

func TestDemoAnswers(t *testing.T) {
	ctx := context.Background()
	f := mustDemo(t)

	u, err := f.User(ctx, elina)
	if err != nil || u.DisplayName != "Elina Lindholm" {
		t.Fatalf("User(elina) = %+v, %v", u, err)
	}
	// Object ids are case-insensitive.
	if u, err := f.User(ctx, strings.ToUpper(elina)); err != nil || u.ID != elina {
		t.Fatalf("User(upper-case elina) = %+v, %v", u, err)
	}

	m, err := f.Manager(ctx, elina)
	if err != nil || m.ID != sami {
		t.Fatalf("Manager(elina) = %+v, %v; want Sami", m, err)
	}

	reports, err := f.DirectReports(ctx, helena)
	if err != nil {
		t.Fatalf("DirectReports(helena): %v", err)
	}
	if got := ids(reports); strings.Join(got, ",") != sami+","+mikael {
		t.Errorf("DirectReports(helena) = %v, want Sami and Mikael", got)
	}
	if reports, err := f.DirectReports(ctx, elina); err != nil || reports == nil || len(reports) != 0 {
		t.Errorf("DirectReports(elina) = %#v, %v; want empty, non-nil", reports, err)
	}

	for _, id := range []string{helena, oskar, leo} {
		if _, err := f.Manager(ctx, id); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("Manager(%s) error = %v, want not found", id, err)
		}
	}

	// Tiina's manager Pekka is disabled and leaving: the directory reports it, the caller decides what to do.
	p, err := f.Manager(ctx, tiina)
	if err != nil {
		t.Fatalf("Manager(tiina): %v", err)
	}
	wantLeave := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	if p.ID != pekka || p.AccountEnabled || p.LeaveDate == nil || !p.LeaveDate.Equal(wantLeave) {
		t.Errorf("Manager(tiina) = %+v (leave %v), want Pekka, disabled, leaving %v", p, p.LeaveDate, wantLeave)
	}
}

func TestFileErrors(t *testing.T) {
	ctx := context.Background()
	f := mustDemo(t)
	unknown := "7c1e4a52-0000-4000-8000-0000000000ff"
	for name, call := range map[string]func() error{
		"User":          func() error { _, err := f.User(ctx, unknown); return err },
		"Manager":       func() error { _, err := f.Manager(ctx, unknown); return err },
		"DirectReports": func() error { _, err := f.DirectReports(ctx, unknown); return err },
	} {
		if err := call(); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("%s(unknown) error = %v, want not found", name, err)
		}
	}
	if _, err := f.User(ctx, "elina"); !domain.IsCode(err, domain.EInvalid) {
		t.Errorf("User(not a GUID) error = %v, want invalid", err)
	}
}

func TestFileReturnsCopies(t *testing.T) {
	ctx := context.Background()
	f := mustDemo(t)
	p, _ := f.User(ctx, pekka)
	*p.LeaveDate = time.Time{}
	again, _ := f.User(ctx, pekka)
	if again.LeaveDate.IsZero() {
		t.Fatal("changing a returned user changed the directory")
	}
}

func TestLoadFileYAMLAndJSON(t *testing.T) {
	dir := t.TempDir()
	yml := filepath.Join(dir, "people.yaml")
	writeFile(t, yml, `
- id: 00000000-0000-4000-8000-00000000000A
  display_name: Boss
  mail: boss@example.org
  leave_date: "2030-01-15T12:00:00+02:00"
- id: 00000000-0000-4000-8000-00000000000b
  display_name: Worker
  mail: worker@example.org
  manager: 00000000-0000-4000-8000-00000000000a
`)
	f, err := LoadFile(yml)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	m, err := f.Manager(context.Background(), "00000000-0000-4000-8000-00000000000b")
	if err != nil || m.DisplayName != "Boss" || m.ID != "00000000-0000-4000-8000-00000000000a" {
		t.Fatalf("Manager = %+v, %v", m, err)
	}
	if !m.AccountEnabled {
		t.Error("account_enabled omitted should mean enabled")
	}
	if want := time.Date(2030, 1, 15, 10, 0, 0, 0, time.UTC); m.LeaveDate == nil || !m.LeaveDate.Equal(want) {
		t.Errorf("LeaveDate = %v, want %v", m.LeaveDate, want)
	}

	js := filepath.Join(dir, "people.json")
	writeFile(t, js, `[
	{"id": "00000000-0000-4000-8000-00000000000a", "display_name": "Boss", "mail": "boss@example.org", "account_enabled": false, "leave_date": "2030-01-15"},
	{"id": "00000000-0000-4000-8000-00000000000b", "display_name": "Worker", "mail": "worker@example.org", "manager": "00000000-0000-4000-8000-00000000000a"}
]`)
	f, err = LoadFile(js)
	if err != nil {
		t.Fatalf("LoadFile(json): %v", err)
	}
	reports, err := f.DirectReports(context.Background(), "00000000-0000-4000-8000-00000000000a")
	if err != nil || len(reports) != 1 || reports[0].DisplayName != "Worker" {
		t.Fatalf("DirectReports = %+v, %v", reports, err)
	}
	boss, _ := f.User(context.Background(), "00000000-0000-4000-8000-00000000000a")
	if boss.AccountEnabled {
		t.Error("account_enabled: false was ignored")
	}
}

func TestLoadFileBad(t *testing.T) {
	const (
		a = "00000000-0000-4000-8000-00000000000a"
		b = "00000000-0000-4000-8000-00000000000b"
		c = "00000000-0000-4000-8000-00000000000c"
	)
	person := func(id, manager string) string {
		s := "- id: " + id + "\n  display_name: Someone\n  mail: someone@example.org\n"
		if manager != "" {
			s += "  manager: " + manager + "\n"
		}
		return s
	}
	tests := []struct {
		name    string
		content string
		want    []string // substrings of the error, besides the file name
	}{
		{"duplicate id", person(a, "") + person(b, "") + person(a, ""), []string{"entry 3 (line 7, id " + a + ")", "duplicate id (also entry 1)"}},
		{"unknown manager", person(a, "") + person(b, c), []string{"entry 2 (line 4, id " + b + ")", "manager " + c + " is not in the file"}},
		{"bad guid", person("not-a-guid", ""), []string{"entry 1 (line 1, id not-a-guid)", "not a GUID"}},
		{"bad manager guid", person(a, "boss"), []string{"entry 1", `manager "boss" is not a GUID`}},
		{"missing name", "- id: " + a + "\n  mail: x@example.org\n", []string{"entry 1 (line 1, id " + a + ")", "missing display_name"}},
		{"missing id", "- display_name: X\n  mail: x@example.org\n", []string{"entry 1 (line 1)", "missing id"}},
		{"missing mail", "- id: " + a + "\n  display_name: X\n", []string{"entry 1", "missing mail"}},
		{"bad leave date", person(a, "") + "  leave_date: 31.10.2026\n", []string{"entry 1", `leave_date "31.10.2026" is not a date`}},
		{"own manager", person(a, a), []string{"entry 1", "is their own manager"}},
		{"cycle", person(a, c) + person(b, a) + person(c, b), []string{"entry 1", "entry 2", "entry 3", "manager chain loops"}},
		{"unknown field", person(a, "") + "  manger: " + b + "\n", []string{`unknown field "manger"`, "line 4"}},
		{"empty", "", []string{"no people"}},
		{"not a list", "id: " + a + "\n", []string{"cannot unmarshal"}},
		{"entry not a mapping", "- " + a + "\n", []string{"line 1", "must be a mapping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "org.yaml")
			writeFile(t, path, tt.content)
			_, err := LoadFile(path)
			if !domain.IsCode(err, domain.EInvalid) {
				t.Fatalf("LoadFile error = %v, want invalid", err)
			}
			msg := err.Error()
			for _, w := range append([]string{path}, tt.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestLoadFileJSONErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "org.json")
	writeFile(t, path, `[{"id": "00000000-0000-4000-8000-00000000000a", "display_name": "A", "mail": "a@example.org", "manager": "00000000-0000-4000-8000-00000000000b"}]`)
	_, err := LoadFile(path)
	if !domain.IsCode(err, domain.EInvalid) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "entry 1 (id 00000000-0000-4000-8000-00000000000a)") {
		t.Fatalf("LoadFile error = %v", err)
	}
	writeFile(t, path, `[{"id": "00000000-0000-4000-8000-00000000000a", "name": "A"}]`)
	if _, err := LoadFile(path); !domain.IsCode(err, domain.EInvalid) || !strings.Contains(err.Error(), `unknown field "name"`) {
		t.Fatalf("LoadFile(unknown field) error = %v", err)
	}
}

func TestLoadFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := LoadFile(path)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("LoadFile(missing) error = %v, want one naming the file", err)
	}
}

func TestCanonicalID(t *testing.T) {
	for in, want := range map[string]string{
		"7C1E4A52-0000-4000-8000-00000000000A": "7c1e4a52-0000-4000-8000-00000000000a",
		"7c1e4a52-0000-4000-8000-000000000001": "7c1e4a52-0000-4000-8000-000000000001",
	} {
		if got, ok := CanonicalID(in); !ok || got != want {
			t.Errorf("CanonicalID(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "7c1e4a52000040008000000000000001", "{7c1e4a52-0000-4000-8000-000000000001}",
		"7c1e4a52-0000-4000-8000-00000000000g", "7c1e4a52-0000-4000-8000_000000000001", "../../users/7c1e4a52-0000-4000"} {
		if got, ok := CanonicalID(in); ok {
			t.Errorf("CanonicalID(%q) = %q, true; want false", in, got)
		}
	}
}

func ids(us []domain.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
