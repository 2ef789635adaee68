package flows

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// employee is the employee's side: what do I need, the request, my mandates.
type employee struct{ *Flows }

func (e *employee) register() {
	e.commands[cmdIntake] = func(ctx context.Context, t *Turn) (*cards.Card, error) { return e.intakeCard(ctx, t, "", nil, ""), nil }
	e.commands[cmdMine] = e.mine
	e.verbs[cards.VerbIntakeOpen] = verb{handle: e.intakeOpen}
	e.verbs[cards.VerbIntakeSubmit] = verb{handle: e.intakeSubmit}
	e.verbs[cards.VerbRequestSubmit] = verb{handle: e.submit}
	e.verbs[cards.VerbRequestCancel] = verb{handle: e.cancel}
	e.verbs[cards.VerbRequestStatus] = verb{handle: e.status}
	e.verbs[cards.VerbMyMandates] = verb{handle: noData(e.mine)}
}

// noData makes a command the handler of a verb that carries no data.
func noData(c commandHandler) verbHandler {
	return func(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
		if _, err := decode(raw, &struct{}{}, nil); err != nil {
			return nil, err
		}
		return c(ctx, t)
	}
}

// intakeCard is the "what do you do" card; a role preselects its tasks unless tasks were picked.
func (e *employee) intakeCard(ctx context.Context, t *Turn, roleID string, taskIDs []string, errKey string) *cards.Card {
	in := cards.IntakeInput{Catalog: e.Catalog, RoleID: roleID, TaskIDs: taskIDs}
	if roleID != "" && taskIDs == nil {
		if role, ok := e.Catalog.Role(roleID); ok {
			in.TaskIDs = role.Tasks
		}
	}
	if u, err := e.Directory.User(ctx, t.Actor()); err == nil {
		in.Department, in.JobTitle = u.Department, u.JobTitle
	}
	if errKey != "" {
		in.Error = t.P.Get(errKey)
	}
	return cards.Intake(t.P, in)
}

// roleInput reads the role dropdown; an unknown role is tampering.
func (e *employee) roleInput(inputs map[string]string, current string) (string, error) {
	r := strings.TrimSpace(inputs[cards.RoleInput])
	if r == "" {
		r = current
	}
	if r != "" {
		if _, ok := e.Catalog.Role(r); !ok {
			return "", errBadAction
		}
	}
	return r, nil
}

func (e *employee) intakeOpen(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.IntakeData
	inputs, err := decode(raw, &d, []string{cards.RoleInput}, cards.TaskInputPrefix)
	if err != nil {
		return nil, err
	}
	role, err := e.roleInput(inputs, d.RoleID) // the role dropdown: its tasks replace whatever was ticked
	if err != nil {
		return nil, err
	}
	return e.intakeCard(ctx, t, role, nil, ""), nil
}

func (e *employee) intakeSubmit(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.IntakeData
	inputs, err := decode(raw, &d, []string{cards.RoleInput}, cards.TaskInputPrefix)
	if err != nil {
		return nil, err
	}
	if d.RoleID, err = e.roleInput(inputs, d.RoleID); err != nil {
		return nil, err
	}
	var tasks []string
	for k, v := range inputs {
		if strings.HasPrefix(k, cards.TaskInputPrefix) {
			for _, id := range strings.Split(v, ",") {
				if id = strings.TrimSpace(id); id != "" {
					tasks = append(tasks, id)
				}
			}
		}
	}
	slices.Sort(tasks)
	c, err := e.recommendation(ctx, t, d.RoleID, tasks, "", "")
	if domain.IsCode(err, domain.EInvalid) {
		// Nothing or something unknown picked: the intake again, with the reason.
		return e.intakeCard(ctx, t, d.RoleID, tasks, domain.ErrorMessage(err)), nil
	}
	return c, err
}

// recommendation is the card of the themes the tasks need, with the request form.
func (e *employee) recommendation(ctx context.Context, t *Turn, roleID string, taskIDs []string, justification, errText string) (*cards.Card, error) {
	rec, err := e.Workflow.Recommend(ctx, t.Actor(), taskIDs)
	if err != nil {
		return nil, err
	}
	in := cards.RecommendationInput{Catalog: e.Catalog, RoleID: roleID, TaskIDs: rec.TaskIDs,
		DefaultValidUntil: rec.Validity.Default.Time(), MinValidUntil: rec.Validity.Min.Time(), MaxValidUntil: rec.Validity.Max.Time(),
		CappedBy: rec.Validity.CappedBy, Justification: justification, Error: errText}
	if th, ok := e.Catalog.Theme(rec.Validity.CapTheme); ok {
		in.CapTheme = th
	}
	for _, n := range rec.Needs {
		in.Needs = append(in.Needs, cards.Need{Theme: n.Theme, Tasks: n.Tasks, Covered: n.Covered, LookAlikes: n.LookAlikes,
			Held: n.Held, PendingReference: n.PendingReference})
	}
	return cards.Recommendation(t.P, in), nil
}

