package flows

// A mandate's life after its grant (issue 8.5–8.6): Renew and Let it lapse on the expiry notice (the holder and their
// supervisor), the mandate list and the invalidation form (main users, and supervisors for their people), and the
// main users' Invalidated. Card data only names a mandate: every tap is checked against the actor's rights in the
// register and the directory (workflow.Mandates), never trusted.

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/views"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// mandateLife is the flows of a mandate after its grant.
type mandateLife struct{ *Flows }

func (m *mandateLife) register() {
	if m.Mandates == nil {
		return // not wired (tests of other flows): the verbs stay unknown
	}
	m.commands[cmdMandateList] = func(ctx context.Context, t *Turn) (*cards.Card, error) { return m.list(ctx, t, 0) }
	m.verbs[cards.VerbMandateList] = verb{handle: m.listVerb}
	m.verbs[cards.VerbMandateRenew] = verb{handle: m.renew}
	m.verbs[cards.VerbMandateLapse] = verb{handle: m.lapse}
	m.verbs[cards.VerbInvalidationOpen] = verb{handle: m.invalidationOpen}
	m.verbs[cards.VerbInvalidationRequest] = verb{handle: m.invalidationRequest}
	m.verbs[cards.VerbInvalidationDone] = verb{handle: m.invalidationDone}
}

// decodeMandate decodes the data of a verb that names a mandate, with its inputs.
func decodeMandate(raw json.RawMessage, inputs ...string) (cards.MandateData, map[string]string, error) {
	var d cards.MandateData
	in, err := decode(raw, &d, inputs)
	if err == nil && d.MandateID <= 0 {
		err = errBadAction
	}
	return d, in, err
}

// ---- the mandate list -----------------------------------------------------------------------------------------

func (m *mandateLife) listVerb(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.MandateListData
	if _, err := decode(raw, &d, nil); err != nil || d.Offset < 0 {
		return nil, errBadAction
	}
	return m.list(ctx, t, d.Offset)
}

// list is the mandates the actor may ask to invalidate: all of them for a main user, their people's for a
// supervisor (none for anyone else).
func (m *mandateLife) list(ctx context.Context, t *Turn, offset int) (*cards.Card, error) {
	l, err := m.Mandates.List(ctx, t.Actor())
	if err != nil {
		return nil, err
	}
	return cards.MandateList(t.P, cards.MandateListInput{Catalog: m.Catalog, Mandates: l.Mandates,
		Invalidations: l.Invalidations, MainUser: l.MainUser, Offset: offset}), nil
}

// ---- expiry: renew, let it lapse ------------------------------------------------------------------------------

// renew files the renewal. The holder's card becomes the request's status card (updated as it moves on); the
// supervisor's shows the renewal under way. A repeated tap files nothing and shows the card as it is now.
func (m *mandateLife) renew(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, _, err := decodeMandate(raw)
	if err != nil {
		return nil, err
	}
	r, err := m.Mandates.Renew(ctx, workflow.RenewInput{ActorID: t.Actor(), MandateID: d.MandateID,
		Fallback: t.P.Get("mandate.renewal.justification"), ActivityID: t.Activity.ID})
	switch {
	case err == nil && r.RequesterID == t.Actor():
		(&employee{m.Flows}).rememberStatusCard(ctx, t, r)
		return m.Views.Status(t.P, r), nil
	case err == nil, domain.IsCode(err, domain.EConflict), domain.IsCode(err, domain.EInvalid):
		return m.expiryCard(ctx, t, d.MandateID, err)
	}
	return nil, err
}

// lapse records Let it lapse and shows the notice with the choice made.
func (m *mandateLife) lapse(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, _, err := decodeMandate(raw)
	if err != nil {
		return nil, err
	}
	_, err = m.Mandates.LetLapse(ctx, t.Actor(), d.MandateID, t.Activity.ID)
	if err != nil && !domain.IsCode(err, domain.EConflict) {
		return nil, err
	}
	return m.expiryCard(ctx, t, d.MandateID, nil) // a repeated tap: the card as it is now, the choice shown
}

