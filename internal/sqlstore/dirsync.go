package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// DirSync is the directory sync's part of the store (migration 0014): per organisation, the last snapshot of each
// person in the directory and the sync's state (where the next sync continues, how many syncs have committed, the
// lease of the replica syncing now). The comparison of snapshots is internal/dirsync's; this only stores them.
type DirSync struct{ *conn }

// DirSync returns the directory sync's part of the store.
func (db *DB) DirSync() *DirSync { return &DirSync{db.conn} }

// DirSyncState is an organisation's sync state; the zero value (Version 0) is an organisation never synced.
type DirSyncState struct {
	DeltaLink  string
	Version    int64
	BaselineAt time.Time // when the first full sync was recorded; zero before it
	SyncedAt   time.Time // when the last sync committed
}

const dirStateColumns = `delta_link, version, baseline_at, synced_at`

func scanDirState(row interface{ Scan(...any) error }) (DirSyncState, error) {
	var s DirSyncState
	err := row.Scan(&s.DeltaLink, &s.Version, timeScanner{&s.BaselineAt}, timeScanner{&s.SyncedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return DirSyncState{}, nil
	}
	return s, err
}

// State reads the organisation's sync state (the zero state when it has never synced).
func (db *DirSync) State(ctx context.Context, org string) (DirSyncState, error) {
	s, err := scanDirState(db.read.QueryRowContext(ctx,
		`SELECT `+dirStateColumns+` FROM directory_sync_state WHERE org_id = $1`, org))
	return s, opError("sqlstore.DirSync.State", err)
}

// TakeLease gives the caller (token) the organisation's sync lease until now+ttl, unless another token holds a
// lease that has not ended; it reports whether the caller holds it now. Taking it again with the same token
// extends it.
func (db *DirSync) TakeLease(ctx context.Context, org, token string, now time.Time, ttl time.Duration) (bool, error) {
	const op = "sqlstore.DirSync.TakeLease"
	if org == "" || token == "" {
		return false, opError(op, domain.Errorf(domain.EInvalid, "a lease needs an organisation and a token"))
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO directory_sync_state (org_id) VALUES ($1)
ON CONFLICT (org_id) DO NOTHING`, org); err != nil {
		return false, opError(op, err)
	}
	n, err := changedRows(ctx, db.write, `UPDATE directory_sync_state SET lease_token = $2, lease_until = $3
WHERE org_id = $1 AND (lease_token = $2 OR lease_until IS NULL OR lease_until <= $4)`,
		org, token, db.timeArg(now.Add(ttl)), db.timeArg(now))
	if err != nil {
		return false, opError(op, err)
	}
	return n == 1, nil
}

// ReleaseLease ends the caller's lease, if it still holds it.
func (db *DirSync) ReleaseLease(ctx context.Context, org, token string) error {
	_, err := db.write.ExecContext(ctx, `UPDATE directory_sync_state SET lease_token = '', lease_until = NULL
WHERE org_id = $1 AND lease_token = $2`, org, token)
	return opError("sqlstore.DirSync.ReleaseLease", err)
}

// InTx runs fn in one transaction on the organisation's snapshot (retried on PostgreSQL serialization failures
// like Register.InTx). The jobs fn schedules commit with the snapshot, or neither does.
func (db *DirSync) InTx(ctx context.Context, org string, fn func(tx *DirSyncTx) error) error {
	return (&Register{db.conn}).InTx(ctx, func(tx domain.Tx) error { return fn(&DirSyncTx{t: tx.(*Tx), org: org}) })
}

// DirSyncTx is the organisation's snapshot inside one transaction.
type DirSyncTx struct {
	t   *Tx
	org string
}

// LockState reads the organisation's sync state and holds it until the transaction ends, so that two syncs of one
// organisation commit one after the other (on SQLite every write transaction already does). A missing row is
// created first.
func (x *DirSyncTx) LockState(ctx context.Context) (DirSyncState, error) {
	const op = "sqlstore.DirSync.LockState"
	if _, err := x.t.tx.ExecContext(ctx, `INSERT INTO directory_sync_state (org_id) VALUES ($1)
ON CONFLICT (org_id) DO NOTHING`, x.org); err != nil {
		return DirSyncState{}, opError(op, err)
	}
	q := `SELECT ` + dirStateColumns + ` FROM directory_sync_state WHERE org_id = $1`
	if x.t.db.dialect == DialectPostgres {
		q += ` FOR UPDATE`
	}
	s, err := scanDirState(x.t.tx.QueryRowContext(ctx, q, x.org))
	return s, opError(op, err)
}

// SaveState writes the state after a sync: the next link, Version, BaselineAt and SyncedAt as given.
func (x *DirSyncTx) SaveState(ctx context.Context, s DirSyncState) error {
	_, err := x.t.tx.ExecContext(ctx, `UPDATE directory_sync_state SET delta_link = $2, version = $3, baseline_at = $4,
    synced_at = $5 WHERE org_id = $1`, x.org, s.DeltaLink, s.Version, x.t.db.nullTimeArg(s.BaselineAt),
		x.t.db.nullTimeArg(s.SyncedAt))
	return opError("sqlstore.DirSync.SaveState", err)
}

// People reads the whole snapshot, by object id.
func (x *DirSyncTx) People(ctx context.Context) (map[string]domain.DirectoryPerson, error) {
	const op = "sqlstore.DirSync.People"
	rows, err := x.t.tx.QueryContext(ctx, `SELECT aad_object_id, person FROM directory_people WHERE org_id = $1`, x.org)
	if err != nil {
		return nil, opError(op, err)
	}
	defer rows.Close()
	out := map[string]domain.DirectoryPerson{}
	for rows.Next() {
		var id string
		var raw json.RawMessage
		if err := rows.Scan(&id, jsonScanner{&raw}); err != nil {
			return nil, opError(op, err)
		}
		var p domain.DirectoryPerson
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, opError(op, err)
		}
		out[id] = p
	}
	return out, opError(op, rows.Err())
}

// PutPerson stores the person as the snapshot's (replacing what it had).
func (x *DirSyncTx) PutPerson(ctx context.Context, p domain.DirectoryPerson, now time.Time) error {
	const op = "sqlstore.DirSync.PutPerson"
	if p.ID == "" {
		return opError(op, domain.Errorf(domain.EInvalid, "a directory person needs an id"))
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return opError(op, err)
	}
	_, err = x.t.tx.ExecContext(ctx, `INSERT INTO directory_people (org_id, aad_object_id, person, updated_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (org_id, aad_object_id) DO UPDATE SET person = excluded.person, updated_at = excluded.updated_at`,
		x.org, p.ID, string(raw), x.t.db.timeArg(now))
	return opError(op, err)
}

// DeletePerson removes the person from the snapshot.
func (x *DirSyncTx) DeletePerson(ctx context.Context, id string) error {
	_, err := x.t.tx.ExecContext(ctx, `DELETE FROM directory_people WHERE org_id = $1 AND aad_object_id = $2`, x.org, id)
	return opError("sqlstore.DirSync.DeletePerson", err)
}

// Schedule schedules a job in the transaction (see Tx.Schedule): once per key.
func (x *DirSyncTx) Schedule(ctx context.Context, job domain.Job) (bool, error) {
	return x.t.Schedule(ctx, job)
}

// CancelJob cancels a pending job in the transaction (see Tx.CancelJob).
func (x *DirSyncTx) CancelJob(ctx context.Context, key string) (bool, error) {
	return x.t.CancelJob(ctx, key)
}
