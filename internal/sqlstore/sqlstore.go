// Package sqlstore is Valtuusbotti's system of record: the SQL register of people's conversation references and
// settings (and, in later migrations, mandate requests, mandates, the audit trail and the outbox).
//
// One code base serves two dialects, chosen by the DSN given to Open:
//
//   - SQLite through the pure-Go driver modernc.org/sqlite, for a single instance and for tests;
//   - PostgreSQL through github.com/jackc/pgx/v5/stdlib, for production.
//
// Queries are plain SQL written once for both dialects with $1-style placeholders (SQLite reads "$1" as the first
// argument too). The schema is created by embedded, per-dialect migrations (see Migrate). Every timestamp is stored
// in UTC at microsecond precision, PostgreSQL's resolution, so a value read back equals the value written: as
// TIMESTAMPTZ on PostgreSQL and as fixed-width RFC 3339 text ("2006-01-02T15:04:05.000000Z") on SQLite, which sorts
// and compares correctly as text.
//
// Conventions for tables added later: people are keyed by their Entra object id in a column named aad_object_id;
// other ids are TEXT chosen by the application; timestamps are *_at columns written through (*DB).timeArg.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// The dialects Open understands; (*DB).Dialect returns one of them.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// Defaults for connection handling. SQLite waits this long for another process's write lock before giving up with
// SQLITE_BUSY; within one process writes are serialised on one connection and never wait for each other there.
const (
	defaultBusyTimeout      = 10 * time.Second
	defaultConnectTimeout   = 10 * time.Second
	defaultPostgresMaxConns = 10
	defaultConnMaxLifetime  = 30 * time.Minute
	defaultConnMaxIdleTime  = 5 * time.Minute
)

// sqliteTimeLayout is how timestamps are stored on SQLite: always UTC, always six fractional digits, so that text
// order is time order and parsing gives back the exact value.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

// DB is an open register. It is safe for concurrent use.
type DB struct {
	dialect string
	// write takes every statement that changes data, and every transaction. On SQLite it holds a single connection
	// whose transactions begin IMMEDIATE, so writers queue in process instead of failing with SQLITE_BUSY.
	write *sql.DB
	// read serves plain reads. On a SQLite file it is a separate pool of read-only connections (WAL lets them read
	// while a write is under way); on PostgreSQL and an in-memory SQLite database it is the same pool as write.
	read *sql.DB
	now  func() time.Time
}

// Option configures Open.
type Option func(*options)

type options struct {
	now          func() time.Time
	maxOpenConns int
	busyTimeout  time.Duration
}

// WithNow sets the clock used for the timestamps the register writes. The default is time.Now.
func WithNow(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithMaxOpenConns sets the size of the connection pool: all connections on PostgreSQL (default 10), the read-only
// connections on a SQLite file (default the number of CPUs, at least 4). SQLite always has exactly one writer.
func WithMaxOpenConns(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.maxOpenConns = n
		}
	}
}

// WithBusyTimeout sets how long a SQLite connection waits for a lock held by another process (default 10s).
// It has no effect on PostgreSQL.
func WithBusyTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.busyTimeout = d
		}
	}
}

// Open opens the register named by dsn and checks that it answers. It does not migrate: call Migrate.
//
// Accepted DSNs:
//
//	sqlite:path/to/file.db, sqlite:///abs/path.db, file:path.db, path/to/file.db (also .sqlite, .sqlite3)
//	sqlite::memory: (or file::memory:, :memory:) for a private in-memory database, for tests
//	postgres://user:pass@host:5432/db?sslmode=require, postgresql://…
//
// For SQLite the parent directory is created; the database runs in WAL mode with synchronous=NORMAL, foreign keys
// on and a busy timeout. A SQLite DSN takes no query parameters: the store sets its own. A PostgreSQL DSN takes every
// parameter pgx understands (e.g. default_query_exec_mode=exec behind a transaction-mode pooler, or search_path).
//
// Errors are *domain.Error: EInvalid when the DSN is malformed or unsupported, EUnavailable when the database
// cannot be reached or opened. They never contain a password.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	const op = "sqlstore.Open"
	o := options{now: time.Now, busyTimeout: defaultBusyTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	t, err := parseDSN(dsn)
	if err != nil {
		return nil, opError(op, err)
	}
	var db *DB
	switch t.dialect {
	case DialectPostgres:
		db, err = openPostgres(ctx, t.pg, o)
	default:
		db, err = openSQLite(ctx, t, o)
	}
	if err != nil {
		return nil, opError(op, err)
	}
	return db, nil
}

