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

// knownRole checks a role id from card data or the role dropdown: "" is no role, an id the catalog lacks is
// tampering (or a card from another catalog) and is refused.
func (e *employee) knownRole(id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return "", nil
	}
	if _, ok := e.Catalog.Role(id); !ok {
		return "", errBadAction
	}
	return id, nil
}

// roleInput reads the role dropdown, falling back to the role the card was built with (current, already checked).
func (e *employee) roleInput(inputs map[string]string, current string) (string, error) {
	chosen, err := e.knownRole(inputs[cards.RoleInput])
	if err != nil || chosen != "" {
		return chosen, err
	}
	return current, nil
}

// tickedTasks reads the intake's area multi-selects (TaskInputPrefix + area id, comma-separated task ids), sorted
// and without repeats. An area the catalog lacks, a task it lacks or a task under another area's input is
// tampering and refuses the whole action.
func (e *employee) tickedTasks(inputs map[string]string) ([]string, error) {
	var out []string
	for k, v := range inputs {
		area, ok := strings.CutPrefix(k, cards.TaskInputPrefix)
		if !ok {
			continue
		}
		if _, ok := e.Catalog.Area(area); !ok {
			return nil, errBadAction
		}
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id == "" {
				continue
			}
			if task, ok := e.Catalog.Task(id); !ok || task.Area != area {
				return nil, errBadAction
			}
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// intakeTasks is what the intake's answer stands for, from the role chosen (checked), the role the card was built
// with (checked) and the ticked tasks (checked):
//   - ticked tasks win, since the person adjusted them; except when they are exactly the tasks the card's own role
//     ticked and the dropdown now names another role: the person changed the role and left the ticks alone, so the
//     new role's tasks count;
//   - nothing ticked and a role chosen: the role's tasks (choosing a role and tapping the main button is enough);
//   - neither: nothing, and the caller asks for a role or a task.
func (e *employee) intakeTasks(role, cardRole string, ticked []string) []string {
	r, hasRole := e.Catalog.Role(role)
	if len(ticked) > 0 {
		if cr, ok := e.Catalog.Role(cardRole); !ok || !hasRole || role == cardRole || !sameTasks(ticked, cr.Tasks) {
			return ticked
		}
	}
	if !hasRole {
		return nil
	}
	return slices.Sorted(slices.Values(r.Tasks))
}

// sameTasks reports whether two lists name the same tasks, whatever their order.
func sameTasks(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func (e *employee) intakeOpen(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.IntakeData
	inputs, err := decode(raw, &d, []string{cards.RoleInput}, cards.TaskInputPrefix)
	if err != nil {
		return nil, err
	}
	cardRole, err := e.knownRole(d.RoleID)
	if err != nil {
		return nil, err
	}
	role, err := e.roleInput(inputs, cardRole) // the role dropdown: its tasks replace whatever was ticked
	if err != nil {
		return nil, err
	}
	var tasks []string // "change my answers" on the recommendation: the tasks it was made from, ticked again
	for _, id := range d.TaskIDs {
		if _, ok := e.Catalog.Task(id); !ok {
			return nil, errBadAction
		}
		tasks = append(tasks, id)
	}
	return e.intakeCard(ctx, t, role, tasks, ""), nil
}

// intakeSubmit answers the intake's main button with the recommendation for the role's or the ticked tasks (see
// intakeTasks), or the intake again asking for a role or a task. Card data is never trusted: an unknown role, area
// or task refuses the action and nothing changes.
func (e *employee) intakeSubmit(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.IntakeData
	inputs, err := decode(raw, &d, []string{cards.RoleInput}, cards.TaskInputPrefix)
	if err != nil {
		return nil, err
	}
	if len(d.TaskIDs) > 0 { // the intake's button carries no tasks: they come as the ticks
		return nil, errBadAction
	}
	cardRole, err := e.knownRole(d.RoleID)
	if err != nil {
		return nil, err
	}
	role, err := e.roleInput(inputs, cardRole)
	if err != nil {
		return nil, err
	}
	ticked, err := e.tickedTasks(inputs)
	if err != nil {
		return nil, err
	}
	tasks := e.intakeTasks(role, cardRole, ticked)
	if len(tasks) == 0 {
		return e.intakeCard(ctx, t, role, nil, "err.no_role_or_tasks"), nil
	}
	c, err := e.recommendation(ctx, t, role, tasks, "", "")
	if domain.IsCode(err, domain.EInvalid) {
		return e.intakeCard(ctx, t, role, tasks, domain.ErrorMessage(err)), nil
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
