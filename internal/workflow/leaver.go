package workflow

// A leaver's invalidation task (issue 10.4): a main user confirms, in one submit, the mandates of the person who
// left that they invalidated in Suomi.fi (the selection basket invalidates them together). Each ticked mandate is
// recorded as for a single task (ConfirmInvalidation), in one transaction; the leaver, who has left, is not told.

import (
	"context"
	"log/slog"
	"slices"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// LeaverConfirmInput is a main user's confirmation on a leaver's task card.
type LeaverConfirmInput struct {
	ActorID       string
	PersonID      string  // the leaver
	MandateIDs    []int64 // the mandates ticked as invalidated
	InvalidatedOn domain.Date
	ActivityID    string
}

// ConfirmLeaver records that the ticked mandates of the leaver were invalidated in Suomi.fi on the day given. Only a
// main user; each mandate must be the leaver's, with an open task; a mandate confirmed already is skipped (a second
// tap, or another main user first), and when none is left to record the tap is a conflict. It returns how many were
// recorded.
func (s *Mandates) ConfirmLeaver(ctx context.Context, in LeaverConfirmInput) (int, error) {
	if !s.Flow.IsMainUser(in.ActorID) {
		return 0, forbidden("err.not_main_user")
	}
	if len(in.MandateIDs) == 0 {
		return 0, invalid("leaver.err.none_ticked")
	}
	today := s.Flow.Today()
	n := 0
	err := s.Flow.Store.InTx(ctx, func(tx Tx) error {
		n = 0
		mt, err := domain.MandateTxOf(tx)
		if err != nil {
			return err
		}
		for _, id := range slices.Compact(slices.Sorted(slices.Values(in.MandateIDs))) {
			m, err := mt.Mandate(ctx, id)
			if domain.IsCode(err, domain.ENotFound) || (err == nil && m.HolderID != in.PersonID) {
				return forbidden("err.no_mandate_access")
			}
			if err != nil {
				return err
			}
			inv, err := mt.Invalidation(ctx, m.ID)
			if domain.IsCode(err, domain.ENotFound) || (err == nil && !inv.Open()) || m.State != domain.MandateActive {
				continue
			}
			if err != nil {
				return err
			}
			if err := inv.CheckInvalidatedOn(today, in.InvalidatedOn); err != nil {
				return err
			}
			inv.ConfirmedBy, inv.InvalidatedOn = in.ActorID, in.InvalidatedOn
			if err := mt.ConfirmInvalidation(ctx, &inv); err != nil {
				return err
			}
			before := m
			if err := mt.RevokeMandate(ctx, &m); err != nil {
				return err
			}
			if err := mandateAudit(ctx, tx, in.ActorID, "mandate.revoked", m, map[string]any{"state_before": before.State,
				"state": m.State, "invalidated_on": in.InvalidatedOn.String(), "requested_by": inv.RequestedBy,
				"leaver": true}, in.ActivityID); err != nil {
				return err
			}
			if err := s.planMandate(ctx, tx, alerts.EventRevoked, m); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return conflict("err.invalidation_confirmed")
		}
		return nil
	})
	if err != nil {
		return 0, domain.Wrap("workflow.ConfirmLeaver", err)
	}
	s.Flow.committed()
	s.Flow.log().InfoContext(ctx, "leaver's mandates invalidated", slog.Int("mandates", n))
	return n, nil
}
