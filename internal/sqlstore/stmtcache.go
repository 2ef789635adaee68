package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the prepared statements of the hot path (a turn's reads and writes), per pool. database/sql
// prepares a *sql.Stmt once on each connection that runs it and keeps it there, so SQLite parses such a statement
// once per connection instead of on every call. PostgreSQL needs none of this: pgx prepares and caches every
// statement per connection by itself (its default exec mode, QueryExecModeCacheStatement), so there the store runs
// the query text directly.
type stmtCache struct {
	mu sync.RWMutex
	m  map[stmtKey]*sql.Stmt
}

type stmtKey struct {
	pool  *sql.DB
	query string
}

// prepared returns the cached statement for query on pool, preparing it the first time; nil (and no error) on
// PostgreSQL, where the caller runs the query text itself.
func (c *conn) prepared(ctx context.Context, pool *sql.DB, query string) (*sql.Stmt, error) {
	if c.dialect != DialectSQLite {
		return nil, nil
	}
	k := stmtKey{pool, query}
	c.stmts.mu.RLock()
	s := c.stmts.m[k]
	c.stmts.mu.RUnlock()
	if s != nil {
		return s, nil
	}
	c.stmts.mu.Lock()
	defer c.stmts.mu.Unlock()
	if s := c.stmts.m[k]; s != nil {
		return s, nil
	}
	s, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.stmts.m == nil {
		c.stmts.m = make(map[stmtKey]*sql.Stmt)
	}
	c.stmts.m[k] = s
	return s, nil
}

// execCached runs a statement that changes data on the write pool, prepared once.
func (c *conn) execCached(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := c.prepared(ctx, c.write, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return c.write.ExecContext(ctx, query, args...)
	}
	return s.ExecContext(ctx, args...)
}

// queryRowCached runs a one-row read on the read pool, prepared once.
func (c *conn) queryRowCached(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := c.prepared(ctx, c.read, query)
	if err != nil || s == nil {
		// A failed prepare is reported by running the query itself, which fails the same way.
		return c.read.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// closeStmts closes the cached statements (before the pools close).
func (c *conn) closeStmts() {
	c.stmts.mu.Lock()
	defer c.stmts.mu.Unlock()
	for _, s := range c.stmts.m {
		_ = s.Close()
	}
	c.stmts.m = nil
}
