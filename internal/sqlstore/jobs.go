package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Jobs is the table of scheduled jobs (migration 0008) as the scheduler's runner and the code that schedules work
// use it: Schedule and Cancel by key; ClaimDue, Renew and the Mark methods under fenced claims, as in Outbox.
type Jobs struct{ *conn }

const jobColumns = `id, kind, job_key, payload, due_at, run_at, created_at, attempts, done_at, cancelled_at,
    abandoned_at, last_error`

// pendingJob is the condition of the partial index scheduled_jobs_due: a job that may still run.
const pendingJob = `done_at IS NULL AND cancelled_at IS NULL AND abandoned_at IS NULL`

const scheduleJobSQL = `
INSERT INTO scheduled_jobs (kind, job_key, payload, due_at, run_at, created_at)
VALUES ($1, $2, $3, $4, $4, $5)
ON CONFLICT (job_key) DO NOTHING`

// Claiming is one statement, as for the outbox: on SQLite it holds the database's write lock; on PostgreSQL FOR
// UPDATE SKIP LOCKED makes a concurrent claimer take the next due jobs instead of waiting for these, and the row
// lock re-checks the conditions against a row another claimer has just committed. The subquery walks the partial
// index scheduled_jobs_due in run_at order and stops after $3 jobs, so a claim reads only due jobs. A claim moves
// run_at to the end of its lease, so while the lease lasts the job is not due. $1 is now, $2 the end of the lease,
// $3 the limit, $4 the claim's token, $5 the kinds (see claimKindsSQLite and claimKindsPostgres).
const claimJobsSQL = `
UPDATE scheduled_jobs SET attempts = attempts + 1, run_at = $2, claimed_until = $2, claim_token = $4
WHERE id IN (
    SELECT id FROM scheduled_jobs
    WHERE ` + pendingJob + ` AND run_at <= $1
        AND (claimed_until IS NULL OR claimed_until <= $1) AND %s
    ORDER BY run_at, id
    LIMIT $3%s
)
RETURNING ` + jobColumns

var (
	claimJobsSQLite   = fmt.Sprintf(claimJobsSQL, "kind IN (SELECT value FROM json_each($5))", "")
	claimJobsPostgres = fmt.Sprintf(claimJobsSQL, "kind = ANY($5)", "\n    FOR UPDATE SKIP LOCKED")
)

// Schedule adds job unless a job with its key exists, in any state, and reports whether it added it. Only Kind,
// Key, Payload and DueAt are used: the job is due at DueAt. Kind, Key and DueAt are required and Payload must be
// valid JSON or empty (EInvalid).
func (db *Jobs) Schedule(ctx context.Context, job domain.Job) (bool, error) {
	return scheduleJob(ctx, db.conn, db.write, job)
}

// Schedule adds job inside the transaction (see Jobs.Schedule), so that it is scheduled if and only if the change
// that causes it commits.
func (t *Tx) Schedule(ctx context.Context, job domain.Job) (bool, error) {
	return scheduleJob(ctx, t.db, t.tx, job)
}

func scheduleJob(ctx context.Context, db *conn, q execer, job domain.Job) (bool, error) {
	const op = "sqlstore.Schedule"
	if job.Kind == "" || job.Key == "" || job.DueAt.IsZero() {
		return false, opError(op, domain.Errorf(domain.EInvalid, "a scheduled job needs a kind, a key and a due time"))
	}
	payload, err := jsonArg("the job's payload", job.Payload)
	if err != nil {
		return false, opError(op, err)
	}
	n, err := changedRows(ctx, q, scheduleJobSQL, job.Kind, job.Key, payload, db.timeArg(job.DueAt),
		db.timeArg(db.nowUTC()))
	if err != nil {
		return false, opError(op, err)
	}
	return n == 1, nil
}

// Cancel cancels the job with key unless it has already finished (done, cancelled or abandoned), and reports
// whether it did; an unknown key is not an error. A claim on the job ends with it: a runner whose handler is
// running the job then loses its claim at its next renewal, and cannot mark the job done.
func (db *Jobs) Cancel(ctx context.Context, key string, at time.Time) (bool, error) {
	n, err := changedRows(ctx, db.write, `UPDATE scheduled_jobs SET cancelled_at = $2, `+endClaim+`
WHERE job_key = $1 AND `+pendingJob, key, db.timeArg(at))
	if err != nil {
		return false, opError("sqlstore.Cancel", err)
	}
	return n == 1, nil
}