// dsnTarget is a parsed DSN.
type dsnTarget struct {
	dialect string
	path    string // SQLite file, absolute; empty for memory
	memory  bool
	pg      *pgx.ConnConfig
}

func invalidDSN(format string, args ...any) error {
	return domain.Errorf(domain.EInvalid, format, args...)
}

// parseDSN works out the dialect and the target of dsn without touching anything.
func parseDSN(dsn string) (dsnTarget, error) {
	dsn = strings.TrimSpace(dsn)
	if dsn == "" {
		return dsnTarget{}, invalidDSN("empty database DSN: want sqlite:path/to/file.db or postgres://…")
	}
	lower := strings.ToLower(dsn)
	if strings.HasPrefix(lower, "postgres://") || strings.HasPrefix(lower, "postgresql://") {
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			// pgx redacts the password from its parse errors.
			return dsnTarget{}, &domain.Error{Code: domain.EInvalid,
				Message: "invalid PostgreSQL DSN: " + err.Error(), Err: err}
		}
		return dsnTarget{dialect: DialectPostgres, pg: cfg}, nil
	}

	var path string
	switch {
	case strings.HasPrefix(lower, "sqlite://"):
		path = dsn[len("sqlite://"):]
	case strings.HasPrefix(lower, "sqlite:"):
		path = dsn[len("sqlite:"):]
	case strings.HasPrefix(lower, "file://"):
		path = dsn[len("file://"):]
	case strings.HasPrefix(lower, "file:"):
		path = dsn[len("file:"):]
	case dsn == ":memory:":
		path = dsn
	case strings.Contains(dsn, "://"):
		scheme := dsn[:strings.Index(dsn, "://")]
		return dsnTarget{}, invalidDSN("unsupported database DSN scheme %q: want sqlite:, file:, a path ending in .db, postgres:// or postgresql://", scheme)
	case hasSQLiteExt(lower):
		path = dsn
	default:
		return dsnTarget{}, invalidDSN("unrecognised database DSN: want sqlite:path/to/file.db, a path ending in .db, or postgres://…")
	}
	if path == ":memory:" {
		return dsnTarget{dialect: DialectSQLite, memory: true}, nil
	}
	if path == "" {
		return dsnTarget{}, invalidDSN("SQLite DSN %q names no database file", dsn)
	}
	if strings.ContainsAny(path, "?#") {
		return dsnTarget{}, invalidDSN("SQLite DSN %q has query parameters; they are not supported (the store sets its own pragmas)", dsn)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return dsnTarget{}, invalidDSN("SQLite database path %q: %v", path, err)
	}
	return dsnTarget{dialect: DialectSQLite, path: abs}, nil
}

