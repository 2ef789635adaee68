package views

import (
	"context"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// The cards of a mandate's life after its grant (expiry and invalidation), for the flows (after a tap) and delivery
// (the notices and tasks) alike: the names of the people involved come from the directory, the rest from the
// mandate's life as the caller read it.

// MandateReader reads a mandate and what became of it (sqlstore.Register implements it).
type MandateReader interface {
	Mandate(ctx context.Context, id int64) (domain.Mandate, error)
	Invalidation(ctx context.Context, mandateID int64) (domain.Invalidation, error)
	Renewal(ctx context.Context, mandateID int64) (domain.Request, bool, error)
	HolderMandates
}

// LoadLife reads a mandate's life as it is on today; ENotFound when there is no such mandate.
func LoadLife(ctx context.Context, r MandateReader, id int64, today domain.Date) (domain.MandateLife, error) {
	m, err := r.Mandate(ctx, id)
	if err != nil {
		return domain.MandateLife{}, err
	}
	l := domain.MandateLife{Mandate: m, Today: today}
	if l.Invalidation, err = r.Invalidation(ctx, id); err != nil && !domain.IsCode(err, domain.ENotFound) {
		return l, err
	}
	if rn, ok, err := r.Renewal(ctx, id); err != nil {
		return l, err
	} else if ok {
		l.Renewal = rn
	}
	return l, nil
}

// HolderMandates reads a person's mandates.
type HolderMandates interface {
	MandatesByHolder(ctx context.Context, holderID string) ([]domain.Mandate, error)
}

// OtherMandates counts the holder's other mandates in force on today (for the selection basket hint).
func OtherMandates(ctx context.Context, r HolderMandates, m domain.Mandate, today domain.Date) (int, error) {
	ms, err := r.MandatesByHolder(ctx, m.HolderID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range ms {
		if o.ID != m.ID && o.Current(today) {
			n++
		}
	}
	return n, nil
}

// mandateView is the life with the names of the people in it.
func (v *Views) mandateView(ctx context.Context, l domain.MandateLife) cards.MandateView {
	people := map[string]string{}
	for _, id := range []string{l.Mandate.LapseBy, l.Invalidation.RequestedBy, l.Invalidation.ConfirmedBy} {
		if id == "" || people[id] != "" {
			continue
		}
		if u, err := v.Directory.User(ctx, id); err == nil {
			people[id] = u.DisplayName
		}
	}
	return cards.MandateView{Mandate: l.Mandate, Invalidation: l.Invalidation, Renewal: l.Renewal, Today: l.Today.Time(),
		People: people}
}

// Expiry is the expiry notice for reader, the holder or (anyone else who may read it) their supervisor, with the
// buttons they may use now and the validity a renewal would ask for.
func (v *Views) Expiry(ctx context.Context, p i18n.Printer, l domain.MandateLife, reader, errText string) *cards.Card {
	holder := strings.EqualFold(reader, l.Mandate.HolderID)
	in := cards.ExpiryInput{Catalog: v.Catalog, View: v.mandateView(ctx, l), ForSupervisor: !holder,
		MayRenew: l.RenewableBy(holder, !holder), MayLapse: l.LapsableBy(holder, !holder), Error: errText}
	if in.MayRenew {
		in.RenewFrom, in.RenewUntil = v.renewalDates(ctx, l.Mandate)
	}
	return cards.ExpiryNotice(p, in)
}

// renewalDates are the validity a renewal of m would ask for, or zero times when it cannot be worked out.
func (v *Views) renewalDates(ctx context.Context, m domain.Mandate) (from, until time.Time) {
	th, ok := v.Catalog.Theme(m.ThemeID)
	if !ok {
		return time.Time{}, time.Time{}
	}
	var contractEnd domain.Date
	if u, err := v.Directory.User(ctx, m.HolderID); err == nil && u.LeaveDate != nil {
		contractEnd = domain.DateOf(*u.LeaveDate)
	}
	start := m.RenewalStart()
	val := domain.RenewalValidity(start, th, contractEnd)
	if !val.Open() {
		return time.Time{}, time.Time{}
	}
	return start.Time(), val.Default.Time()
}

// Expired is the holder's notice that the mandate has ended.
func (v *Views) Expired(ctx context.Context, p i18n.Printer, l domain.MandateLife) *cards.Card {
	return cards.ExpiredNotice(p, cards.MandateNoticeInput{Catalog: v.Catalog, View: v.mandateView(ctx, l)})
}

// Revoked is the holder's notice that the mandate was invalidated.
func (v *Views) Revoked(ctx context.Context, p i18n.Printer, l domain.MandateLife) *cards.Card {
	return cards.RevokedNotice(p, cards.MandateNoticeInput{Catalog: v.Catalog, View: v.mandateView(ctx, l)})
}

// InvalidationForm is the form reader fills to open (a main user) or ask for (a supervisor) an invalidation task.
func (v *Views) InvalidationForm(ctx context.Context, p i18n.Printer, l domain.MandateLife, reader string, supervisor bool, errText string) *cards.Card {
	main := v.Catalog.Org.IsMainUser(reader)
	return cards.InvalidationForm(p, cards.InvalidationFormInput{Catalog: v.Catalog, View: v.mandateView(ctx, l),
		MainUser: main, MayAsk: l.InvalidationAskableBy(reader, main, supervisor), Error: errText})
}

// InvalidationTask is a main user's invalidation task (reminder: its number, 0 for the task itself); others counts
// the holder's other mandates in force.
func (v *Views) InvalidationTask(ctx context.Context, p i18n.Printer, l domain.MandateLife, reader string, reminder, others int, errText string) *cards.Card {
	org := v.Catalog.Org
	return cards.InvalidationTask(p, cards.InvalidationTaskInput{Catalog: v.Catalog, View: v.mandateView(ctx, l),
		OrgName: org.Name, BusinessID: org.BusinessID, Reminder: reminder, OtherMandates: others,
		MayConfirm: l.ConfirmableBy(org.IsMainUser(reader)), Error: errText})
}
