package alerts

// The weekly digest: on the first working morning of each week every main user gets one card listing what is
// open, with its age, the mandates ending in the next 60 days and the requests that have waited long for their
// approver. Each digest schedules the next week's; Start schedules the first.

import (
	"context"
	"fmt"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// KindWeeklyDigest is the weekly digest to a main user.
const KindWeeklyDigest = "digest.weekly"

func init() { register(KindWeeklyDigest, nil, weeklyDigest) }

// digestPayload names the main user.
type digestPayload struct {
	MainUser string `json:"main_user"`
}

// Scheduler adds jobs outside a change's transaction (sqlstore.Jobs).
type Scheduler interface {
	Schedule(ctx context.Context, job domain.Job) (bool, error)
}

// Start schedules what no change schedules: each main user's next weekly digest, today's continuity check of the
// right to grant (continuity.go) and the next periodic review campaign (review.go). Scheduling is by key, so every
// replica may call it at start-up.
func (s *Service) Start(ctx context.Context, jobs Scheduler) error {
	for _, mu := range s.Catalog.Org.MainUsers {
		if _, err := jobs.Schedule(ctx, s.digestJob(mu, s.now())); err != nil {
			return err
		}
	}
	if _, err := jobs.Schedule(ctx, s.continuityCheckJob(s.today(), nil)); err != nil {
		return err
	}
	return s.startReviews(ctx, jobs)
}

// digestJob is the digest of the first week that starts after now (this week's, if its first working morning
// has not come yet).
func (s *Service) digestJob(mainUser string, now time.Time) domain.Job {
	cal := s.Calendar()
	day := cal.Date(now)
	monday := day.AddDays(-int((day.Time().Weekday() + 6) % 7))
	at := s.OnDay(monday)
	for !at.After(now) {
		monday = monday.AddDays(7)
		at = s.OnDay(monday)
	}
	year, week := monday.Time().ISOWeek()
	return Job(KindWeeklyDigest, "mainuser/"+mainUser, fmt.Sprintf("%d-W%02d", year, week), at, digestPayload{MainUser: mainUser})
}

// weeklyDigest sends the main user their digest (rendered from the register when it is delivered) and schedules
// next week's. A person who is no longer a main user gets none, and the chain ends.
func weeklyDigest(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p digestPayload
	if err := decode(job, &p); err != nil {
		return nil, err
	}
	if !s.Catalog.Org.IsMainUser(p.MainUser) {
		return nil, nil
	}
	if _, err := tx.Schedule(ctx, s.digestJob(p.MainUser, s.now())); err != nil {
		return nil, err
	}
	return []domain.OutboxMessage{domain.Message(p.MainUser, 0, domain.WeeklyDigest{})}, nil
}
