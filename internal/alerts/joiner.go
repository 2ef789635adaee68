package alerts

// Joiner (issue 10.2): a person who appears in the directory gets a welcome in their language (delivery opens the
// 1:1 chat, or installs the app for them through Graph, when the bot has never heard from them) that invites them
// to find out what their work needs (the intake); their supervisor (the event's manager, else the directory's,
// else the head of their department) is told that the newcomer may need mandates, with the role profiles whose
// names match the job title (catalog.RolesForJobTitle).
//
// Once per person, ever: the welcome records "joiner/person/<id>" with the job effects, so a second joiner event
// for the same Entra object id (a resync, or a rehire of the same account) welcomes nobody again; a rehire with a
// new account is a new person. A joiner whose account is disabled or whose leave day has passed is not welcomed.

import (
	"context"
	"log/slog"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { register(domain.Joiner.JobKind(), nil, joinerEffect) }

// joinerEffect handles a joiner event.
func joinerEffect(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	ev, err := decodeEvent(job)
	if err != nil {
		return nil, err
	}
	if ev.After == nil {
		return nil, nil
	}
	u := ev.After
	today := s.today()
	if !u.AccountEnabled || (u.LeaveDate != nil && domain.Today(*u.LeaveDate).Before(today)) {
		return nil, personAudit(ctx, tx, "directory.joiner", map[string]any{"person": ev.PersonID, "welcomed": false,
			"why": "not_active"})
	}
	first, err := tx.FirstEffect(ctx, domain.JoinerWelcomeKey(ev.PersonID))
	if err != nil {
		return nil, err
	}
	if !first {
		return nil, personAudit(ctx, tx, "directory.joiner", map[string]any{"person": ev.PersonID, "welcomed": false,
			"why": "welcomed_before"})
	}
	var roles []string
	for _, r := range s.Catalog.RolesForJobTitle(u.JobTitle) {
		roles = append(roles, r.ID)
	}
	msgs := []domain.OutboxMessage{domain.Message(ev.PersonID, 0, domain.JoinerWelcome{Person: ev.PersonID, Roles: roles})}
	sup, err := s.joinerSupervisor(ctx, ev)
	if err != nil {
		return nil, err
	}
	if sup != "" {
		msgs = append(msgs, domain.Message(sup, 0, domain.JoinerNotice{Person: ev.PersonID, Name: u.DisplayName,
			JobTitle: u.JobTitle, Department: u.Department, Roles: roles}))
	} else {
		s.log().InfoContext(ctx, "a joiner has no supervisor to tell", slog.String("person", domain.Pseudonym(ev.PersonID)))
	}
	return msgs, personAudit(ctx, tx, "directory.joiner", map[string]any{"person": ev.PersonID, "welcomed": true,
		"supervisor": sup, "roles": roles})
}

// joinerSupervisor is who is told about the newcomer: the manager the event names, else the directory's, else the
// head of their department; "" when there is nobody (or only the newcomer themself).
func (s *Service) joinerSupervisor(ctx context.Context, ev domain.DirectoryEvent) (string, error) {
	id := ev.After.ManagerID
	if id == "" && s.Directory != nil {
		m, err := s.Directory.Manager(ctx, ev.PersonID)
		switch {
		case err == nil:
			id = m.ID
		case !domain.IsCode(err, domain.ENotFound):
			return "", err
		}
	}
	if id == "" {
		id = s.Catalog.Org.DepartmentHeads[ev.After.Department]
	}
	if strings.EqualFold(id, ev.PersonID) {
		return "", nil
	}
	return id, nil
}

func init() { describe(domain.Joiner.JobKind(), previewJoiner) }

// previewJoiner is the welcome a joiner event would send (the preview does not check whether the person was
// welcomed before).
func previewJoiner(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	ev, err := decodeEvent(job)
	if err != nil || ev.After == nil {
		return nil, nil, err
	}
	to := []string{ev.PersonID}
	if sup, err := s.joinerSupervisor(ctx, ev); err != nil {
		return nil, nil, err
	} else if sup != "" {
		to = append(to, sup)
	}
	return []Alert{{To: to, What: p.Format("joiner.alert.welcome", "name", ev.After.DisplayName)}}, nil, nil
}
