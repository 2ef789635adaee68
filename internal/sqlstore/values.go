package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Conversions between the domain's Go values and what the two dialects store, for the columns added by
// 0002_mandates: civil dates, JSON, optional references and optional timestamps.

// civilDateLayout is how a civil date is stored on SQLite and passed to PostgreSQL (which parses it into a DATE).
const civilDateLayout = "2006-01-02"

// dateArg converts a civil date to its stored form: "YYYY-MM-DD", or NULL for the zero time. The date is the
// calendar day of t in t's own location; the domain keeps civil dates at 00:00 UTC, so that is the UTC day.
func dateArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(civilDateLayout)
}

// dateScanner reads a civil date column of either dialect (DATE on PostgreSQL, 'YYYY-MM-DD' text on SQLite) into
// a time.Time at 00:00 UTC; NULL reads as the zero time.
type dateScanner struct{ dst *time.Time }

func (s dateScanner) Scan(src any) error {
	return scanTime(src, s.dst, "date", domain.Civil, func(v string) (time.Time, error) { return time.Parse(civilDateLayout, v) })
}

// nullTimeArg is timeArg for optional timestamps: the zero time is stored as NULL.
func (db *conn) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return db.timeArg(t)
}

// idArg stores an optional reference to another row: 0 means none and is stored as NULL.
func idArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// idScanner reads an optional reference; NULL reads as 0.
type idScanner struct{ dst *int64 }

func (s idScanner) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	*s.dst = n.Int64
	return nil
}

// jsonArg stores an optional JSON document as text: empty is NULL, anything else must be valid JSON (EInvalid
// otherwise, so both dialects refuse the same values before the database sees them).
func jsonArg(what string, raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	if !json.Valid(raw) {
		return nil, domain.Errorf(domain.EInvalid, "%s is not valid JSON", what)
	}
	return string(raw), nil
}

// jsonScanner reads an optional JSON column; NULL reads as nil. The bytes are copied, never shared with the driver.
type jsonScanner struct{ dst *json.RawMessage }

func (s jsonScanner) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.dst = nil
	case string:
		*s.dst = json.RawMessage(v)
	case []byte:
		*s.dst = append(json.RawMessage(nil), v...)
	default:
		return fmt.Errorf("sqlstore: cannot read JSON from %T", src)
	}
	return nil
}

// listArg stores a list of ids as a JSON array; nil is stored as [].
func listArg(ids []string) (string, error) {
	if len(ids) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// listScanner reads a JSON array of strings; an empty array (or NULL, from a LEFT JOIN) reads as nil, so a nil
// list written reads back as nil.
type listScanner struct{ dst *[]string }

func (s listScanner) Scan(src any) error {
	var text []byte
	switch v := src.(type) {
	case nil:
		*s.dst = nil
		return nil
	case string:
		text = []byte(v)
	case []byte:
		text = v
	default:
		return fmt.Errorf("sqlstore: cannot read a JSON list from %T", src)
	}
	var out []string
	if err := json.Unmarshal(text, &out); err != nil {
		return fmt.Errorf("sqlstore: malformed JSON list: %w", err)
	}
	if len(out) == 0 {
		out = nil
	}
	*s.dst = out
	return nil
}

// queryAll runs a query and scans every row with scan, which returns the row's value and its scan targets'
// outcome. Errors are wrapped with op.
func queryAll[T any](ctx context.Context, q querier, op, query string, scan func(rows *sql.Rows) (T, error), args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, opError(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, opError(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, opError(op, err)
	}
	return out, nil
}

// changedRows runs a statement and returns how many rows it changed.
func changedRows(ctx context.Context, q execer, query string, args ...any) (int64, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// execer runs statements: a pool or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
