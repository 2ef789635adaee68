package flows

// Reviews of mandates (issue 10): the reviewer's submit on their review card, and a main user's "aloita
// katselmointi / starta granskning / start review" (confirmed first) and the campaign's report.

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// reviewFlow is the reviewers' and main users' side of reviews.
type reviewFlow struct{ *Flows }

func (r *reviewFlow) register() {
	// Only one organisation is served where a flow sees "vaihda organisaatiota": there is nothing to switch to.
	r.commands[cmdSwitchOrganisation] = func(context.Context, *Turn) (*cards.Card, error) {
		return nil, domain.Errorf(domain.EInvalid, "orgs.single")
	}
	if r.Reviews == nil {
		return // not wired (tests of other flows): the commands and verbs stay unknown
	}
	r.commands[cmdReviewStart] = func(ctx context.Context, t *Turn) (*cards.Card, error) { return r.start(ctx, t, false) }
	r.commands[cmdReviewReport] = r.report
	r.verbs[cards.VerbReviewSubmit] = verb{handle: r.submit}
	r.verbs[cards.VerbReviewReport] = verb{handle: noData(r.report)}
	r.verbs[cards.VerbReviewStart] = verb{handle: func(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
		var d cards.ReviewStartData
		if _, err := decode(raw, &d, nil); err != nil {
			return nil, err
		}
		return r.start(ctx, t, d.Confirm)
	}}
}

// start asks a main user to confirm, then starts the campaign; anyone else is refused.
func (r *reviewFlow) start(ctx context.Context, t *Turn, confirm bool) (*cards.Card, error) {
	if !r.Catalog.Org.IsMainUser(t.Actor()) {
		return nil, domain.Errorf(domain.EForbidden, "err.not_main_user")
	}
	if !confirm {
		return cards.ReviewStartConfirm(t.P, r.Reviews.Campaigns.CampaignDeadline(r.Now())), nil
	}
	c, err := r.Reviews.StartCampaign(ctx, t.Actor(), t.Activity.ID)
	if err != nil {
		return nil, err
	}
	rep, err := r.Reviews.Report(ctx, t.Actor(), c.ID)
	if err != nil {
		return nil, err
	}
	return cards.ReviewStarted(t.P, len(rep.Reviews), c.Deadline), nil
}

// report is the newest campaign's report, for main users.
func (r *reviewFlow) report(ctx context.Context, t *Turn) (*cards.Card, error) {
	rep, err := r.Reviews.Report(ctx, t.Actor(), 0)
	if err != nil {
		return nil, err
	}
	return cards.ReviewReport(t.P, cards.ReviewReportInput{Catalog: r.Catalog, Campaign: rep.Campaign, Reviews: rep.Reviews}), nil
}

// submit records the reviewer's choices. Card data the bot did not write (a field, an input that is not an item
// choice, an unknown choice) is errBadAction; the workflow refuses items of another review and decided items.
func (r *reviewFlow) submit(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.ReviewData
	inputs, err := decode(raw, &d, nil, cards.ReviewInputPrefix)
	if err != nil || d.ReviewID <= 0 {
		return nil, errBadAction
	}
	decisions := map[int64]domain.ReviewDecision{}
	for k, v := range inputs {
		id, err := strconv.ParseInt(strings.TrimPrefix(k, cards.ReviewInputPrefix), 10, 64)
		dec := domain.ReviewDecision(strings.TrimSpace(v))
		switch {
		case err != nil || id <= 0:
			return nil, errBadAction
		case dec == "":
			continue // left for later
		case !dec.Valid():
			return nil, errBadAction
		}
		decisions[id] = dec
	}
	out, err := r.Reviews.Decide(ctx, workflow.ReviewDecisionInput{ActorID: t.Actor(), ReviewID: d.ReviewID,
		Decisions: decisions, ActivityID: t.Activity.ID})
	if err != nil {
		msg, ok := userError(t.P, err)
		if !ok || domain.IsCode(err, domain.EForbidden) {
			return nil, err
		}
		rev, rerr := r.Reviews.Review(ctx, t.Actor(), d.ReviewID) // the card again, as it is now, with the reason
		if rerr != nil {
			return nil, err
		}
		return r.Views.Review(ctx, t.P, r.Reviews.Store, rev, t.Actor(), 0, "", msg)
	}
	saved := t.P.Format("review.saved", "kept", strconv.Itoa(out.Kept), "tasks", strconv.Itoa(out.Tasks))
	return r.Views.Review(ctx, t.P, r.Reviews.Store, out.Review, t.Actor(), 0, saved, "")
}
