package alerts

// A question handed to the digituki channel that nobody takes: after the organisation's reminder time (working
// minutes) the channel is reminded in the card's thread, and again after as long, up to the number of reminders
// the organisation allows. The hand-off schedules the first when it is created (support.StartHandoff); a reminder
// that finds the question taken, closed or cancelled does nothing and the chain ends.

import (
	"context"
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// KindHandoffRemind reminds the digituki channel of an untaken question.
const KindHandoffRemind = "handoff.remind"

func init() { register(KindHandoffRemind, nil, handoffReminder) }

// handoffPayload names the hand-off and the reminder's number (1 = the first).
type handoffPayload struct {
	Handoff int64 `json:"handoff"`
	N       int   `json:"n"`
}

// handoffTx is what the reminder reads and writes of a hand-off inside the job's transaction (sqlstore.Tx).
type handoffTx interface {
	Handoff(ctx context.Context, id int64) (domain.Handoff, error)
}

// HandoffReminderJob is the n-th reminder of hand-off id, due after the reminder time in working minutes from t.
func HandoffReminderJob(s *Service, id int64, n int, t time.Time) domain.Job {
	after := s.Catalog.Org.Digituki.ReminderAfter()
	return Job(KindHandoffRemind, "handoff/"+strconv.FormatInt(id, 10), strconv.Itoa(n), s.AfterWorkingTime(t, after),
		handoffPayload{Handoff: id, N: n})
}

// AfterWorkingTime is the moment d of working time after t: time outside working hours, weekends and holidays does
// not count.
func (s *Service) AfterWorkingTime(t time.Time, d time.Duration) time.Time {
	cal := s.Calendar()
	t = cal.NextWorkingMoment(t)
	for {
		local := cal.Local(t)
		y, m, day := local.Date()
		end := time.Date(y, m, day, 0, 0, 0, 0, local.Location()).Add(cal.WorkEnd)
		if left := end.Sub(t); d <= left {
			return t.Add(d)
		} else {
			d -= left
		}
		t = cal.NextWorkingMoment(end)
	}
}

// handoffReminder reminds the channel of a question still open, and schedules the next reminder.
func handoffReminder(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p handoffPayload
	if err := decode(job, &p); err != nil {
		return nil, err
	}
	htx, ok := tx.(handoffTx)
	if !ok {
		return nil, nil // a store without hand-offs
	}
	h, err := htx.Handoff(ctx, p.Handoff)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return nil, nil
		}
		return nil, err
	}
	if h.State != domain.HandoffOpen {
		return nil, nil // taken or ended: the chain ends
	}
	d := s.Catalog.Org.Digituki
	minutes := p.N * int(d.ReminderAfter().Minutes())
	msgs := []domain.OutboxMessage{domain.Message(domain.ChannelRecipient(h.ChannelID), 0,
		domain.HandoffReminder{Handoff: h.ID, N: p.N, Minutes: minutes})}
	if p.N < d.MaxReminders() {
		if _, err := tx.Schedule(ctx, HandoffReminderJob(s, h.ID, p.N+1, s.now())); err != nil {
			return nil, err
		}
	}
	return msgs, nil
}
