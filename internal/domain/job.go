package domain

import (
	"encoding/json"
	"time"
)

// Job is a piece of work scheduled for a time, kept in the register until it has run: a reminder before a mandate
// expires, a check before a leaver's last day. The scheduler runs it with the handler registered for its Kind.
//
// Key identifies the job for good: scheduling a job whose key exists changes nothing, so the code that schedules
// work may run as often as it likes. A key names the kind, the subject and the occurrence, e.g.
// "mandate_expiry/42/2027-01-15": the reminder for another date is another job.
type Job struct {
	ID          int64
	Kind        string          // which handler runs it
	Key         string          // unique over all jobs, finished ones included
	Payload     json.RawMessage // what the handler needs, as JSON; may be empty
	DueAt       time.Time       // when it was scheduled for
	RunAt       time.Time       // when it may be claimed next: DueAt, then a claim's lease end or a retry's time
	CreatedAt   time.Time       // when it was scheduled
	Attempts    int             // claims so far, the current one included
	DoneAt      time.Time       // when it ran to completion; zero until then
	CancelledAt time.Time       // when it was cancelled before it ran; zero if not
	AbandonedAt time.Time       // when the scheduler gave up on it; zero if not
	LastError   string          // why the last attempt failed, for the record
}

// Pending reports whether the job may still run: not done, cancelled or abandoned.
func (j Job) Pending() bool {
	return j.DoneAt.IsZero() && j.CancelledAt.IsZero() && j.AbandonedAt.IsZero()
}
