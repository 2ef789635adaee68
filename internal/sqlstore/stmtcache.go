package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// Statement caching. Every statement the store runs is parsed and planned once per connection and then reused:
//
//   - PostgreSQL: pgx does it by itself (its default exec mode, QueryExecModeCacheStatement, prepares each
//     statement on first use and keeps up to 512 per connection), so the store leaves it alone.
//   - SQLite: database/sql hands every QueryContext and ExecContext to modernc's connection, which prepares and
//     finalizes the statement on each call; parsing was a fifth of a turn's CPU. cachingConnector wraps each SQLite
//     connection so that a statement's text maps to one prepared statement kept on that connection, for plain
//     calls and transactions alike, and for every query in the package without changing any of them.

// maxCachedStatements bounds the statements kept per connection; beyond it statements are prepared per call.
const maxCachedStatements = 256

// maxCachedQueryLen keeps long texts (migrations) out of the cache.
const maxCachedQueryLen = 4096

// sqliteDriver is the driver modernc.org/sqlite registered as "sqlite".
func sqliteDriver() (driver.Driver, error) {
	db, err := sql.Open("sqlite", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.Driver(), nil
}

// openCachedSQLite is sql.Open("sqlite", dsn) with a statement cache on every connection.
func openCachedSQLite(dsn string) (*sql.DB, error) {
	drv, err := sqliteDriver()
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(cachingConnector{drv: drv, dsn: dsn}), nil
}

type cachingConnector struct {
	drv driver.Driver
	dsn string
}

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(sqliteConn)
	if !ok {
		_ = conn.Close()
		return nil, fmt.Errorf("sqlstore: the sqlite driver's connection (%T) lacks the context methods", conn)
	}
	return &cachedConn{sqliteConn: inner, stmts: make(map[string]*cachedStmt)}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.drv }

// sqliteConn is what modernc's connection offers and the wrapper passes on.
type sqliteConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cachedConn is one SQLite connection with its prepared statements. database/sql uses a connection from one
// goroutine at a time, so the map needs no lock.
type cachedConn struct {
	sqliteConn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	s     stmtContext
	busy  bool // its rows are open: a second use on this connection (a query inside a loop over rows) gets its own
	point bool // a point statement (pointStatements)
}

// pointStatements are the statements of every turn that read or write one row through an index: they end in
// microseconds, so the driver is not asked to watch their context. modernc starts a goroutine per statement to
// interrupt it when its context ends; for these that costs more than the statement. A wait for another process's
// write lock still ends after busy_timeout.
var pointStatements = map[string]bool{
	selectConversationRefSQL:       true,
	upsertConversationRefSQL:       true,
	hasWaitingSQL:                  true,
	hasRequestsAwaitingApproverSQL: true,
}

type stmtContext interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

var (
	_ driver.ExecerContext  = (*cachedConn)(nil)
	_ driver.QueryerContext = (*cachedConn)(nil)
)

// stmt returns the statement for query: the cached one, or a new one (cached when there is room), and the context
// to run it with (without cancellation for a point statement). release must be called once its work is done.
func (c *cachedConn) stmt(ctx context.Context, query string) (stmtContext, context.Context, func(), error) {
	if cs := c.stmts[query]; cs != nil && !cs.busy {
		cs.busy = true
		if cs.point {
			ctx = context.WithoutCancel(ctx)
		}
		return cs.s, ctx, cs.release, nil
	}
	point := pointStatements[query]
	if point {
		ctx = context.WithoutCancel(ctx)
	}
	ds, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, nil, err
	}
	s, ok := ds.(stmtContext)
	if !ok {
		_ = ds.Close()
		return nil, nil, nil, errors.New("sqlstore: the sqlite driver's statement lacks the context methods")
	}
	if _, taken := c.stmts[query]; taken || len(c.stmts) >= maxCachedStatements || len(query) > maxCachedQueryLen {
		return s, ctx, func() { _ = s.Close() }, nil
	}
	cs := &cachedStmt{s: s, busy: true, point: point}
	c.stmts[query] = cs
	return s, ctx, cs.release, nil
}

func (cs *cachedStmt) release() { cs.busy = false }

// ExecContext runs query through its cached statement.
func (c *cachedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, ctx, release, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.ExecContext(ctx, args)
}

// QueryContext runs query through its cached statement, which stays taken until the rows are closed.
func (c *cachedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, ctx, release, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(ctx, args)
	if err != nil {
		release()
		return nil, err
	}
	return &releasingRows{Rows: rows, release: release}, nil
}

// Close finalizes the cached statements, then closes the connection.
func (c *cachedConn) Close() error {
	var errs []error
	for _, cs := range c.stmts {
		errs = append(errs, cs.s.Close())
	}
	c.stmts = nil
	return errors.Join(append(errs, c.sqliteConn.Close())...)
}

// releasingRows gives its statement back when closed.
type releasingRows struct {
	driver.Rows
	release func()
	closed  bool
}

func (r *releasingRows) Close() error {
	err := r.Rows.Close()
	if !r.closed {
		r.closed = true
		r.release()
	}
	return err
}
