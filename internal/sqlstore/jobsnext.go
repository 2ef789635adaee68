package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// NextRun returns when the next pending job may be claimed (the earliest RunAt of the jobs that may still run), and
// false when none is pending: for tests that move a clock from one due job to the next, and for previews. It reads
// the partial index scheduled_jobs_due, so its cost does not grow with finished jobs.
func (db *Jobs) NextRun(ctx context.Context) (time.Time, bool, error) {
	var at time.Time
	err := db.read.QueryRowContext(ctx, `SELECT run_at FROM scheduled_jobs WHERE `+pendingJob+` ORDER BY run_at LIMIT 1`).
		Scan(timeScanner{&at})
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return time.Time{}, false, nil
		}
		return time.Time{}, false, opError("sqlstore.NextRun", err)
	}
	return at, true, nil
}
