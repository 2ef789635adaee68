package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// maxRefBatch bounds how many conversation references one transaction stores.
const maxRefBatch = 64

// refBatch commits the conversation-reference upserts that arrive together in one transaction (group commit).
// Every person's first turn stores a reference; under load many turns wait for the database's writer at once, and
// a commit (on SQLite the WAL append and its locks, on PostgreSQL the WAL flush) costs more than the statement.
//
// There is no timer and no goroutine: a caller queues its upsert and then either takes the committer's slot or
// finds its upsert done by the caller that held the slot. The first caller of a quiet moment commits its own upsert
// at once; callers arriving while a commit runs are committed together by whichever of them gets the slot next.
type refBatch struct {
	slot    chan struct{} // one committer at a time
	mu      sync.Mutex
	pending []*refWrite  // the upserts no committer has taken yet
	commits atomic.Int64 // transactions that stored references
}

type refWrite struct {
	ref     domain.ConversationRef
	waiting bool
	err     error
	done    chan struct{} // closed when waiting and err are set
}

func newRefBatch() *refBatch { return &refBatch{slot: make(chan struct{}, 1)} }

// upsert stores ref through c, with the upserts queued beside it, and returns whether messages wait for the person.
func (b *refBatch) upsert(ctx context.Context, c *conn, ref domain.ConversationRef) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	w := &refWrite{ref: ref, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, w)
	b.mu.Unlock()
	for {
		select {
		case <-w.done:
			return w.waiting, w.err
		case <-ctx.Done():
			b.mu.Lock()
			i := slices.Index(b.pending, w)
			if i >= 0 {
				b.pending = slices.Delete(b.pending, i, i+1)
			}
			b.mu.Unlock()
			if i < 0 { // a committer has it: its statement ends soon, and its outcome is the truth
				<-w.done
				return w.waiting, w.err
			}
			return false, ctx.Err()
		case b.slot <- struct{}{}:
			b.mu.Lock()
			batch := b.pending[:min(len(b.pending), maxRefBatch)]
			b.pending = slices.Clone(b.pending[len(batch):])
			b.mu.Unlock()
			if len(batch) > 0 {
				// The others' upserts must not fail because this caller gave up: the batch runs to its end.
				b.commits.Add(c.commitRefs(context.WithoutCancel(ctx), batch))
			}
			<-b.slot
		}
	}
}

// commitRefs stores a batch of references in one transaction. If the transaction fails, each upsert is tried on
// its own, so that one bad reference fails only its own turn. It returns how many transactions it committed.
func (db *conn) commitRefs(ctx context.Context, batch []*refWrite) int64 {
	defer func() {
		for _, w := range batch {
			close(w.done)
		}
	}()
	if len(batch) > 1 {
		err := db.inRefTx(ctx, func(tx *sql.Tx) error {
			for _, w := range batch {
				if err := db.upsertRef(ctx, tx, w); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			return 1
		}
	}
	var n int64
	for _, w := range batch {
		if w.err = db.upsertRef(ctx, db.write, w); w.err == nil {
			n++
		}
	}
	return n
}

// inRefTx runs fn in a transaction on the writer.
func (db *conn) inRefTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// upsertRef runs the upsert of w's reference on q (the writer or a transaction of it) and records whether messages
// wait for the person.
func (db *conn) upsertRef(ctx context.Context, q querier, w *refWrite) error {
	ref := w.ref
	return q.QueryRowContext(ctx, upsertConversationRefSQL,
		ref.AADObjectID, ref.UserID, ref.UserName, ref.BotID, ref.ConversationID, ref.ConversationType,
		ref.ServiceURL, ref.TenantID, ref.ChannelID, ref.Locale, db.timeArg(db.nowUTC())).Scan(&w.waiting)
}
