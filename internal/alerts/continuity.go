package alerts

// Continuity of the right to grant (issue 10.6): every working morning a check reads the holders of the
// organisation's valtuutusoikeus (organisation.yaml, granting_right_holders), the directory and the themes in use
// (in a mandate in force or in a request that still waits), and warns the main users, once per occurrence, when
//   - a theme in use has fewer than two holders whose right is in force and who are still in the organisation
//     (once per set of such themes: a new set warns again);
//   - a holder's right ends within 90 days (once per holder and end date);
//   - a holder has left (account gone, disabled or past its leave date; the leaver event warns at once too) or
//     moved (department or job title changed since the previous check; once per new position).
// Each check schedules the next day's, carrying what it saw of the holders, so a move is noticed without storing a
// copy of the directory. Start schedules the first. A theme outside every holder's right is not granted at all: the
// request waits for the right to grant (workflow), because the covered themes are those of the holders whose right
// is in force (domain.Organisation.CoversOn).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
)

// KindContinuityCheck is the daily check of the right to grant.
const KindContinuityCheck = "continuity_check"

func init() { register(KindContinuityCheck, nil, continuityCheck) }

// checkPayload is a check's day and the holders' department and job title as the previous check saw them.
type checkPayload struct {
	Day  string            `json:"day"`
	Seen map[string]string `json:"seen,omitempty"`
}

// continuityCheckJob is the check of day, due at the start of its working hours (or the next working day's).
func (s *Service) continuityCheckJob(day domain.Date, seen map[string]string) domain.Job {
	return Job(KindContinuityCheck, "org", day.String(), s.OnDay(day), checkPayload{Day: day.String(), Seen: seen})
}

// continuityCheck runs one day's check and schedules the next.
func continuityCheck(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p checkPayload
	if err := decode(job, &p); err != nil {
		return nil, err
	}
	lt, err := lifeTxOf(tx)
	if err != nil {
		return nil, err
	}
	org := s.Catalog.Org
	now := s.now()
	today := s.today()
	gone := map[string]bool{}
	seen := map[string]string{}
	var msgs []domain.OutboxMessage
	warn := func(key string, a domain.ContinuityAlert) error {
		more, err := s.continuityOnce(ctx, tx, key, a)
		msgs = append(msgs, more...)
		return err
	}
	for _, h := range org.RightHolders {
		u, err := s.Directory.User(ctx, h.ID)
		switch {
		case domain.IsCode(err, domain.ENotFound):
		case err != nil:
			return nil, err // a directory outage must not look like everyone left: the job retries
		}
		name := u.DisplayName
		if name == "" {
			name = h.ID
		}
		if err != nil || !u.AccountEnabled || (u.LeaveDate != nil && !domain.Today(*u.LeaveDate).After(today)) {
			gone[strings.ToLower(h.ID)] = true
			if err := warn(holderLeftKey(h.ID), domain.ContinuityAlert{Reason: domain.ContinuityHolderLeft,
				Holder: h.ID, HolderName: name, Themes: h.Themes, Until: h.Until}); err != nil {
				return nil, err
			}
			continue
		}
		pos := u.Department + "|" + u.JobTitle
		seen[h.ID] = pos
		if prev, ok := p.Seen[h.ID]; ok && prev != pos {
			if err := warn("holder/"+h.ID+"/moved/"+shortHash(pos), domain.ContinuityAlert{
				Reason: domain.ContinuityHolderMoved, Holder: h.ID, HolderName: name, Themes: h.Themes, Until: h.Until}); err != nil {
				return nil, err
			}
		}
		if h.EndsWithin(today, domain.RightEndingDays) {
			if err := warn("holder/"+h.ID+"/ending/"+h.Until.String(), domain.ContinuityAlert{
				Reason: domain.ContinuityRightEnding, Holder: h.ID, HolderName: name, Themes: h.Themes, Until: h.Until}); err != nil {
				return nil, err
			}
		}
	}
	inUse, err := lt.ThemesInUse(ctx, now)
	if err != nil {
		return nil, err
	}
	if thin := org.ThinThemes(inUse, today, func(id string) bool { return gone[strings.ToLower(id)] }); len(thin) > 0 {
		if err := warn("themes/few/"+shortHash(strings.Join(thin, ",")), domain.ContinuityAlert{
			Reason: domain.ContinuityFewHolders, Themes: thin}); err != nil {
			return nil, err
		}
	}
	if _, err := tx.Schedule(ctx, s.continuityCheckJob(today.AddDays(1), seen)); err != nil {
		return nil, err
	}
	return msgs, nil
}

// holderLeftKey is the occurrence key of a holder's leaving: the leaver event and the daily check share it.
func holderLeftKey(id string) string { return "holder/" + strings.ToLower(id) + "/left" }

// continuityOnce sends the alert to the main users unless the occurrence key was warned about before (the key is
// recorded with the job effects, in the same transaction), with its audit row.
func (s *Service) continuityOnce(ctx context.Context, tx domain.Tx, key string, a domain.ContinuityAlert) ([]domain.OutboxMessage, error) {
	first, err := tx.FirstEffect(ctx, "continuity/"+key)
	if err != nil || !first {
		return nil, err
	}
	var msgs []domain.OutboxMessage
	for _, mu := range s.Catalog.Org.MainUsers {
		msgs = append(msgs, domain.Message(mu, 0, a))
	}
	return msgs, personAudit(ctx, tx, "continuity.alert", map[string]any{"reason": a.Reason, "holder": a.Holder,
		"themes": a.Themes, "until": a.Until.String(), "recipients": len(msgs)})
}

// shortHash names a value in a key without writing it out.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

// errNoPerson is a directory event about nobody: no retry helps.
func errNoPerson(job domain.Job) error {
	return fmt.Errorf("%w: job %s: the event names no person", scheduler.ErrPermanent, job.Key)
}

func init() { describe(KindContinuityCheck, previewContinuityCheck) }

// previewContinuityCheck lists the daily check only by what it would warn about; the preview does not run it (it
// reads the directory), so it lists nothing and follows no further checks.
func previewContinuityCheck(*Service, context.Context, domain.Job, i18n.Printer) ([]Alert, []domain.Job, error) {
	return nil, nil, nil
}
