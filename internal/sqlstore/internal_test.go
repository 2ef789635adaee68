package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// releasedChecksums are the checksums that databases migrated by earlier releases hold in schema_migrations: the
// migrations rendered for each dialect must still have them, or Migrate would refuse to start.
var releasedChecksums = map[string]map[string]string{
	DialectPostgres: {
		"0001_people.sql":         "6314d58fc10ff48e5e1c33281a360223b8d87aa54dc682460af3e8daa2ab281b",
		"0002_mandates.sql":       "5be8c39de541b05791c4f28c5414861e7b9efe57b76a33a288c148e593c67dc2",
		"0003_outbox_waiting.sql": "8e2b1588755bfaadff78b394bb08969643798caeed584acd51b4b0c1cb15c87e",
	},
	DialectSQLite: {
		"0001_people.sql":         "e19fa55008f6b9e8e0b4ca0e9dbcfd00686d2cf52a3cc476fbe8df51b7dd7c76",
		"0002_mandates.sql":       "47df9b46d99fa3ba8cf7f50f4ac27f65b913002246f027288845b9dec1cbf835",
		"0003_outbox_waiting.sql": "c13f30f7b257013d56aa68c1110b55a60a8d221f4373b47eef788ca6f9706ae5",
	},
}

// reservedVersions are migration numbers handed to work on other branches that has not been merged yet: until it
// is, the versions skip them. Take a number out once its migration is here. (Migrate refuses a pending migration
// older than an applied one, so no release may ship a later number before these are in.)
var reservedVersions = map[int64]bool{}

// The migrations rendered for each dialect are, byte for byte, the files that dialect ran before the two were kept
// in one source: an applied migration's checksum never changes. Versions run 1, 2, 3… without gaps on both, but
// for the reserved ones.
func TestMigrationsRenderPerDialect(t *testing.T) {
	fsys, err := EmbeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, dialect := range []string{DialectSQLite, DialectPostgres} {
		files, err := loadMigrations(fsys, dialect)
		if err != nil {
			t.Fatalf("%s: %v", dialect, err)
		}
		next := int64(1)
		for _, f := range files {
			for reservedVersions[next] && f.version != next {
				next++
			}
			if f.version != next {
				t.Errorf("%s: migration %s: versions must be 1, 2, 3… without gaps", dialect, f.file)
			}
			next = f.version + 1
			if strings.Contains(f.sql, "@postgres") || strings.Contains(f.sql, "@sqlite") {
				t.Errorf("%s: %s keeps a dialect marker", dialect, f.file)
			}
			if want, released := releasedChecksums[dialect][f.file]; released && f.checksum != want {
				t.Errorf("%s: %s renders differently from the released migration", dialect, f.file)
			}
		}
	}
}

func TestLoadMigrationsRejectsBadFiles(t *testing.T) {
	ok := &fstest.MapFile{Data: []byte("SELECT 1;")}
	for name, fsys := range map[string]fstest.MapFS{
		"bad name":       {"0001-first.sql": ok},
		"upper case":     {"0001_First.sql": ok},
		"zero version":   {"0000_zero.sql": ok},
		"duplicate":      {"0001_a.sql": ok, "01_b.sql": ok},
		"no files":       {"README.md": ok},
		"only non-sql":   {"0001_a.txt": ok},
		"huge version":   {"99999999999999999999_a.sql": ok},
		"no name":        {"0001_.sql": ok},
		"no version":     {"_a.sql": ok},
		"space in name":  {"0001_a b.sql": ok},
		"version suffix": {"0001a_a.sql": ok},
	} {
		if _, err := loadMigrations(fsys, DialectSQLite); err == nil {
			t.Errorf("%s: loadMigrations accepted %v", name, keys(fsys))
		}
	}
	files, err := loadMigrations(fstest.MapFS{"0010_c.sql": ok, "0002_b.sql": ok, "README.md": ok, "1_a.sql": ok}, DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, fmt.Sprintf("%d:%s", f.version, f.name))
	}
	if want := "[1:a 2:b 10:c]"; fmt.Sprint(got) != want {
		t.Errorf("order = %v, want %s", got, want)
	}
}

func keys(m fstest.MapFS) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestParseDSN(t *testing.T) {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, tt := range []struct {
		dsn, dialect, path string
		memory             bool
	}{
		{"sqlite:data/valtuus.db", DialectSQLite, abs("data/valtuus.db"), false},
		{"SQLite:data/valtuus.db", DialectSQLite, abs("data/valtuus.db"), false},
		{"sqlite:///var/lib/valtuus/v.db", DialectSQLite, "/var/lib/valtuus/v.db", false},
		{"sqlite:/var/lib/valtuus/v", DialectSQLite, "/var/lib/valtuus/v", false},
		{"file:v.db", DialectSQLite, abs("v.db"), false},
		{"file:///srv/v.db", DialectSQLite, "/srv/v.db", false},
		{"./v.sqlite3", DialectSQLite, abs("v.sqlite3"), false},
		{"/srv/V.DB", DialectSQLite, "/srv/V.DB", false},
		{"sqlite::memory:", DialectSQLite, "", true},
		{"file::memory:", DialectSQLite, "", true},
		{":memory:", DialectSQLite, "", true},
		{"postgres://u:p@db.example:5433/valtuus?sslmode=require", DialectPostgres, "", false},
		{"postgresql://u@db.example/valtuus", DialectPostgres, "", false},
		{"  postgres://u@db.example/valtuus  ", DialectPostgres, "", false},
	} {
		got, err := parseDSN(tt.dsn)
		if err != nil {
			t.Errorf("parseDSN(%q): %v", tt.dsn, err)
			continue
		}
		if got.dialect != tt.dialect || got.path != tt.path || got.memory != tt.memory {
			t.Errorf("parseDSN(%q) = %s %q memory=%v, want %s %q memory=%v",
				tt.dsn, got.dialect, got.path, got.memory, tt.dialect, tt.path, tt.memory)
		}
		if tt.dialect == DialectPostgres && got.pg == nil {
			t.Errorf("parseDSN(%q): no pgx config", tt.dsn)
		}
	}
	pg, err := parseDSN("postgres://u:p@db.example:5433/valtuus?search_path=s1")
	if err != nil {
		t.Fatal(err)
	}
	if pg.pg.Host != "db.example" || pg.pg.Port != 5433 || pg.pg.Database != "valtuus" ||
		pg.pg.RuntimeParams["search_path"] != "s1" {
		t.Errorf("pgx config = host %q port %d db %q params %v", pg.pg.Host, pg.pg.Port, pg.pg.Database, pg.pg.RuntimeParams)
	}
}

