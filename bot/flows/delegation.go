package flows

// The approver's absence: "poissa 10.–24.7." opens the card where they name a colleague to decide for them
// meanwhile (a delegation), see the ones in force or to come, and end one early.

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// absence is the approver's side of delegation.
type absence struct{ *Flows }

func (a *absence) register() {
	a.commands[cmdAbsence] = a.command
	a.verbs[cards.VerbDelegationOpen] = verb{handle: noData(func(ctx context.Context, t *Turn) (*cards.Card, error) {
		return a.card(ctx, t, cards.DelegationInput{})
	})}
	a.verbs[cards.VerbDelegationSet] = verb{handle: a.set}
	a.verbs[cards.VerbDelegationEnd] = verb{handle: a.end}
}

// absenceWords start a typed absence command, each in its language; dates may follow ("poissa 10.–24.7.").
var absenceWords = map[string]domain.Lang{
	"poissa": domain.Finnish, "poissaolo": domain.Finnish, "sijainen": domain.Finnish, "sijaisuus": domain.Finnish,
	"frånvarande": domain.Swedish, "frånvaro": domain.Swedish, "ersättare": domain.Swedish,
	"away": domain.English, "out of office": domain.English, "substitute": domain.English, "delegate": domain.English,
}

// matchAbsence recognises an absence command in normalised text: one of absenceWords, alone or followed by the
// days away.
func matchAbsence(text string) (domain.Lang, bool) {
	for w, l := range absenceWords {
		if text == w || strings.HasPrefix(text, w+" ") {
			return l, true
		}
	}
	return "", false
}

var errNoDelegations = errors.New("flows: delegations are not configured")

func (a *absence) command(ctx context.Context, t *Turn) (*cards.Card, error) {
	in := cards.DelegationInput{}
	text := normalise(t.Activity.Text)
	for w := range absenceWords {
		if rest, ok := strings.CutPrefix(text, w+" "); ok {
			if from, until, ok := parseDays(rest, domain.DateOf(a.Now().In(domain.OrgLocation))); ok {
				in.From, in.Until = from.Time(), until.Time()
			}
		}
	}
	return a.card(ctx, t, in)
}

// card is the absence card for the turn's person: their delegations in force or to come and whom they may name,
// with in's form values and outcome.
func (a *absence) card(ctx context.Context, t *Turn, in cards.DelegationInput) (*cards.Card, error) {
	if a.Delegations == nil {
		return nil, errNoDelegations
	}
	var err error
	if in.Delegations, err = a.Delegations.Of(ctx, t.Actor()); err != nil {
		return nil, err
	}
	if in.Candidates, err = a.Delegations.Candidates(ctx, t.Actor()); err != nil {
		if !domain.IsCode(err, domain.ENotFound) {
			return nil, err
		}
		in.Candidates = nil // not in the directory: nobody to name
	}
	in.Today = a.Delegations.Workflow.Today().Time()
	return cards.Delegation(t.P, in), nil
}

var delegationInputs = []string{cards.ValidFromInput, cards.ValidUntilInput, cards.DelegateInput}

func (a *absence) set(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	inputs, err := decode(raw, &struct{}{}, delegationInputs)
	if err != nil {
		return nil, err
	}
	if a.Delegations == nil {
		return nil, errNoDelegations
	}
	from, _ := domain.ParseDate(strings.TrimSpace(inputs[cards.ValidFromInput])) // no date: the rules say so
	until, _ := domain.ParseDate(strings.TrimSpace(inputs[cards.ValidUntilInput]))
	delegate := strings.TrimSpace(inputs[cards.DelegateInput])
	d, moved, err := a.Delegations.Set(ctx, workflow.DelegationInput{ActorID: t.Actor(), DelegateID: delegate,
		From: from, Until: until, ActivityID: t.Activity.ID})
	if err != nil {
		msg, ok := userError(t.P, err)
		if !ok || domain.IsCode(err, domain.EForbidden) {
			return nil, err
		}
		// The form again, as filled in, with the reason.
		return a.card(ctx, t, cards.DelegationInput{From: from.Time(), Until: until.Time(), DelegateID: delegate, Error: msg})
	}
	return a.card(ctx, t, cards.DelegationInput{Saved: savedText(t.P, d, moved, a.Delegations.Workflow.Today())})
}

