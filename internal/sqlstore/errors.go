package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"maps"
	"net"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// opError attaches op to err and gives driver errors a domain kind.
//
// A plain (driver) error becomes a *domain.Error with an empty Message: domain.ErrorMessage then shows users the
// generic "internal error" while Error(), which logs use, still carries the driver's text. (domain.Wrap would put
// "internal error" into Message and so hide the cause from Error() as well.)
func opError(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		if de.Op == "" && de == err {
			return &domain.Error{Code: de.Code, Op: op, Message: de.Message, Err: de.Err}
		}
		return &domain.Error{Code: de.Code, Op: op, Message: de.Message, Err: err}
	}
	kind := classify(err)
	if !errors.Is(err, context.Canceled) { // a caller that gave up is not a database error
		driverErrors.add(kind)
	}
	return &domain.Error{Code: kind, Op: op, Err: err}
}

// driverErrors counts the errors the database drivers returned, by domain kind, in this process.
var driverErrors errorCounts

type errorCounts struct {
	mu sync.Mutex
	m  map[string]int64
}

func (c *errorCounts) add(kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int64{}
	}
	c.m[kind]++
}

// DriverErrors returns how many errors the database drivers returned in this process, by domain kind
// (unavailable, conflict, invalid, internal, …): the metrics' database errors. A caller's own cancellation is not
// counted.
func DriverErrors() map[string]int64 {
	driverErrors.mu.Lock()
	defer driverErrors.mu.Unlock()
	return maps.Clone(driverErrors.m)
}

// classify maps a driver error to a domain kind.
func classify(err error) string {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, io.ErrUnexpectedEOF):
		return domain.EUnavailable
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505": // unique_violation
			return domain.EConflict
		case pgErr.Code == "23503", pgErr.Code == "23514", pgErr.Code == "23502", pgErr.Code == "22001":
			// foreign key, check, not null, too long: as on SQLite
			return domain.EInvalid
		case pgErr.Code == "40001", pgErr.Code == "40P01": // serialization failure, deadlock: retry
			return domain.EConflict
		case len(pgErr.Code) == 5 && (pgErr.Code[:2] == "08" || pgErr.Code[:2] == "53" || pgErr.Code[:2] == "57"):
			return domain.EUnavailable // connection, resources, operator intervention (e.g. shutdown)
		}
		return domain.EInternal
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return domain.EConflict
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return domain.EInvalid
		}
		switch liteErr.Code() & 0xff { // primary result code
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_FULL,
			sqlite3.SQLITE_IOERR:
			return domain.EUnavailable
		}
		return domain.EInternal
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return domain.EUnavailable
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return domain.EUnavailable
	}
	return domain.EInternal
}
