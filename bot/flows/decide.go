package flows

// The deciders' side: the supervisor who approves, and the main users who record what they did in Suomi.fi.

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// approver is the supervisor's side: the approvals waiting and the decision.
type approver struct{ *Flows }

func (a *approver) register() {
	a.commands[cmdApprovals] = a.list
	a.verbs[cards.VerbApprovalList] = verb{handle: noData(a.list)}
	a.verbs[cards.VerbApprovalOpen] = verb{handle: a.open}
	a.verbs[cards.VerbApprovalDecide] = verb{handle: a.decide}
}

func (a *approver) list(ctx context.Context, t *Turn) (*cards.Card, error) {
	rs, err := a.Workflow.PendingApprovals(ctx, t.Actor())
	if err != nil {
		return nil, err
	}
	return cards.PendingApprovals(t.P, cards.PendingInput{Catalog: a.Catalog, Requests: rs, Now: a.Now()}), nil
}

// card is the approval card for the turn's person: the decision view only for the approver while it waits.
func (a *approver) card(ctx context.Context, t *Turn, r domain.Request, interactive bool, errText string) *cards.Card {
	id := t.Activity.From.ID // the actor's own "29:" id is always known in-turn
	if r.ApproverID != t.Actor() {
		id = a.Views.TeamsUserID(ctx, r.ApproverID)
	}
	return a.Views.Approval(ctx, t.P, r, id, interactive, errText)
}

func (a *approver) open(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, _, err := decodeRequest(raw, nil)
	if err != nil {
		return nil, err
	}
	acc, err := a.Workflow.View(ctx, t.Actor(), d.RequestID)
	if err != nil {
		return nil, err
	}
	return a.card(ctx, t, acc.Request, acc.CanDecide, ""), nil
}

func (a *approver) decide(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.DecideData
	inputs, err := decode(raw, &d, []string{cards.ReasonInput}, cards.ItemInputPrefix)
	if err != nil || d.RequestID <= 0 {
		return nil, errBadAction
	}
	approve, err := toggles(inputs)
	if err != nil {
		return nil, errBadAction
	}
	r, err := a.Workflow.Decide(ctx, workflow.DecideInput{ActorID: t.Actor(), RequestID: d.RequestID, Decision: d.Decision,
		Approve: approve, Reason: inputs[cards.ReasonInput], ActivityID: t.Activity.ID})
	switch {
	case err == nil:
		return a.card(ctx, t, r, false, ""), nil
	case domain.IsCode(err, domain.EInvalid):
		// Keep the approver on the interactive card with the reason shown.
		acc, verr := a.Workflow.View(ctx, t.Actor(), d.RequestID)
		if verr != nil {
			return nil, verr
		}
		msg, _ := userError(t.P, err)
		return a.card(ctx, t, acc.Request, acc.CanDecide, msg), nil
	case domain.IsCode(err, domain.EConflict):
		// A late or repeated tap: show the final card.
		if acc, verr := a.Workflow.View(ctx, t.Actor(), d.RequestID); verr == nil {
			return a.card(ctx, t, acc.Request, false, ""), nil
		}
	}
	return nil, err
}

// mainUser is the main users' side: the overview, the grant tasks, and recording what was done in Suomi.fi.
type mainUser struct{ *Flows }

func (m *mainUser) register() {
	m.commands[cmdOverview] = m.overview
	m.commands[cmdGrantTasks] = m.list
	m.verbs[cards.VerbOverview] = verb{handle: noData(m.overview)}
	m.verbs[cards.VerbGrantList] = verb{handle: m.listFromCard}
	m.verbs[cards.VerbGrantOpen] = verb{handle: m.open}
	m.verbs[cards.VerbGrantBatch] = verb{handle: m.batch}
	m.verbs[cards.VerbGrantBatchDone] = verb{handle: m.batchDone}
	m.verbs[cards.VerbGrantDone] = verb{handle: m.settle(false)}
	m.verbs[cards.VerbGrantFailed] = verb{handle: m.settle(true)}
	m.verbs[cards.VerbRightRecorded] = verb{handle: m.rightRecorded}
}

// The inputs of the grant task card: every verb on it receives all of them (Teams merges the card's inputs into
// the data of the button tapped).
var (
	grantCardInputs   = []string{cards.ValidFromInput, cards.ValidUntilInput, cards.ReasonInput, cards.ConfirmSelfInput}
	grantCardPrefixes = []string{cards.ItemInputPrefix, cards.RightDateInputPrefix}
)