// expiryCard is the actor's expiry notice of the mandate as it is now, with the refusal of the last action if any.
func (m *mandateLife) expiryCard(ctx context.Context, t *Turn, id int64, cause error) (*cards.Card, error) {
	a, err := m.Mandates.Access(ctx, t.Actor(), id)
	if err != nil {
		return nil, err
	}
	if !a.Holder && !a.Supervisor {
		return nil, domain.Errorf(domain.EForbidden, "err.not_holder_or_supervisor")
	}
	return m.Views.Expiry(ctx, t.P, a.MandateLife, t.Actor(), m.refusal(t, cause)), nil
}

// refusal is the text of an error a person can act on, for the card; "" for none.
func (m *mandateLife) refusal(t *Turn, err error) string {
	if err == nil {
		return ""
	}
	msg, _ := userError(t.P, err)
	return msg
}

// ---- invalidation ---------------------------------------------------------------------------------------------

// invalidationOpen shows a main user the open task of the mandate, or the form that opens one; a supervisor the
// form that asks for one.
func (m *mandateLife) invalidationOpen(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, _, err := decodeMandate(raw)
	if err != nil {
		return nil, err
	}
	a, err := m.Mandates.Access(ctx, t.Actor(), d.MandateID)
	if err != nil {
		return nil, err
	}
	return m.invalidationCard(ctx, t, a, "")
}

// invalidationCard is the task for a main user once one exists, else the form.
func (m *mandateLife) invalidationCard(ctx context.Context, t *Turn, a workflow.MandateAccess, errText string) (*cards.Card, error) {
	if a.MainUser && a.Invalidation.MandateID != 0 {
		others, err := views.OtherMandates(ctx, m.Workflow.Store, a.Mandate, a.Today)
		if err != nil {
			return nil, err
		}
		return m.Views.InvalidationTask(ctx, t.P, a.MandateLife, t.Actor(), 0, others, errText), nil
	}
	if !a.MainUser && !a.Supervisor {
		return nil, domain.Errorf(domain.EForbidden, "err.not_main_user_or_supervisor")
	}
	return m.Views.InvalidationForm(ctx, t.P, a.MandateLife, t.Actor(), a.Supervisor, errText), nil
}

// invalidationRequest opens (a main user) or asks for (the holder's supervisor) the task, with the reason.
func (m *mandateLife) invalidationRequest(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, in, err := decodeMandate(raw, cards.ReasonInput)
	if err != nil {
		return nil, err
	}
	a, err := m.Mandates.RequestInvalidation(ctx, workflow.InvalidationInput{ActorID: t.Actor(), MandateID: d.MandateID,
		Reason: in[cards.ReasonInput], ActivityID: t.Activity.ID})
	switch {
	case err == nil:
		return m.invalidationCard(ctx, t, a, "")
	case domain.IsCode(err, domain.EInvalid), domain.IsCode(err, domain.EConflict):
		// Keep the person on the form with the refusal, or show the task that exists already.
		if a, aerr := m.Mandates.Access(ctx, t.Actor(), d.MandateID); aerr == nil && (a.MainUser || a.Supervisor) {
			return m.invalidationCard(ctx, t, a, m.refusal(t, err))
		}
	}
	return nil, err
}

// invalidationDone records a main user's Invalidated with the day it was done in Suomi.fi.
func (m *mandateLife) invalidationDone(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, in, err := decodeMandate(raw, cards.InvalidatedOnInput)
	if err != nil {
		return nil, err
	}
	if !m.Workflow.IsMainUser(t.Actor()) {
		return nil, domain.Errorf(domain.EForbidden, "err.not_main_user")
	}
	var on domain.Date
	if day, perr := time.Parse(time.DateOnly, strings.TrimSpace(in[cards.InvalidatedOnInput])); perr == nil {
		on = domain.DateOf(day)
	}
	a, err := m.Mandates.ConfirmInvalidation(ctx, workflow.ConfirmInput{ActorID: t.Actor(), MandateID: d.MandateID,
		InvalidatedOn: on, ActivityID: t.Activity.ID})
	switch {
	case err == nil:
		return m.invalidationCard(ctx, t, a, "")
	case domain.IsCode(err, domain.EInvalid), domain.IsCode(err, domain.EConflict):
		if a, aerr := m.Mandates.Access(ctx, t.Actor(), d.MandateID); aerr == nil {
			return m.invalidationCard(ctx, t, a, m.refusal(t, err))
		}
	}
	return nil, err
}
