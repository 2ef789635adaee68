package alerts

// A mover (issue 10.3): the directory sync raised a DirectoryEvent of kind Mover (department, job title or
// manager changed) and scheduled it as a "dir_mover" job (domain.DirectoryEvent.Job). Its effect gives the new
// supervisor (After.ManagerID; else the new department's head, else a main user) one review of the person's active
// mandates, with the old and new job shown, reminded and escalated like an approval (review.go). A mover with no
// active mandate gets nothing but an audit row. The job's key makes this happen once per move.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
)

// KindMover is the job of a mover event.
var KindMover = domain.Mover.JobKind()

func init() { register(KindMover, nil, moverEffect) }

// moverEffect opens the new supervisor's review of the person's active mandates.
func moverEffect(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var ev domain.DirectoryEvent
	if err := decode(job, &ev); err != nil {
		return nil, err
	}
	if ev.Kind != domain.Mover || ev.After == nil || ev.PersonID == "" {
		return nil, fmt.Errorf("%w: job %s is no mover event", scheduler.ErrPermanent, job.Key)
	}
	rt, err := domain.ReviewTxOf(tx)
	if err != nil {
		return nil, err
	}
	ms, err := rt.ActiveMandates(ctx, ev.PersonID, s.today())
	if err != nil {
		return nil, err
	}
	var before domain.DirectoryPerson
	if ev.Before != nil {
		before = *ev.Before
	}
	move := map[string]any{"person_id": ev.PersonID, "old_department": before.Department, "old_title": before.JobTitle,
		"new_department": ev.After.Department, "new_title": ev.After.JobTitle, "old_manager_id": before.ManagerID,
		"new_manager_id": ev.After.ManagerID, "mandates": len(ms)}
	if len(ms) == 0 {
		return nil, moverAudit(ctx, tx, "review.mover_no_mandates", move)
	}
	holder := ev.After.User
	holder.ID = ev.PersonID
	rev, ok, err := s.reviewerFor(ctx, holder, ev.After.ManagerID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, moverAudit(ctx, tx, "review.mover_no_reviewer", move)
	}
	r := domain.Review{Kind: domain.ReviewMover, SubjectID: ev.PersonID, ReviewerID: rev.ID,
		ReviewerName: hetu.Redact(rev.DisplayName), Department: ev.After.Department,
		OldDepartment: before.Department, OldTitle: hetu.Redact(before.JobTitle),
		NewDepartment: ev.After.Department, NewTitle: hetu.Redact(ev.After.JobTitle)}
	for _, m := range ms {
		r.Items = append(r.Items, itemOf(m))
	}
	msg, err := s.openReview(ctx, rt, &r, domain.SystemActor, "")
	if err != nil {
		return nil, err
	}
	return []domain.OutboxMessage{msg}, nil
}

// moverAudit records what a mover event did when it opened no review.
func moverAudit(ctx context.Context, tx domain.Tx, action string, move map[string]any) error {
	raw, _ := json.Marshal(move)
	return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: domain.SystemActor, Action: action,
		Before: json.RawMessage("null"), After: raw})
}
