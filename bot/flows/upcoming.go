package flows

// The main users' list of the alerts to come: what the bot will send, to whom and when, in the next 30 days.

import (
	"context"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// UpcomingDays is how far ahead the main users' list of alerts looks.
const UpcomingDays = 30

// upcoming is the main users' "upcoming reminders".
type upcoming struct{ *Flows }

func (u *upcoming) register() {
	if u.Alerts == nil || u.Jobs == nil {
		return
	}
	u.commands[cmdUpcoming] = u.list
	u.verbs[cards.VerbUpcoming] = verb{handle: noData(u.list)}
}

func (u *upcoming) list(ctx context.Context, t *Turn) (*cards.Card, error) {
	if !u.Workflow.IsMainUser(t.Actor()) {
		return nil, domain.Errorf(domain.EForbidden, "err.not_main_user")
	}
	list, err := u.Alerts.Preview(ctx, u.Jobs, u.Now(), UpcomingDays, t.P)
	if err != nil {
		return nil, err
	}
	rows := make([]cards.UpcomingRow, 0, len(list))
	for _, a := range list {
		var names []string
		for _, id := range a.To {
			names = append(names, u.Alerts.Name(ctx, id))
		}
		rows = append(rows, cards.UpcomingRow{At: u.Alerts.Calendar().Local(a.At), To: names, What: a.What})
	}
	return cards.Upcoming(t.P, cards.UpcomingInput{Rows: rows, Days: UpcomingDays}), nil
}
