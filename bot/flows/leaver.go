package flows

// A leaver's invalidation task (issue 10.4): a main user ticks the mandates they invalidated in Suomi.fi (all are
// ticked) and confirms them in one tap. Card data names the leaver and the mandates of the task; the workflow checks
// every one against the register.

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// leaverTask is the flow of a leaver's task card.
type leaverTask struct{ *Flows }

func (l *leaverTask) register() {
	if l.Mandates == nil {
		return
	}
	l.verbs[cards.VerbLeaverDone] = verb{handle: l.done}
}

// done records the ticked mandates and answers with the task as it is now (or with the refusal on it).
func (l *leaverTask) done(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.LeaverData
	in, err := decode(raw, &d, []string{cards.InvalidatedOnInput}, cards.MandateInputPrefix)
	if err != nil || d.PersonID == "" || len(d.Mandates) == 0 || len(d.Mandates) > 500 {
		return nil, errBadAction
	}
	if !l.Workflow.IsMainUser(t.Actor()) {
		return nil, domain.Errorf(domain.EForbidden, "err.not_main_user")
	}
	var ticked []int64
	for _, id := range d.Mandates {
		if in[cards.MandateInputPrefix+strconv.FormatInt(id, 10)] == "true" {
			ticked = append(ticked, id)
		}
	}
	var on domain.Date
	if day, perr := time.Parse(time.DateOnly, strings.TrimSpace(in[cards.InvalidatedOnInput])); perr == nil {
		on = domain.DateOf(day)
	}
	_, err = l.Mandates.ConfirmLeaver(ctx, workflow.LeaverConfirmInput{ActorID: t.Actor(), PersonID: d.PersonID,
		MandateIDs: ticked, InvalidatedOn: on, ActivityID: t.Activity.ID})
	errText := ""
	switch {
	case err == nil:
	case domain.IsCode(err, domain.EInvalid), domain.IsCode(err, domain.EConflict):
		errText, _ = userError(t.P, err)
	default:
		return nil, err
	}
	return l.Views.LeaverTask(ctx, t.P, l.Mandates.Store, d.PersonID, "", d.Mandates, 0, true, errText)
}
