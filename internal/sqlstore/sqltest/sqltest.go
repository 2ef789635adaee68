// Package sqltest gives tests a fresh, migrated sqlstore.DB: always on SQLite (a temporary file), and on PostgreSQL
// when a server is configured.
//
// Environment:
//
//	VALTUUS_TEST_POSTGRES_DSN  postgres://… of a server where tests may create schemas, e.g.
//	                           postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//	VALTUUS_REQUIRE_SERVICES   "1" (CI): a missing DSN or unreachable server fails the test instead of skipping it
//
// Each PostgreSQL database handed out lives in its own schema (vt_test_<random>), selected through the DSN's
// search_path and dropped with CASCADE when the test ends, so parallel test runs never see each other's data.
package sqltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// Environment variables read by this package.
const (
	EnvPostgresDSN     = "VALTUUS_TEST_POSTGRES_DSN"
	EnvRequireServices = "VALTUUS_REQUIRE_SERVICES"
)

const setupTimeout = 30 * time.Second

// Open returns a migrated SQLite database in a temporary file, closed when the test ends.
func Open(tb testing.TB, opts ...sqlstore.Option) *sqlstore.DB {
	tb.Helper()
	return OpenDSN(tb, SQLiteDSN(tb), opts...)
}

// OpenPostgres returns a migrated PostgreSQL database in a fresh schema, closed and dropped when the test ends.
// Without a reachable server it skips the test, or fails it when VALTUUS_REQUIRE_SERVICES=1.
func OpenPostgres(tb testing.TB, opts ...sqlstore.Option) *sqlstore.DB {
	tb.Helper()
	return OpenDSN(tb, PostgresDSN(tb), opts...)
}

// OpenDSN opens and migrates the database at dsn and closes it when the test ends.
func OpenDSN(tb testing.TB, dsn string, opts ...sqlstore.Option) *sqlstore.DB {
	tb.Helper()
	db := OpenUnmigrated(tb, dsn, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("sqltest: migrate %s database: %v", db.Dialect(), err)
	}
	return db
}

// OpenUnmigrated opens the database at dsn without migrating it and closes it when the test ends. Its clock is a
// fake one standing at clock.Start unless opts name another: no store test may depend on today's date.
func OpenUnmigrated(tb testing.TB, dsn string, opts ...sqlstore.Option) *sqlstore.DB {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	opts = append([]sqlstore.Option{sqlstore.WithNow(clock.NewManual(time.Time{}).Now)}, opts...)
	db, err := sqlstore.Open(ctx, dsn, opts...)
	if err != nil {
		tb.Fatalf("sqltest: open: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("sqltest: close %s database: %v", db.Dialect(), err)
		}
	})
	return db
}

// SQLiteDSN returns the DSN of a new SQLite file in the test's temporary directory (not created yet).
func SQLiteDSN(tb testing.TB) string {
	tb.Helper()
	return "sqlite:" + filepath.Join(tb.TempDir(), "valtuus.db")
}

// PostgresDSN creates a fresh schema on the configured PostgreSQL server and returns a DSN whose search_path selects
// it; the schema is dropped when the test ends. Without a reachable server it skips the test, or fails it when
// VALTUUS_REQUIRE_SERVICES=1.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvPostgresDSN)
	if base == "" {
		unavailable(tb, "%s is not set", EnvPostgresDSN)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// Not skippable: the variable is set but wrong. Do not print it, it may hold a password.
		tb.Fatalf("sqltest: %s must be a postgres:// URL", EnvPostgresDSN)
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		unavailable(tb, "PostgreSQL at %s is unreachable: %v", u.Host, err)
	}
	defer conn.Close(context.Background())

	schema := "vt_test_" + randomHex(tb, 8)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("sqltest: create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() { dropSchema(tb, base, schema) })

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func dropSchema(tb testing.TB, dsn, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Errorf("sqltest: drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
		tb.Errorf("sqltest: drop schema %s: %v", schema, err)
	}
}

// Each runs body once per available dialect, as subtests "sqlite" and "postgres", each with a fresh migrated
// database. The PostgreSQL subtest skips (or fails, see VALTUUS_REQUIRE_SERVICES) without a server.
func Each(t *testing.T, body func(t *testing.T, db *sqlstore.DB), opts ...sqlstore.Option) {
	t.Helper()
	EachDSN(t, func(t *testing.T, dsn string) {
		body(t, OpenDSN(t, dsn, opts...))
	})
}

// EachDSN runs body once per available dialect with the DSN of a fresh, empty database, for tests that open the
// database themselves (e.g. twice, as two processes would).
func EachDSN(t *testing.T, body func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run(sqlstore.DialectSQLite, func(t *testing.T) { body(t, SQLiteDSN(t)) })
	t.Run(sqlstore.DialectPostgres, func(t *testing.T) { body(t, PostgresDSN(t)) })
}

// RequireServices reports whether VALTUUS_REQUIRE_SERVICES asks for every external service to be present.
func RequireServices() bool {
	ok, _ := strconv.ParseBool(os.Getenv(EnvRequireServices))
	return ok
}

func unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if RequireServices() {
		tb.Fatalf("sqltest: PostgreSQL required ("+EnvRequireServices+"=1) but "+format, args...)
	}
	tb.Skipf("sqltest: skipping PostgreSQL: "+format+"; set "+EnvPostgresDSN+
		"=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run it", args...)
}

func randomHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("sqltest: random: %v", err)
	}
	return hex.EncodeToString(b)
}