func hasSQLiteExt(lower string) bool {
	for _, ext := range []string{".db", ".sqlite", ".sqlite3"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

func openSQLite(ctx context.Context, t dsnTarget, o options) (*DB, error) {
	busy := fmt.Sprintf("busy_timeout(%d)", o.busyTimeout.Milliseconds())
	db := &DB{dialect: DialectSQLite, now: o.now}

	if t.memory {
		// Every connection to :memory: is its own database, so one connection must serve everything, forever.
		q := url.Values{"_pragma": {busy, "foreign_keys(1)"}, "_txlock": {"immediate"}}
		pool, err := sql.Open("sqlite", ":memory:?"+q.Encode())
		if err != nil {
			return nil, unavailable("open in-memory SQLite database", err)
		}
		pool.SetMaxOpenConns(1)
		pool.SetMaxIdleConns(1)
		pool.SetConnMaxLifetime(0)
		pool.SetConnMaxIdleTime(0)
		db.write, db.read = pool, pool
		if err := db.Ping(ctx); err != nil {
			_ = pool.Close()
			return nil, err
		}
		return db, nil
	}

	dir := filepath.Dir(t.path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, &domain.Error{Code: domain.EInvalid,
			Message: fmt.Sprintf("cannot create the directory %q for the SQLite database: %v", dir, err), Err: err}
	}
	if fi, err := os.Stat(t.path); err == nil && fi.IsDir() {
		return nil, invalidDSN("SQLite database path %q is a directory", t.path)
	}

	// The writer: one connection, IMMEDIATE transactions (take the write lock at BEGIN, so a transaction that reads
	// first cannot fail later on lock upgrade), WAL set once here because it is a property of the file.
	wq := url.Values{
		"_pragma": {busy, "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"},
		"_txlock": {"immediate"},
	}
	write, err := sql.Open("sqlite", t.path+"?"+wq.Encode())
	if err != nil {
		return nil, unavailable("open SQLite database "+t.path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	db.write = write
	// Connect the writer before the readers so that the file exists and is in WAL mode when they open it.
	if err := pingPool(ctx, write, "SQLite database "+t.path); err != nil {
		_ = write.Close()
		return nil, err
	}

	rq := url.Values{"_pragma": {busy, "synchronous(NORMAL)", "foreign_keys(1)", "query_only(1)"}}
	read, err := sql.Open("sqlite", t.path+"?"+rq.Encode())
	if err != nil {
		_ = write.Close()
		return nil, unavailable("open SQLite database "+t.path, err)
	}
	n := o.maxOpenConns
	if n == 0 {
		n = max(4, runtime.NumCPU())
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(defaultConnMaxIdleTime)
	db.read = read
	if err := pingPool(ctx, read, "SQLite database "+t.path); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

func openPostgres(ctx context.Context, cfg *pgx.ConnConfig, o options) (*DB, error) {
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "valtuusbotti"
	}
	pool := stdlib.OpenDB(*cfg)
	n := o.maxOpenConns
	if n == 0 {
		n = defaultPostgresMaxConns
	}
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(max(2, n/2))
	pool.SetConnMaxLifetime(defaultConnMaxLifetime)
	pool.SetConnMaxIdleTime(defaultConnMaxIdleTime)
	where := fmt.Sprintf("PostgreSQL at %s:%d (database %q)", cfg.Host, cfg.Port, cfg.Database)
	if err := pingPool(ctx, pool, where); err != nil {
		_ = pool.Close()
		return nil, err
	}
	return &DB{dialect: DialectPostgres, write: pool, read: pool, now: o.now}, nil
}

func pingPool(ctx context.Context, pool *sql.DB, what string) error {
	if err := pool.PingContext(ctx); err != nil {
		return unavailable("cannot connect to "+what, err)
	}
	return nil
}

// unavailable builds an EUnavailable error whose message names what failed and why. Driver errors do not contain
// the DSN's password: pgx redacts it and SQLite never sees one.
func unavailable(what string, err error) error {
	return &domain.Error{Code: domain.EUnavailable, Message: what + ": " + err.Error(), Err: err}
}

// Dialect returns DialectSQLite or DialectPostgres.
func (db *DB) Dialect() string { return db.dialect }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	const op = "sqlstore.Ping"
	if err := pingPool(ctx, db.write, db.dialect); err != nil {
		return opError(op, err)
	}
	if db.read != db.write {
		if err := pingPool(ctx, db.read, db.dialect+" (read pool)"); err != nil {
			return opError(op, err)
		}
	}
	return nil
}

// Close closes all connections. The DB cannot be used afterwards.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != nil && db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	if err != nil {
		return opError("sqlstore.Close", err)
	}
	return nil
}

// nowUTC is the injected clock's time as the register stores it: UTC, microsecond precision, no monotonic reading.
func (db *DB) nowUTC() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// timeArg converts t to the argument the dialect stores: TIMESTAMPTZ on PostgreSQL, fixed-width text on SQLite.
// Callers pass times already truncated to microseconds (nowUTC does).
func (db *DB) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.dialect == DialectSQLite {
		return t.Format(sqliteTimeLayout)
	}
	return t
}

// timeScanner reads a timestamp column of either dialect into a UTC time.Time.
type timeScanner struct{ dst *time.Time }

func (s timeScanner) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*s.dst = v.UTC()
		return nil
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	case nil:
		*s.dst = time.Time{}
		return nil
	default:
		return fmt.Errorf("sqlstore: cannot read a timestamp from %T", src)
	}
}

func (s timeScanner) parse(v string) error {
	t, err := time.Parse(sqliteTimeLayout, v)
	if err != nil {
		// Accept any RFC 3339 text too (e.g. a row edited by hand), but never silently a zero time.
		if t, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return fmt.Errorf("sqlstore: malformed timestamp %q", v)
		}
	}
	*s.dst = t.UTC()
	return nil
}
