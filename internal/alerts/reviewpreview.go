package alerts

// The previews of the reviews' jobs (the main users' "upcoming reminders" and `valtuusbotti alerts`): a mover's
// review card, a review's reminder and escalation, a campaign's deadline. Without them these jobs were listed by
// their keys, which name people by their Entra object ids.

import (
	"context"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() {
	describe(KindMover, previewMover)
	describe(KindReviewReminder, previewReviewJob("review.preview.reminder"))
	describe(KindReviewEscalation, previewReviewJob("review.preview.escalation"))
	describe(KindReviewDeadline, previewDeadline)
}

// reviewReader reads a review (sqlstore.Register); the previews use it when the store has it.
type reviewReader interface {
	Review(ctx context.Context, id int64) (domain.Review, error)
}

// previewMover is the review card a mover event would send: to the new supervisor (else the main users), when the
// person holds mandates in force.
func previewMover(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	var ev domain.DirectoryEvent
	if err := decode(job, &ev); err != nil || ev.After == nil {
		return nil, nil, err
	}
	ms, err := s.Store.MandatesByHolder(ctx, ev.PersonID)
	if err != nil {
		return nil, nil, err
	}
	today := domain.Today(s.now())
	var current int
	for _, m := range ms {
		if m.Current(today) {
			current++
		}
	}
	if current == 0 {
		return nil, nil, nil
	}
	to := s.Catalog.Org.MainUsers
	if ev.After.ManagerID != "" {
		to = []string{ev.After.ManagerID}
	}
	return []Alert{{To: to, What: p.Format("review.preview.mover", "name", ev.After.DisplayName)}}, nil, nil
}

// previewReviewJob is a review's reminder or escalation, unless every item of the review has been decided.
func previewReviewJob(key string) previewer {
	return func(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
		var pl reviewJob
		if err := decode(job, &pl); err != nil {
			return nil, nil, err
		}
		if rr, ok := s.Store.(reviewReader); ok {
			r, err := rr.Review(ctx, pl.Review)
			if err != nil && !domain.IsCode(err, domain.ENotFound) {
				return nil, nil, err
			}
			if err != nil || !r.Open() {
				return nil, nil, nil
			}
		}
		return []Alert{{To: []string{pl.Reviewer}, What: p.Get(key)}}, nil, nil
	}
}

// previewDeadline is a campaign's close and its report to the main users.
func previewDeadline(s *Service, _ context.Context, _ domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	return []Alert{{To: s.Catalog.Org.MainUsers, What: p.Get("review.preview.deadline")}}, nil, nil
}
