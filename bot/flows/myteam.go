package flows

// The supervisor's view (issue 10.7): "tiimini / mitt team / my team" lists the people whose manager the asker is
// in the directory, with their mandates in force and when each ends, their requests that still wait and how many of
// their mandates an open review still waits a decision on. Only in
// the 1:1 chat (like every command); someone with no reports is told so.

import (
	"context"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// reportsDirectory is the directory as the view reads it (directory.Directory).
type reportsDirectory interface {
	DirectReports(ctx context.Context, id string) ([]domain.User, error)
}

// myTeam is the supervisor's view.
type myTeam struct{ *Flows }

func (m *myTeam) register() { m.commands[cmdMyTeam] = m.show }

// show lists the asker's direct reports: every enabled one, by name.
func (m *myTeam) show(ctx context.Context, t *Turn) (*cards.Card, error) {
	dir, ok := m.Directory.(reportsDirectory)
	if !ok {
		return nil, domain.Errorf(domain.EInternal, "the directory %T lists no direct reports", m.Directory)
	}
	reports, err := dir.DirectReports(ctx, t.Actor())
	if err != nil && !domain.IsCode(err, domain.ENotFound) {
		return nil, err
	}
	today := m.Workflow.Today()
	var members []cards.TeamMember
	for _, u := range reports {
		if !u.AccountEnabled {
			continue
		}
		tm := cards.TeamMember{User: u}
		ms, err := m.Workflow.Store.MandatesByHolder(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		for _, md := range ms {
			if md.Current(today) {
				tm.Mandates = append(tm.Mandates, md)
			}
		}
		rs, err := m.Workflow.Store.RequestsByRequester(ctx, u.ID, 20)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if r.State.Open() {
				tm.Requests = append(tm.Requests, r)
			}
		}
		if m.Reviews != nil {
			if tm.OpenReviews, err = m.Reviews.Store.OpenReviewItems(ctx, u.ID); err != nil {
				return nil, err
			}
		}
		members = append(members, tm)
	}
	sortMembers(members)
	return cards.MyTeam(t.P, cards.MyTeamInput{Catalog: m.Catalog, Members: members, Today: today.Time()}), nil
}

// sortMembers orders the people by name (the directory's order is not stable across sources).
func sortMembers(ms []cards.TeamMember) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && strings.ToLower(ms[j].User.DisplayName) < strings.ToLower(ms[j-1].User.DisplayName); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}