func (e *employee) submit(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.SubmitData
	inputs, err := decode(raw, &d, []string{cards.JustificationInput, cards.ValidUntilInput})
	if err != nil {
		return nil, err
	}
	until, _ := domain.ParseDate(strings.TrimSpace(inputs[cards.ValidUntilInput])) // no date: the workflow says so
	r, err := e.Workflow.Submit(ctx, workflow.SubmitInput{RequesterID: t.Actor(), RoleID: d.RoleID, TaskIDs: d.TaskIDs,
		Justification: inputs[cards.JustificationInput], ValidUntil: until.Time(), ActivityID: t.Activity.ID})
	switch {
	case isAlreadyRequested(err):
		// A double tap or a retried card: the first tap filed the request; show it instead of an error.
		if existing, ok := e.openRequestFor(ctx, t, d.TaskIDs); ok {
			return e.Views.Status(t.P, existing), nil
		}
		return nil, err
	case domain.ErrorMessage(err) == domain.Justification.HetuKey:
		// Do not echo the text back: it holds an identity code.
		return e.recommendation(ctx, t, d.RoleID, d.TaskIDs, "", t.P.Get(domain.Justification.HetuKey))
	case domain.IsCode(err, domain.EInvalid):
		msg, _ := userError(t.P, err)
		return e.recommendation(ctx, t, d.RoleID, d.TaskIDs, inputs[cards.JustificationInput], msg)
	case err != nil:
		return nil, err
	}
	e.rememberStatusCard(ctx, t, r)
	return e.Views.Status(t.P, r), nil
}

// rememberStatusCard records the message the requester's card lives in (the invoke's replyToId), so later changes
// update it in place.
func (e *employee) rememberStatusCard(ctx context.Context, t *Turn, r domain.Request) {
	if t.Activity.ReplyToID == "" {
		return
	}
	err := e.Register.SaveCardRef(ctx, domain.CardRef{RequestID: r.ID, RecipientID: r.RequesterID, Kind: domain.CardRequestStatus,
		ConversationID: t.Activity.Conversation.ID, ServiceURL: t.Activity.ServiceURL, ActivityID: t.Activity.ReplyToID})
	if err != nil {
		e.Logger.WarnContext(ctx, "could not remember the status card", slog.String("error", err.Error()))
	}
}

func (e *employee) cancel(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.CancelData
	if _, err := decode(raw, &d, nil); err != nil || d.RequestID <= 0 {
		return nil, errBadAction
	}
	if !d.Confirm {
		// The first tap asks; nothing changes until the person confirms.
		a, err := e.Workflow.View(ctx, t.Actor(), d.RequestID)
		if err != nil {
			return nil, err
		}
		if a.Request.RequesterID != t.Actor() || a.Request.State != domain.RequestPending {
			return e.Views.Status(t.P, a.Request), nil
		}
		return cards.CancelConfirm(t.P, a.Request), nil
	}
	r, err := e.Workflow.Cancel(ctx, t.Actor(), d.RequestID, t.Activity.ID)
	if domain.IsCode(err, domain.EConflict) {
		// Decided meanwhile: show where it stands.
		if a, verr := e.Workflow.View(ctx, t.Actor(), d.RequestID); verr == nil {
			return e.Views.Status(t.P, a.Request), nil
		}
	}
	if err != nil {
		return nil, err
	}
	return e.Views.Status(t.P, r), nil
}

// status shows the requester's status card of a request (from the cancel confirmation's "keep it").
func (e *employee) status(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, _, err := decodeRequest(raw, nil)
	if err != nil {
		return nil, err
	}
	a, err := e.Workflow.View(ctx, t.Actor(), d.RequestID)
	if err != nil {
		return nil, err
	}
	return e.Views.Status(t.P, a.Request), nil
}

func (e *employee) mine(ctx context.Context, t *Turn) (*cards.Card, error) {
	v, err := e.Workflow.Mine(ctx, t.Actor())
	if err != nil {
		return nil, err
	}
	return cards.MyMandates(t.P, cards.MyMandatesInput{Catalog: e.Catalog, Mandates: v.Mandates, Requests: v.Requests, Today: v.Today}), nil
}

func isAlreadyRequested(err error) bool {
	key := domain.ErrorMessage(err)
	return domain.IsCode(err, domain.EConflict) && (key == "err.already_requested" || key == "err.nothing_to_request")
}

// openRequestFor is the person's open request that already asks for a theme the tasks need, if any.
func (e *employee) openRequestFor(ctx context.Context, t *Turn, taskIDs []string) (domain.Request, bool) {
	rec, err := e.Workflow.Recommend(ctx, t.Actor(), taskIDs)
	if err != nil {
		return domain.Request{}, false
	}
	mine, err := e.Workflow.Mine(ctx, t.Actor())
	if err != nil {
		return domain.Request{}, false
	}
	for _, n := range rec.Needs {
		for _, r := range mine.Requests {
			if n.PendingReference != "" && r.Reference() == n.PendingReference {
				return r, true
			}
		}
	}
	return domain.Request{}, false
}