func TestTimeScanner(t *testing.T) {
	want := time.Date(2025, 12, 31, 23, 59, 59, 999999000, time.UTC)
	db := &conn{dialect: DialectSQLite}
	text := db.timeArg(want.In(time.FixedZone("X", -5*3600)).Add(999)) // nanoseconds below µs are dropped
	if text != "2025-12-31T23:59:59.999999Z" {
		t.Fatalf("timeArg = %v", text)
	}
	if pgArg := (&conn{dialect: DialectPostgres}).timeArg(want.Add(999)); pgArg != any(want) {
		t.Errorf("postgres timeArg = %v, want %v", pgArg, want)
	}
	for _, src := range []any{text, []byte(text.(string)), want.In(time.FixedZone("Y", 3600)), "2025-12-31T23:59:59.999999Z"} {
		var got time.Time
		if err := (timeScanner{&got}).Scan(src); err != nil {
			t.Errorf("Scan(%v): %v", src, err)
			continue
		}
		if got != want {
			t.Errorf("Scan(%v) = %v, want %v (UTC)", src, got, want)
		}
	}
	// Text order is time order for the stored layout.
	a := db.timeArg(time.Date(2025, 1, 1, 0, 0, 5, 0, time.UTC)).(string)
	b := db.timeArg(time.Date(2025, 1, 1, 0, 0, 5, 500000000, time.UTC)).(string)
	if !(a < b) {
		t.Errorf("%q sorts after %q", a, b)
	}
	for _, bad := range []any{"yesterday", 42, ""} {
		var got time.Time
		if err := (timeScanner{&got}).Scan(bad); err == nil {
			t.Errorf("Scan(%v) succeeded: %v", bad, got)
		}
	}
}

func TestClassifyAndOpError(t *testing.T) {
	for _, tt := range []struct {
		err  error
		code string
	}{
		{&pgconn.PgError{Code: "23505"}, domain.EConflict},
		{&pgconn.PgError{Code: "23503"}, domain.EInvalid},
		{&pgconn.PgError{Code: "23502"}, domain.EInvalid},
		{&pgconn.PgError{Code: "08006"}, domain.EUnavailable},
		{&pgconn.PgError{Code: "57P01"}, domain.EUnavailable},
		{&pgconn.PgError{Code: "42601"}, domain.EInternal},
		{context.DeadlineExceeded, domain.EUnavailable},
		{fmt.Errorf("query: %w", context.Canceled), domain.EUnavailable},
		{errors.New("boom"), domain.EInternal},
	} {
		err := opError("sqlstore.X", tt.err)
		if got := domain.ErrorCode(err); got != tt.code {
			t.Errorf("opError(%v) code = %s, want %s", tt.err, got, tt.code)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("opError(%v) lost the cause", tt.err)
		}
		if !strings.HasPrefix(err.Error(), "sqlstore.X: ") || !strings.Contains(err.Error(), tt.err.Error()) {
			t.Errorf("opError(%v).Error() = %q, want the op and the cause", tt.err, err)
		}
		if msg := domain.ErrorMessage(err); msg != "internal error" {
			t.Errorf("user message of a driver error = %q, want the generic one", msg)
		}
	}
	// A domain error keeps its kind and message and gains the op.
	err := opError("sqlstore.Y", domain.Errorf(domain.ENotFound, "no such thing"))
	if err.Error() != "sqlstore.Y: not_found: no such thing" || domain.ErrorMessage(err) != "no such thing" {
		t.Errorf("opError(domain error) = %q / %q", err, domain.ErrorMessage(err))
	}
	if opError("op", nil) != nil {
		t.Error("opError(nil) != nil")
	}
}

func TestMigrationString(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 8, time.UTC)
	for _, tt := range []struct {
		m    Migration
		want string
	}{
		{Migration{Version: 2, Name: "requests"}, "0002_requests pending"},
		{Migration{Version: 1, Name: "people", Applied: true, AppliedAt: at}, "0001_people applied 2025-03-04T05:06:07Z"},
		{Migration{Version: 1, Name: "people", Applied: true, AppliedAt: at, Modified: true},
			"0001_people applied 2025-03-04T05:06:07Z (file changed since: Migrate will refuse to run)"},
		{Migration{Version: 12345, Name: "future", Applied: true, AppliedAt: at, Unknown: true},
			"12345_future applied 2025-03-04T05:06:07Z (not in this release: applied by a newer one)"},
	} {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
