package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// maxTxAttempts is how many times InTx runs fn on PostgreSQL when the database reports a serialization failure or
// a deadlock; txRetryBackoff is the first pause between attempts (doubling, with jitter).
const (
	maxTxAttempts  = 5
	txRetryBackoff = 5 * time.Millisecond
)

// Tx is the write side of the register inside one transaction; InTx hands it to its function. It implements
// domain.Tx. It must not be used after that function returns.
type Tx struct {
	db *conn
	tx *sql.Tx
}

// InTx runs fn in one transaction: everything written through tx commits together, or nothing does when fn returns
// an error (or panics). fn's error is returned unchanged.
//
// On SQLite the transaction runs on the single writer connection and begins IMMEDIATE, so transactions queue in
// process and never fail on lock upgrade. On PostgreSQL it runs at READ COMMITTED: UpdateRequest is a conditional
// update on the version, which is enough to detect concurrent changes; when the database reports a serialization
// failure or a deadlock (SQLSTATE 40001, 40P01), fn runs again in a new transaction, up to five times in all.
//
// Because fn may run more than once, it should read what it changes through tx in every run rather than reuse
// values from an earlier run: UpdateRequest advances r.Version even in a run that is then rolled back.
//
// Inside fn, read through tx only: on an in-memory SQLite database the DB's own methods would wait for the
// connection that tx holds. Nested calls of InTx are not supported.
func (db *Register) InTx(ctx context.Context, fn func(tx domain.Tx) error) error {
	backoff := txRetryBackoff
	for attempt := 1; ; attempt++ {
		err := db.runTx(ctx, fn)
		if err == nil || db.dialect != DialectPostgres || !retryable(err) || attempt == maxTxAttempts {
			return err
		}
		// Jitter spreads the retries of transactions that collided with each other.
		pause := backoff/2 + rand.N(backoff)
		backoff *= 2
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return opError("sqlstore.InTx", errors.Join(ctx.Err(), err))
		case <-t.C:
		}
	}
}

// runTx runs fn in one transaction.
func (db *conn) runTx(ctx context.Context, fn func(tx domain.Tx) error) error {
	const op = "sqlstore.InTx"
	var opts *sql.TxOptions
	if db.dialect == DialectPostgres {
		opts = &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	stx, err := db.write.BeginTx(ctx, opts)
	if err != nil {
		return opError(op, err)
	}
	// Rolls back when fn fails or panics; after a commit it is a no-op (sql.ErrTxDone).
	defer func() { _ = stx.Rollback() }()
	if err := fn(&Tx{db: db, tx: stx}); err != nil {
		return err
	}
	if err := stx.Commit(); err != nil {
		return opError(op, err)
	}
	return nil
}

// retryable reports whether err is a PostgreSQL serialization failure or deadlock, after which the whole
// transaction can be tried again.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// readTx runs fn in a read-only transaction on the read pool, so that several queries see one snapshot: REPEATABLE
// READ on PostgreSQL, a deferred transaction on SQLite (in WAL mode its snapshot starts at the first read).
func (db *conn) readTx(ctx context.Context, fn func(q querier) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.dialect == DialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	stx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	defer func() { _ = stx.Rollback() }() // nothing was written: rolling back ends the snapshot
	return fn(stx)
}
