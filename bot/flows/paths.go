package flows

// The grant paths: the employee says they sent the valtuuspyyntö, the request switches to the direct grant, and a
// main user records that DVV registered the right to grant a theme.

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// grantPaths is the grant path of an approved request, as its employee and the main users change it.
type grantPaths struct{ *Flows }

func (g *grantPaths) register() {
	g.verbs[cards.VerbGrantDirect] = verb{handle: g.grantDirect}
	g.verbs[cards.VerbRequestFiled] = verb{handle: g.filed}
}

// filed records the employee's "I sent the request" and shows their steps card with it.
func (g *grantPaths) filed(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, _, err := decodeRequest(raw, nil)
	if err != nil {
		return nil, err
	}
	r, err := g.Workflow.Filed(ctx, t.Actor(), d.RequestID, t.Activity.ID)
	if domain.IsCode(err, domain.EConflict) {
		// A repeated tap: show the card as it is now.
		if acc, verr := g.Workflow.View(ctx, t.Actor(), d.RequestID); verr == nil {
			r, err = acc.Request, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return cards.RequestSteps(t.P, cards.StepsInput{Catalog: g.Catalog, Request: r}), nil
}

// grantDirect switches a request to the direct grant: from the employee's steps card (they cannot file the
// request) or from a main user's task card.
func (g *grantPaths) grantDirect(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, _, err := decodeRequest(raw, grantCardInputs, grantCardPrefixes...)
	if err != nil {
		return nil, err
	}
	r, err := g.Workflow.GrantDirectly(ctx, t.Actor(), d.RequestID, t.Activity.ID)
	if err != nil {
		return nil, err
	}
	if g.Workflow.IsMainUser(t.Actor()) && r.RequesterID != t.Actor() {
		return g.Views.Grant(ctx, t.P, r, t.Actor(), ""), nil
	}
	return cards.RequestSteps(t.P, cards.StepsInput{Catalog: g.Catalog, Request: r}), nil
}

// rightRecorded records that DVV registered the right to grant a theme, with the day from the card's input for
// that theme, and lists the open grant tasks, where the requests that waited for it now continue.
func (m *mainUser) rightRecorded(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.RightData
	inputs, err := decode(raw, &d, append([]string{cards.JustificationInput}, grantCardInputs...), grantCardPrefixes...)
	if err != nil || d.ThemeID == "" || len(d.ThemeID) > 100 {
		return nil, errBadAction
	}
	on, perr := time.Parse(time.DateOnly, strings.TrimSpace(inputs[cards.RightDateInputPrefix+d.ThemeID]))
	if perr != nil {
		return nil, domain.Errorf(domain.EInvalid, "err.bad_right_date")
	}
	if _, err := m.Workflow.RecordRight(ctx, workflow.RightInput{ActorID: t.Actor(), ThemeID: d.ThemeID,
		RegisteredOn: domain.DateOf(on), ActivityID: t.Activity.ID}); err != nil {
		return nil, err
	}
	return m.list(ctx, t)
}
