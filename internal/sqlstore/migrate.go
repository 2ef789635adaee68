package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// embeddedMigrations holds the migrations, one file per version for both dialects: lines that differ between the
// dialects start with "@postgres " or "@sqlite   " (the marker is cut off when the file is rendered for its
// dialect); every other line is the same on both, with {{id}}, {{timestamp}}, {{bigint}} and {{strict}} standing for
// the words that differ. Rendering gives the SQL each dialect runs and checksums.
//
// A migration file is named NNNN_name.sql and holds one or more statements. It runs in a transaction together
// with its record in schema_migrations, so it is applied entirely or not at all. Never edit a file once released:
// Migrate refuses to run when an applied migration's checksum has changed. (On SQLite, PRAGMA foreign_keys cannot
// change inside a transaction; a migration that must rebuild a referenced table needs care.)
//
//go:embed migrations/*.sql
var embeddedMigrations embed.FS

// Migration describes one schema migration and whether the database has it.
type Migration struct {
	Version   int64
	Name      string    // from the file name: 0001_people.sql has Version 1 and Name "people"
	Applied   bool      // recorded in schema_migrations
	AppliedAt time.Time // UTC; zero when not applied
	// Modified marks an applied migration whose embedded file differs from the one applied; Migrate fails then.
	Modified bool
	// Unknown marks an applied migration this binary does not embed, i.e. a newer release applied it.
	Unknown bool
}

// String describes m on one line, e.g. "0001_people applied 2025-03-04T05:06:07Z" or "0002_requests pending",
// for the migrate command and logs.
func (m Migration) String() string {
	s := fmt.Sprintf("%04d_%s ", m.Version, m.Name)
	if !m.Applied {
		return s + "pending"
	}
	s += "applied " + m.AppliedAt.UTC().Format(time.RFC3339)
	if m.Modified {
		s += " (file changed since: Migrate will refuse to run)"
	}
	if m.Unknown {
		s += " (not in this release: applied by a newer one)"
	}
	return s
}

// migrationFile is one parsed migration file.
type migrationFile struct {
	version  int64
	name     string
	file     string
	sql      string
	checksum string
}

// appliedMigration is one row of schema_migrations.
type appliedMigration struct {
	version   int64
	name      string
	checksum  string
	appliedAt time.Time
}

// Migrate applies the embedded migrations the database does not have yet, in version order, each in its own
// transaction. It is safe to call from several processes at once: on PostgreSQL they queue on a transaction-scoped
// advisory lock (one per schema), on SQLite on the database's single write lock. Running it again is a no-op.
//
// Migrations recorded by a newer release (unknown to this binary) are tolerated, so an older release can still
// start after a newer one migrated. A pending migration older than an applied one, or an applied migration whose
// file has changed, is an error.
func (db *DB) Migrate(ctx context.Context) error {
	const op = "sqlstore.Migrate"
	fsys, err := db.migrationFS()
	if err != nil {
		return opError(op, err)
	}
	return db.migrateFS(ctx, fsys)
}

// CheckSchema reports whether the database has every migration this binary embeds, unchanged, without writing
// anything (a role that may not create tables can run it): an EUnavailable error names the first one missing.
func (db *DB) CheckSchema(ctx context.Context) error {
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !m.Applied || m.Modified {
			return domain.Errorf(domain.EUnavailable, "the database schema is not up to date (%s)", m)
		}
	}
	return nil
}

// MigrationStatus lists every migration embedded in this binary or recorded in the database, in version order.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	const op = "sqlstore.MigrationStatus"
	fsys, err := db.migrationFS()
	if err != nil {
		return nil, opError(op, err)
	}
	files, err := loadMigrations(fsys, db.dialect)
	if err != nil {
		return nil, opError(op, err)
	}
	applied, err := db.readApplied(ctx, db.read)
	if err != nil {
		return nil, opError(op, err)
	}
	out := make([]Migration, 0, len(files)+len(applied))
	known := make(map[int64]bool, len(files))
	for _, f := range files {
		known[f.version] = true
		m := Migration{Version: f.version, Name: f.name}
		if a, ok := applied[f.version]; ok {
			m.Applied, m.AppliedAt, m.Modified = true, a.appliedAt, a.checksum != f.checksum
		}
		out = append(out, m)
	}
	for v, a := range applied {
		if !known[v] {
			out = append(out, Migration{Version: v, Name: a.name, Applied: true, AppliedAt: a.appliedAt, Unknown: true})
		}
	}
	slices.SortFunc(out, func(a, b Migration) int { return cmpInt64(a.Version, b.Version) })
	return out, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (db *DB) migrationFS() (fs.FS, error) {
	return fs.Sub(embeddedMigrations, "migrations")
}

// dialectMarkers are the line prefixes of dialect-specific lines in a migration file, padded to one width.
var dialectMarkers = map[string]string{DialectPostgres: "@postgres ", DialectSQLite: "@sqlite   "}

// dialectWords are the placeholders a migration line may use for what only differs in a word or two.
var dialectWords = map[string]*strings.Replacer{
	DialectPostgres: strings.NewReplacer("{{id}}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
		"{{timestamp}}", "TIMESTAMPTZ", "{{bigint}}", "BIGINT", "{{strict}}", ""),
	DialectSQLite: strings.NewReplacer("{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{timestamp}}", "TEXT", "{{bigint}}", "INTEGER", "{{strict}}", " STRICT"),
}