// Job returns the job with key, in any state (ENotFound if there is none).
func (db *Jobs) Job(ctx context.Context, key string) (domain.Job, error) {
	const op = "sqlstore.Job"
	rows, err := db.read.QueryContext(ctx, `SELECT `+jobColumns+` FROM scheduled_jobs WHERE job_key = $1`, key)
	if err != nil {
		return domain.Job{}, opError(op, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return domain.Job{}, opError(op, err)
	}
	if len(jobs) == 0 {
		return domain.Job{}, opError(op, domain.Errorf(domain.ENotFound, "no scheduled job %q", key))
	}
	return jobs[0], nil
}

// PendingUntil returns the jobs that may still run and may be claimed before until (RunAt < until), by RunAt: what
// the scheduler would run up to then, for the alerts preview.
func (db *Jobs) PendingUntil(ctx context.Context, until time.Time) ([]domain.Job, error) {
	const op = "sqlstore.PendingUntil"
	rows, err := db.read.QueryContext(ctx, `SELECT `+jobColumns+` FROM scheduled_jobs WHERE `+pendingJob+`
AND run_at < $1 ORDER BY run_at, id`, db.timeArg(until))
	if err != nil {
		return nil, opError(op, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, opError(op, err)
	}
	return jobs, nil
}

// Pending returns the number of jobs that may still run (neither done, cancelled nor abandoned), for metrics and
// tests.
func (db *Jobs) Pending(ctx context.Context) (int, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM scheduled_jobs WHERE `+pendingJob).Scan(&n); err != nil {
		return 0, opError("sqlstore.Pending", err)
	}
	return n, nil
}

// ClaimDue returns up to limit jobs of the given kinds that may still run, whose RunAt is at or before now and that
// no live claim holds, the earliest RunAt first (returned in DueAt order), after atomically incrementing their Attempts and giving them a claim: a new
// random token, returned with them ("" when there are none), whose lease ends at now+lease (their RunAt moves
// there; the values returned are the new ones). Concurrent claimers, in this process or others, never get the same
// job while its lease lasts; once it has ended, another claimer may take the job and the token no longer holds it.
// limit and lease must be positive and kinds not empty (EInvalid).
func (db *Jobs) ClaimDue(ctx context.Context, now time.Time, kinds []string, limit int, lease time.Duration) ([]domain.Job, string, error) {
	const op = "sqlstore.ClaimDue"
	if limit <= 0 || lease <= 0 || len(kinds) == 0 {
		return nil, "", opError(op, domain.Errorf(domain.EInvalid, "claiming needs kinds, a positive limit and a lease"))
	}
	query, kindsArg := claimJobsPostgres, any(kinds)
	if db.dialect == DialectSQLite {
		list, err := json.Marshal(kinds)
		if err != nil {
			return nil, "", opError(op, err)
		}
		query, kindsArg = claimJobsSQLite, string(list)
	}
	token := rand.Text()
	now = now.UTC().Truncate(time.Microsecond)
	rows, err := db.write.QueryContext(ctx, query, db.timeArg(now), db.timeArg(now.Add(lease)), limit, token, kindsArg)
	if err != nil {
		return nil, "", opError(op, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, "", opError(op, err)
	}
	if len(jobs) == 0 {
		return nil, "", nil
	}
	// RETURNING gives rows in no defined order, and their RunAt is now the same for all.
	slices.SortFunc(jobs, func(a, b domain.Job) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return cmpInt64(a.ID, b.ID)
	})
	return jobs, token, nil
}

// Renew extends the claim token holds on job id to now+lease (its RunAt moves with it), if that claim is live at
// now: the job's current claim, its lease not ended. Otherwise the claim is lost (EConflict) and nothing changes.
// lease must be positive (EInvalid); an unknown id is ENotFound.
func (db *Jobs) Renew(ctx context.Context, id int64, token string, now time.Time, lease time.Duration) error {
	const op = "sqlstore.Renew"
	if lease <= 0 {
		return opError(op, domain.Errorf(domain.EInvalid, "renewing a claim needs a positive lease"))
	}
	return db.markClaimed(ctx, op, jobRows, id, token, now,
		`UPDATE scheduled_jobs SET run_at = $4, claimed_until = $4 `+liveClaim, db.timeArg(now.Add(lease)))
}

// MarkDone records that job id ran to completion at at, and ends the claim. Like every Mark method it takes the
// token of the claim under which the job ran and changes the job only while that claim is live at at (now): the
// job's current claim, its lease not ended. Otherwise the claim is lost (EConflict), perhaps to another runner,
// and nothing changes. An unknown id is ENotFound.
func (db *Jobs) MarkDone(ctx context.Context, id int64, token string, at time.Time) error {
	return db.markClaimed(ctx, "sqlstore.MarkDone", jobRows, id, token, at,
		`UPDATE scheduled_jobs SET done_at = $3, `+endClaim+` `+liveClaim)
}

// MarkRetry records a failed attempt under the claim token, live at now (see MarkDone): the claim ends and the job
// may run again at next, with lastError kept for the record.
func (db *Jobs) MarkRetry(ctx context.Context, id int64, token string, now, next time.Time, lastError string) error {
	return db.markClaimed(ctx, "sqlstore.MarkRetry", jobRows, id, token, now,
		`UPDATE scheduled_jobs SET run_at = $4, last_error = $5, `+endClaim+` `+liveClaim, db.timeArg(next), lastError)
}

// MarkAbandoned records, under the claim token, live at at (see MarkDone), that the job will not be tried again
// (abandoned at at, because of lastError). It stays in the table for the record, and keeps its key.
func (db *Jobs) MarkAbandoned(ctx context.Context, id int64, token string, at time.Time, lastError string) error {
	return db.markClaimed(ctx, "sqlstore.MarkAbandoned", jobRows, id, token, at,
		`UPDATE scheduled_jobs SET abandoned_at = $3, last_error = $4, `+endClaim+` `+liveClaim, lastError)
}

// scanJobs reads rows of jobColumns and closes them.
func scanJobs(rows *sql.Rows) ([]domain.Job, error) {
	defer rows.Close()
	var out []domain.Job
	for rows.Next() {
		var j domain.Job
		if err := rows.Scan(&j.ID, &j.Kind, &j.Key, jsonScanner{&j.Payload}, timeScanner{&j.DueAt},
			timeScanner{&j.RunAt}, timeScanner{&j.CreatedAt}, &j.Attempts, timeScanner{&j.DoneAt},
			timeScanner{&j.CancelledAt}, timeScanner{&j.AbandonedAt}, &j.LastError); err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// CancelJob cancels the job with key inside the transaction (see Jobs.Cancel).
func (t *Tx) CancelJob(ctx context.Context, key string) (bool, error) {
	n, err := changedRows(ctx, t.tx, `UPDATE scheduled_jobs SET cancelled_at = $2, `+endClaim+`
WHERE job_key = $1 AND `+pendingJob, key, t.db.timeArg(t.db.nowUTC()))
	if err != nil {
		return false, opError("sqlstore.CancelJob", err)
	}
	return n == 1, nil
}

// FirstEffect records, inside the transaction, that the job with key has had its effects, and reports whether this
// is the first time: false means an earlier run committed them already and the caller must not repeat them.
func (t *Tx) FirstEffect(ctx context.Context, key string) (bool, error) {
	if key == "" {
		return false, opError("sqlstore.FirstEffect", domain.Errorf(domain.EInvalid, "an effect needs the job's key"))
	}
	n, err := changedRows(ctx, t.tx, `INSERT INTO job_effects (job_key, at) VALUES ($1, $2) ON CONFLICT (job_key) DO NOTHING`,
		key, t.db.timeArg(t.db.nowUTC()))
	if err != nil {
		return false, opError("sqlstore.FirstEffect", err)
	}
	return n == 1, nil
}

// EffectDone reports whether effects were recorded under key (FirstEffect), e.g. a person's joiner welcome.
func (db *Register) EffectDone(ctx context.Context, key string) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM job_effects WHERE job_key = $1`, key).Scan(&n)
	if err != nil {
		return false, opError("sqlstore.EffectDone", err)
	}
	return n > 0, nil
}

// OldestDue returns the earliest RunAt of the jobs that may still run and are due at now (zero when none): how far
// the scheduler lags behind.
func (db *Jobs) OldestDue(ctx context.Context, now time.Time) (time.Time, error) {
	var t time.Time
	err := db.read.QueryRowContext(ctx, `SELECT MIN(run_at) FROM scheduled_jobs WHERE `+pendingJob+` AND run_at <= $1`,
		db.timeArg(now)).Scan(timeScanner{&t})
	if err != nil {
		return time.Time{}, opError("sqlstore.OldestDue", err)
	}
	return t, nil
}
