package views

import (
	"context"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// LeaverMandates reads the mandates on a leaver's task (sqlstore.Register).
type LeaverMandates interface {
	Mandate(ctx context.Context, id int64) (domain.Mandate, error)
	Invalidation(ctx context.Context, mandateID int64) (domain.Invalidation, error)
}

// LeaverTask is the main users' task card for the leaver's mandates ids as the register has them now: the ones
// still to invalidate, and how many were confirmed already. mayConfirm: the reader is a main user.
func (v *Views) LeaverTask(ctx context.Context, p i18n.Printer, r LeaverMandates, personID, name string, ids []int64,
	reminder int, mayConfirm bool, errText string) (*cards.Card, error) {
	today := domain.Today(v.Now())
	in := cards.LeaverTaskInput{Catalog: v.Catalog, PersonID: personID, Name: name, Reminder: reminder,
		Today: today.Time(), MayConfirm: mayConfirm, Error: errText}
	for _, id := range ids {
		m, err := r.Mandate(ctx, id)
		if domain.IsCode(err, domain.ENotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if in.Name == "" {
			in.Name = m.HolderName
		}
		inv, err := r.Invalidation(ctx, id)
		if domain.IsCode(err, domain.ENotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		switch {
		case inv.Open() && !m.Ended(today):
			in.Open = append(in.Open, m)
			if in.Since.IsZero() || inv.RequestedAt.Before(in.Since) {
				in.Since = inv.RequestedAt
			}
		case !inv.Open():
			in.Done = append(in.Done, m)
		}
	}
	return cards.LeaverTask(p, in), nil
}
