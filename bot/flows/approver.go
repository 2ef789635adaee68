package flows

import (
	"context"
	"encoding/json"

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
