package flows

// The main users' batch card: the grants of one grant path that can be done in one visit to Suomi.fi, recorded with
// one submit, one request at a time through the workflow's Grant.

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/views"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// The inputs of the batch card: every verb on it may receive them (Teams merges the card's inputs into the data of
// the button tapped unless the button asks otherwise, which not every client honours).
var (
	batchCardInputs   = []string{cards.ConfirmSelfInput}
	batchCardPrefixes = []string{cards.ItemInputPrefix, cards.BatchFromInputPrefix, cards.BatchUntilInputPrefix}
)

// batch shows the batch card of one grant path.
func (m *mainUser) batch(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.BatchData
	if _, err := decode(raw, &d, batchCardInputs, batchCardPrefixes...); err != nil || !d.Path.Valid() {
		return nil, errBadAction
	}
	return m.batchCard(ctx, t, views.BatchView{Path: d.Path})
}

// batchCard is the batch card as it is now, with the outcome of the submit just made (b without Open).
func (m *mainUser) batchCard(ctx context.Context, t *Turn, b views.BatchView) (*cards.Card, error) {
	open, err := m.Workflow.GrantTasks(ctx, t.Actor()) // main users only
	if err != nil {
		return nil, err
	}
	b.Open = open
	return m.Views.GrantBatch(ctx, t.P, t.Actor(), b), nil
}

// batchGrant is what one submit asks of one request: the ticked items and the dates given for them.
type batchGrant struct {
	request     domain.Request
	items       []int64
	from, until time.Time
}

// batchDone records every ticked item of a batch card as granted: one workflow Grant per request, so that each
// request is recorded whole or not at all, and one refusal stops nothing else. The card that answers shows each
// request's outcome. Card data is checked before anything is recorded: every request must be one the actor may
// grant, every ticked item must belong to one of the requests listed, every date input must name one of them.
func (m *mainUser) batchDone(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.BatchDoneData
	inputs, err := decode(raw, &d, batchCardInputs, batchCardPrefixes...)
	if err != nil || !d.Path.Valid() || len(d.RequestIDs) == 0 || len(d.RequestIDs) > cards.MaxBatchRequests {
		return nil, errBadAction
	}
	if !m.Workflow.IsMainUser(t.Actor()) {
		return nil, domain.Errorf(domain.EForbidden, "err.not_main_user")
	}
	plan, err := m.batchPlan(ctx, t, d, inputs)
	if err != nil {
		return nil, err
	}
	sel, _ := toggles(inputs) // checked by batchPlan
	var unticked []int64
	for id, on := range sel {
		if !on {
			unticked = append(unticked, id)
		}
	}
	if len(plan) == 0 {
		msg, _ := userError(t.P, domain.Errorf(domain.EInvalid, "err.no_items_selected"))
		return m.batchCard(ctx, t, views.BatchView{Path: d.Path, Unticked: unticked, Error: msg})
	}
	confirmSelf := inputs[cards.ConfirmSelfInput] == "true"
	results := make([]cards.BatchResult, 0, len(plan))
	for _, g := range plan {
		results = append(results, m.grantOne(ctx, t, d.Path, g, confirmSelf))
	}
	return m.batchCard(ctx, t, views.BatchView{Path: d.Path, Results: results, Unticked: unticked})
}

// batchPlan reads a batch submit into one grant per request with ticked items, in the card's order. Anything the
// card could not have sent is errBadAction; a request the actor may not see is refused as the workflow refuses it.
func (m *mainUser) batchPlan(ctx context.Context, t *Turn, d cards.BatchDoneData, inputs map[string]string) ([]batchGrant, error) {
	sel, err := toggles(inputs)
	if err != nil {
		return nil, errBadAction
	}
	plan := make([]batchGrant, 0, len(d.RequestIDs))
	owner := map[int64]int{} // item id → its request's index in plan
	for _, id := range d.RequestIDs {
		if id <= 0 || slices.ContainsFunc(plan, func(g batchGrant) bool { return g.request.ID == id }) {
			return nil, errBadAction
		}
		acc, err := m.Workflow.View(ctx, t.Actor(), id)
		if err != nil {
			return nil, err
		}
		for _, it := range acc.Request.Items {
			owner[it.ID] = len(plan)
		}
		plan = append(plan, batchGrant{request: acc.Request})
	}
	for k := range inputs {
		for _, prefix := range []string{cards.BatchFromInputPrefix, cards.BatchUntilInputPrefix} {
			if rest, ok := strings.CutPrefix(k, prefix); ok {
				id, err := strconv.ParseInt(rest, 10, 64)
				if err != nil || !slices.Contains(d.RequestIDs, id) {
					return nil, errBadAction
				}
			}
		}
	}
	for item, on := range sel {
		i, ok := owner[item]
		if !ok {
			return nil, errBadAction // an item of no request on the card
		}
		if on {
			plan[i].items = append(plan[i].items, item)
		}
	}
	out := plan[:0]
	for _, g := range plan {
		if len(g.items) == 0 {
			continue
		}
		slices.Sort(g.items)
		id := strconv.FormatInt(g.request.ID, 10)
		// A date that does not parse stays zero, which the workflow refuses with its own message.
		g.from, _ = time.Parse(time.DateOnly, strings.TrimSpace(inputs[cards.BatchFromInputPrefix+id]))
		g.until, _ = time.Parse(time.DateOnly, strings.TrimSpace(inputs[cards.BatchUntilInputPrefix+id]))
		out = append(out, g)
	}
	return out, nil
}

// grantOne records one request's ticked items through the workflow and says what came of it. A repeated tap finds
// the items already settled: the workflow refuses it as a conflict and the card shows their final state, without
// an error.
func (m *mainUser) grantOne(ctx context.Context, t *Turn, path domain.GrantPath, g batchGrant, confirmSelf bool) cards.BatchResult {
	res := cards.BatchResult{Request: g.request, ItemIDs: g.items}
	for _, id := range g.items {
		// The card listed the items of this path's session; an approved item outside it means the request changed
		// (another grant path) since the card was shown, and the main user did the other path's steps.
		if it, ok := g.request.Item(id); ok && it.State == domain.ItemApproved && !g.request.InSession(path, id) {
			res.Error = t.P.Get("err.batch_changed")
			return res
		}
	}
	r, err := m.Workflow.Grant(ctx, workflow.GrantInput{ActorID: t.Actor(), RequestID: g.request.ID, ItemIDs: g.items,
		ValidFrom: g.from, ValidUntil: g.until, ActivityID: t.Activity.ID, ConfirmSelfGrant: confirmSelf})
	if err == nil {
		res.Request = r
		return res
	}
	if acc, verr := m.Workflow.View(ctx, t.Actor(), g.request.ID); verr == nil {
		res.Request = acc.Request
	}
	if domain.IsCode(err, domain.EConflict) && settled(res.Request, g.items) {
		return res
	}
	msg, ok := userError(t.P, err)
	if !ok {
		m.Logger.ErrorContext(ctx, "batch grant failed", slog.Int64("request_id", g.request.ID), slog.String("error", err.Error()))
		msg = t.P.Get("error.generic")
	}
	res.Error = msg
	return res
}

// settled reports whether every one of the items is granted or recorded as not granted.
func settled(r domain.Request, ids []int64) bool {
	for _, id := range ids {
		it, ok := r.Item(id)
		if !ok || (it.State != domain.ItemGranted && it.State != domain.ItemNotGranted) {
			return false
		}
	}
	return true
}
