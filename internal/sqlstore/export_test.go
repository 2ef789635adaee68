package sqlstore

import (
	"context"
	"database/sql"
	"io/fs"
	"time"
)

// Test hooks, compiled only into this package's tests.

// MigrateFS applies the migrations in fsys instead of the embedded ones.
func (db *DB) MigrateFS(ctx context.Context, fsys fs.FS) error { return db.migrateFS(ctx, fsys) }

// EmbeddedMigrations returns the embedded migrations (one set for both dialects: loading renders them).
func EmbeddedMigrations() (fs.FS, error) { return fs.Sub(embeddedMigrations, "migrations") }

// WriterPragma and ReaderPragma read a SQLite pragma on the writer and on a reader connection.
func (db *DB) WriterPragma(ctx context.Context, name string) (string, error) {
	var v string
	err := db.write.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}

func (db *DB) ReaderPragma(ctx context.Context, name string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, "PRAGMA "+name).Scan(&v)
	return v, err
}

// ExecWrite runs a statement on the writer.
func (db *DB) ExecWrite(ctx context.Context, query string, args ...any) error {
	_, err := db.write.ExecContext(ctx, query, args...)
	return err
}

// ExecRead runs a statement on the read pool.
func (db *DB) ExecRead(ctx context.Context, query string, args ...any) error {
	_, err := db.read.ExecContext(ctx, query, args...)
	return err
}

// TableExists reports whether a table exists.
func (db *DB) TableExists(ctx context.Context, name string) (bool, error) {
	q := `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1)`
	if db.dialect == DialectPostgres {
		q = `SELECT to_regclass($1) IS NOT NULL`
	}
	var ok bool
	err := db.read.QueryRowContext(ctx, q, name).Scan(&ok)
	return ok, err
}

// MaxTxAttempts is how many times InTx runs its function on PostgreSQL before giving up on retryable errors.
const MaxTxAttempts = maxTxAttempts

// OutboxAbandonedAt reads an outbox message's abandoned_at, which domain.OutboxMessage does not carry.
func (db *DB) OutboxAbandonedAt(ctx context.Context, id int64) (time.Time, error) {
	var at time.Time
	err := db.read.QueryRowContext(ctx, `SELECT abandoned_at FROM outbox WHERE id = $1`, id).Scan(timeScanner{&at})
	return at, err
}

// OutboxClaim reads an outbox message's claim, which domain.OutboxMessage does not carry: "" and the zero time when
// nobody holds it.
func (db *DB) OutboxClaim(ctx context.Context, id int64) (token string, until time.Time, err error) {
	var tok sql.NullString
	err = db.read.QueryRowContext(ctx, `SELECT claim_token, claimed_until FROM outbox WHERE id = $1`, id).
		Scan(&tok, timeScanner{&until})
	return tok.String, until, err
}

// JobClaim reads a scheduled job's claim, which domain.Job does not carry: "" and the zero time when nobody holds it.
func (db *DB) JobClaim(ctx context.Context, id int64) (token string, until time.Time, err error) {
	var tok sql.NullString
	err = db.read.QueryRowContext(ctx, `SELECT claim_token, claimed_until FROM scheduled_jobs WHERE id = $1`, id).
		Scan(&tok, timeScanner{&until})
	return tok.String, until, err
}

// HoldRefCommits takes the conversation-reference committer's slot, so that upserts queue behind it until release
// is called; PendingRefs is how many are queued; RefCommits how many transactions have stored references.
func (db *DB) HoldRefCommits() (release func()) {
	db.refs.slot <- struct{}{}
	return func() { <-db.refs.slot }
}

func (db *DB) PendingRefs() int {
	db.refs.mu.Lock()
	defer db.refs.mu.Unlock()
	return len(db.refs.pending)
}

func (db *DB) RefCommits() int64 { return db.refs.commits.Load() }

// CheckpointRuns is how many background checkpoints have copied frames of a SQLite file's log.
func (db *DB) CheckpointRuns() int {
	db.checkpoints.mu.Lock()
	defer db.checkpoints.mu.Unlock()
	return db.checkpoints.runs
}

// WriterRow scans one row of a query on the writer.
func (db *DB) WriterRow(ctx context.Context, query string, dest ...any) error {
	return db.write.QueryRowContext(ctx, query).Scan(dest...)
}
