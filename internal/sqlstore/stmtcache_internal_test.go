package sqlstore

import (
	"context"
	"database/sql/driver"
	"path/filepath"
	"testing"
)

// The same statement run again while its rows are still open on the connection (a query inside a loop over rows,
// in one transaction) gets a statement of its own, so both results are read whole; and the cache keeps one prepared
// statement per text on the connection.
func TestStatementCacheNestedUse(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE n (v INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := db.write.ExecContext(ctx, `INSERT INTO n (v) VALUES ($1)`, i); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const q = `SELECT v FROM n WHERE v >= $1 ORDER BY v`
	rows, err := tx.QueryContext(ctx, q, 0)
	if err != nil {
		t.Fatal(err)
	}
	outer, inner := 0, 0
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		outer++
		in, err := tx.QueryContext(ctx, q, v)
		if err != nil {
			t.Fatal(err)
		}
		for in.Next() {
			inner++
		}
		if err := in.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	_ = rows.Close()
	if outer != 3 || inner != 3+2+1 {
		t.Fatalf("outer %d rows, inner %d; want 3 and 6", outer, inner)
	}
	for range 10 {
		var v int
		if err := tx.QueryRowContext(ctx, q, 2).Scan(&v); err != nil || v != 2 {
			t.Fatalf("%d, %v", v, err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	// The writer's one connection now: the statement is cached there and free again.
	conn, err := db.write.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*cachedConn)
		if !ok {
			t.Fatalf("connection %T is not wrapped", dc)
		}
		cs := c.stmts[q]
		if cs == nil || cs.busy {
			t.Errorf("cached statement %+v: want cached and free", cs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A point statement of the turn runs without the driver watching its context (modernc would start a goroutine per
// statement to interrupt it): on the connection itself, with a context already cancelled, it still answers, first
// prepared and then cached, while any other statement is refused as cancelled.
func TestPointStatementsIgnoreCancellation(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := db.read.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	gone, cancel := context.WithCancel(ctx)
	cancel()
	if err := conn.Raw(func(dc any) error {
		c := dc.(*cachedConn)
		for i := range 2 { // prepared, then from the cache
			rows, err := c.QueryContext(gone, hasRequestsAwaitingApproverSQL, []driver.NamedValue{{Ordinal: 1, Value: "x"}})
			if err != nil {
				t.Fatalf("point statement, use %d: %v", i+1, err)
			}
			_ = rows.Close()
		}
		rows, err := c.QueryContext(gone, `SELECT COUNT(*) FROM requests`, nil)
		if err == nil {
			_ = rows.Close()
			t.Fatal("a statement that is not a point statement ran with its context cancelled")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