// renderMigration keeps the lines of a migration that apply to dialect, without their markers, and fills in the
// dialect's words.
func renderMigration(body, dialect string) string {
	lines := strings.Split(body, "\n")
	out := lines[:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, "@") {
			out = append(out, l)
		} else if rest, ok := strings.CutPrefix(l, dialectMarkers[dialect]); ok {
			out = append(out, rest)
		}
	}
	return dialectWords[dialect].Replace(strings.Join(out, "\n"))
}

// migrateFS applies the migrations in fsys; tests pass their own.
func (db *DB) migrateFS(ctx context.Context, fsys fs.FS) error {
	const op = "sqlstore.Migrate"
	files, err := loadMigrations(fsys, db.dialect)
	if err != nil {
		return opError(op, err)
	}
	for {
		applied, err := db.migrateNext(ctx, files)
		if err != nil {
			return opError(op, err)
		}
		if !applied {
			return nil
		}
	}
}

// migrateNext applies the first pending migration, if any, in one transaction that holds the migration lock, and
// reports whether it applied one. Taking the lock per migration keeps each transaction short and lets a second
// process see the first one's work as soon as it is committed.
func (db *DB) migrateNext(ctx context.Context, files []migrationFile) (applied bool, err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = db.lockMigrations(ctx, tx); err != nil {
		return false, err
	}
	if _, err = tx.ExecContext(ctx, db.createMigrationsTableSQL()); err != nil {
		return false, fmt.Errorf("create schema_migrations: %w", err)
	}
	done, err := db.readApplied(ctx, tx)
	if err != nil {
		return false, err
	}
	next, err := nextMigration(files, done)
	if err != nil {
		return false, err
	}
	if next == nil {
		return false, tx.Commit()
	}
	if _, err = tx.ExecContext(ctx, next.sql); err != nil {
		return false, fmt.Errorf("apply migration %s: %w", next.file, err)
	}
	if _, err = tx.ExecContext(ctx,
		`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)`,
		next.version, next.name, next.checksum, db.timeArg(db.nowUTC())); err != nil {
		return false, fmt.Errorf("record migration %s: %w", next.file, err)
	}
	if err = tx.Commit(); err != nil {
		return false, fmt.Errorf("commit migration %s: %w", next.file, err)
	}
	return true, nil
}

// nextMigration checks the applied migrations against the files and returns the first pending one, or nil.
func nextMigration(files []migrationFile, done map[int64]appliedMigration) (*migrationFile, error) {
	var maxDone int64
	for v := range done {
		maxDone = max(maxDone, v)
	}
	for i := range files {
		f := &files[i]
		a, ok := done[f.version]
		if !ok {
			if f.version < maxDone {
				return nil, domain.Errorf(domain.EConflict,
					"migration %s is not applied but the later migration %d is: add migrations only after the newest",
					f.file, maxDone)
			}
			return f, nil
		}
		if a.checksum != f.checksum {
			return nil, domain.Errorf(domain.EConflict,
				"migration %s was changed after it was applied: add a new migration instead of editing it", f.file)
		}
	}
	return nil, nil
}

// lockMigrations serialises migrators. SQLite needs nothing more: the transaction began IMMEDIATE and so holds the
// database's only write lock. PostgreSQL takes an advisory lock keyed by the current schema, so that separate
// schemas in one database (parallel test runs) do not wait for each other; it is released at commit or rollback.
func (db *DB) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	if db.dialect != DialectPostgres {
		return nil
	}
	var schema sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("read current schema: %w", err)
	}
	if !schema.Valid {
		return domain.Errorf(domain.EInvalid, "no schema to migrate: the search_path names no existing schema")
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte("valtuusbotti/sqlstore/migrate\x00" + schema.String))
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64())); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	return nil
}

func (db *DB) createMigrationsTableSQL() string {
	if db.dialect == DialectPostgres {
		return `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL
)`
	}
	return `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL
) STRICT`
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readApplied returns the rows of schema_migrations; none when the table does not exist yet.
func (db *DB) readApplied(ctx context.Context, q querier) (map[int64]appliedMigration, error) {
	exists := `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')`
	if db.dialect == DialectPostgres {
		exists = `SELECT to_regclass('schema_migrations') IS NOT NULL`
	}
	var ok bool
	if err := q.QueryRowContext(ctx, exists).Scan(&ok); err != nil {
		return nil, fmt.Errorf("look for schema_migrations: %w", err)
	}
	out := map[int64]appliedMigration{}
	if !ok {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT version, name, checksum, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a appliedMigration
		if err := rows.Scan(&a.version, &a.name, &a.checksum, timeScanner{&a.appliedAt}); err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		out[a.version] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	return out, nil
}

// loadMigrations reads and orders the NNNN_name.sql files at the root of fsys; other files are ignored.
func loadMigrations(fsys fs.FS, dialect string) ([]migrationFile, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	nameRE := regexp.MustCompile(`^([0-9]+)_([a-z0-9_]+)\.sql$`)
	var out []migrationFile
	seen := map[int64]string{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		m := nameRE.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %q is not named NNNN_lower_case_name.sql", e.Name())
		}
		v, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %q has no positive version number", e.Name())
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration files %q and %q have the same version %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		raw, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		body := []byte(renderMigration(string(raw), dialect))
		sum := sha256.Sum256(body)
		out = append(out, migrationFile{
			version: v, name: m[2], file: e.Name(), sql: string(body), checksum: hex.EncodeToString(sum[:]),
		})
	}
	if len(out) == 0 {
		return nil, errors.New("no migration files found")
	}
	slices.SortFunc(out, func(a, b migrationFile) int { return cmpInt64(a.version, b.version) })
	return out, nil
}