func (m *mainUser) overview(ctx context.Context, t *Turn) (*cards.Card, error) {
	ov, err := m.Workflow.Overview(ctx, t.Actor())
	if err != nil {
		return nil, err
	}
	return cards.Overview(t.P, cards.OverviewInput{Overview: ov, Today: m.Workflow.Today().Time(), Catalog: m.Catalog,
		Ending: ov.EndingSoonest, Oldest: ov.OldestTasks, Invalidations: ov.OldestInvalidations}), nil
}

// listFromCard answers the list's refresh and the batch card's way back to the list; the batch card's inputs may
// come along and are ignored.
func (m *mainUser) listFromCard(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	if _, err := decode(raw, &struct{}{}, batchCardInputs, batchCardPrefixes...); err != nil {
		return nil, err
	}
	return m.list(ctx, t)
}

func (m *mainUser) list(ctx context.Context, t *Turn) (*cards.Card, error) {
	rs, err := m.Workflow.GrantTasks(ctx, t.Actor())
	if err != nil {
		return nil, err
	}
	return cards.GrantTasks(t.P, cards.GrantListInput{Catalog: m.Catalog, Requests: rs, Now: m.Now()}), nil
}

// task reads the request for a main user's grant task card.
func (m *mainUser) task(ctx context.Context, t *Turn, requestID int64) (domain.Request, error) {
	if !m.Workflow.IsMainUser(t.Actor()) {
		return domain.Request{}, domain.Errorf(domain.EForbidden, "err.not_main_user")
	}
	acc, err := m.Workflow.View(ctx, t.Actor(), requestID)
	return acc.Request, err
}

// open shows a request's grant task card, from the task list or the batch card (whose inputs are ignored).
func (m *mainUser) open(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, _, err := decodeRequest(raw, batchCardInputs, batchCardPrefixes...)
	if err != nil {
		return nil, err
	}
	r, err := m.task(ctx, t, d.RequestID)
	if err != nil {
		return nil, err
	}
	return m.Views.Grant(ctx, t.P, r, t.Actor(), ""), nil
}

// settle records Granted (VerbGrantDone, with the dates used in Suomi.fi) or Could not grant (VerbGrantFailed,
// with the reason) for the items whose toggle is on; without toggles, for every approved item.
func (m *mainUser) settle(failed bool) verbHandler {
	return func(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
		return m.settleItems(ctx, t, raw, failed)
	}
}

func (m *mainUser) settleItems(ctx context.Context, t *Turn, raw json.RawMessage, failed bool) (*cards.Card, error) {
	d, inputs, err := decodeRequest(raw, grantCardInputs, grantCardPrefixes...)
	if err != nil {
		return nil, err
	}
	sel, err := toggles(inputs)
	if err != nil {
		return nil, errBadAction
	}
	if !m.Workflow.IsMainUser(t.Actor()) {
		return nil, domain.Errorf(domain.EForbidden, "err.not_main_user")
	}
	items := selected(sel)
	if len(sel) > 0 && len(items) == 0 {
		// Every toggle off: nothing chosen, which must not be read as "all of them".
		err = domain.Errorf(domain.EInvalid, "err.no_items_selected")
	} else {
		var r domain.Request
		if r, err = m.record(ctx, t, failed, d.RequestID, items, inputs); err == nil {
			return m.Views.Grant(ctx, t.P, r, t.Actor(), ""), nil
		}
	}
	if domain.IsCode(err, domain.EInvalid) || domain.IsCode(err, domain.EConflict) {
		// Keep the main user on the task card with the reason shown.
		if r, verr := m.task(ctx, t, d.RequestID); verr == nil {
			msg, _ := userError(t.P, err)
			return m.Views.Grant(ctx, t.P, r, t.Actor(), msg), nil
		}
	}
	return nil, err
}

// record passes the verb's decision to the workflow.
func (m *mainUser) record(ctx context.Context, t *Turn, failed bool, requestID int64, items []int64, inputs map[string]string) (domain.Request, error) {
	if failed {
		return m.Workflow.NotGranted(ctx, workflow.NotGrantedInput{ActorID: t.Actor(), RequestID: requestID, ItemIDs: items,
			Reason: inputs[cards.ReasonInput], ActivityID: t.Activity.ID, ConfirmSelfGrant: inputs[cards.ConfirmSelfInput] == "true"})
	}
	from, _ := time.Parse(time.DateOnly, strings.TrimSpace(inputs[cards.ValidFromInput]))
	until, _ := time.Parse(time.DateOnly, strings.TrimSpace(inputs[cards.ValidUntilInput]))
	return m.Workflow.Grant(ctx, workflow.GrantInput{ActorID: t.Actor(), RequestID: requestID, ItemIDs: items,
		ValidFrom: from, ValidUntil: until, ActivityID: t.Activity.ID, ConfirmSelfGrant: inputs[cards.ConfirmSelfInput] == "true"})
}