func (a *absence) end(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var data cards.DelegationData
	if _, err := decode(raw, &data, nil); err != nil || data.DelegationID <= 0 {
		return nil, errBadAction
	}
	if a.Delegations == nil {
		return nil, errNoDelegations
	}
	_, back, err := a.Delegations.End(ctx, t.Actor(), data.DelegationID, t.Activity.ID)
	if err != nil {
		msg, ok := userError(t.P, err)
		if !ok {
			return nil, err
		}
		return a.card(ctx, t, cards.DelegationInput{Error: msg})
	}
	saved := t.P.Get("waiting.delegation.ended")
	if back > 0 {
		saved += " " + plural(t.P, "waiting.delegation.returned", back)
	}
	return a.card(ctx, t, cards.DelegationInput{Saved: saved})
}

// savedText says what setting a delegation did: who decides and when, and how many waiting requests moved now
// or that they move on its first day.
func savedText(p i18n.Printer, d domain.Delegation, moved int, today domain.Date) string {
	s := p.Format("waiting.delegation.saved", "name", d.DelegateName, "from", cards.Date(p.Lang, d.From.Time()),
		"until", cards.Date(p.Lang, d.Until.Time()))
	switch {
	case moved > 0:
		s += " " + plural(p, "waiting.delegation.moved", moved)
	case today.Before(d.From):
		s += " " + p.Get("waiting.delegation.later")
	}
	return s
}

func plural(p i18n.Printer, key string, n int) string {
	suffix := ".other"
	if n == 1 {
		suffix = ".one"
	}
	return p.Format(key+suffix, "n", strconv.Itoa(n))
}

// parseDays reads the days away as people write them after "poissa": "10.–24.7.", "10.7.–24.7.2027",
// "10.7.-24.7", "24.7." (one day). A date without a year is this year's, or next year's when this year's has
// passed; the first day takes the month and year of the last when it has none. false when the text is not such a
// range or it ends before it starts.
func parseDays(text string, today domain.Date) (from, until domain.Date, ok bool) {
	text = strings.NewReplacer("–", "-", "—", "-", " ", "").Replace(text)
	parts := strings.Split(text, "-")
	if len(parts) > 2 || text == "" {
		return from, until, false
	}
	type dmy struct{ d, m, y int }
	parse := func(s string) (dmy, bool) {
		var f []int
		for _, x := range strings.Split(strings.TrimSuffix(s, "."), ".") {
			n, err := strconv.Atoi(x)
			if err != nil {
				return dmy{}, false
			}
			f = append(f, n)
		}
		switch len(f) {
		case 1:
			return dmy{d: f[0]}, true
		case 2:
			return dmy{d: f[0], m: f[1]}, true
		case 3:
			return dmy{d: f[0], m: f[1], y: f[2]}, true
		}
		return dmy{}, false
	}
	last, okLast := parse(parts[len(parts)-1])
	first, okFirst := parse(parts[0])
	if !okLast || !okFirst || last.m == 0 {
		return from, until, false
	}
	if first.m == 0 {
		first.m = last.m
	}
	date := func(v dmy) (domain.Date, bool) {
		y := v.y
		if y == 0 {
			y = today.Time().Year()
		}
		t := time.Date(y, time.Month(v.m), v.d, 0, 0, 0, 0, time.UTC)
		if t.Day() != v.d || int(t.Month()) != v.m || v.m < 1 || v.m > 12 {
			return domain.Date{}, false // 31.2. and the like
		}
		return domain.DateOf(t), true
	}
	until, ok1 := date(last)
	if last.y == 0 && until.Before(today) {
		last.y = today.Time().Year() + 1
		until, ok1 = date(last)
	}
	if first.y == 0 {
		first.y = until.Time().Year()
		if first.m > last.m {
			first.y-- // "28.12.–3.1."
		}
	}
	from, ok2 := date(first)
	if !ok1 || !ok2 || until.Before(from) {
		return domain.Date{}, domain.Date{}, false
	}
	return from, until, true
}
