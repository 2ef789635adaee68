package workflow

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
)

// Directory is the org chart as the workflow needs it.
type Directory = domain.Directory

// Service runs the mandate flow.
type Service struct {
	Store     Store
	Directory Directory
	Catalog   *catalog.Catalog
	Now       func() time.Time
	Logger    *slog.Logger
	// Committed is called after every transaction that enqueued messages, to wake the outbox worker.
	Committed func()
	// Alerts plans the herätteet each change causes, in the change's transaction; nil plans none.
	Alerts Planner
}

// Planner schedules the alerts a change causes (alerts.Service implements it).
type Planner interface {
	Plan(ctx context.Context, tx Tx, c alerts.Change) error
}

// plan tells the planner about a change to r, inside its transaction.
func (s *Service) plan(ctx context.Context, tx Tx, event string, r *domain.Request, ms ...domain.Mandate) error {
	if s.Alerts == nil {
		return nil
	}
	return s.Alerts.Plan(ctx, tx, alerts.Change{Event: event, Request: r.Clone(), Mandates: ms, At: s.now()})
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Today is the organisation's current civil date.
func (s *Service) Today() domain.Date { return domain.Today(s.now()) }

// IsMainUser reports whether the person is one of the organisation's main users.
func (s *Service) IsMainUser(id string) bool { return s.Catalog.Org.IsMainUser(id) }

func invalid(key string) error   { return domain.Errorf(domain.EInvalid, "%s", key) }
func forbidden(key string) error { return domain.Errorf(domain.EForbidden, "%s", key) }
func conflict(key string) error  { return domain.Errorf(domain.EConflict, "%s", key) }

// ---- recommendation -------------------------------------------------------------------------------------------

// Recommend works out the themes the tasks need for this person.
func (s *Service) Recommend(ctx context.Context, personID string, taskIDs []string) (domain.Recommendation, error) {
	tasks, err := s.Catalog.SelectTasks(taskIDs)
	if err != nil {
		return domain.Recommendation{}, err
	}
	ms, err := s.Store.MandatesByHolder(ctx, personID)
	if err != nil {
		return domain.Recommendation{}, err
	}
	rs, err := s.Store.RequestsByRequester(ctx, personID, 50)
	if err != nil {
		return domain.Recommendation{}, err
	}
	covers, err := s.covered(ctx)
	if err != nil {
		return domain.Recommendation{}, err
	}
	h := domain.HoldingsOf(s.Today(), ms, rs)
	if u, err := s.Directory.User(ctx, personID); err == nil && u.LeaveDate != nil {
		h.ContractEnd = domain.DateOf(*u.LeaveDate) // a fixed-term employment: no mandate beyond its last day
	}
	var needs []domain.Need
	for _, tn := range s.Catalog.ThemesFor(tasks) {
		needs = append(needs, domain.Need{Theme: tn.Theme, Tasks: tn.Tasks, Covered: covers(tn.Theme.ID), LookAlikes: s.Catalog.LookAlikes(tn.Theme.ID)})
	}
	return domain.Recommend(s.Today(), tasks, needs, h), nil
}

// ---- submit ---------------------------------------------------------------------------------------------------

// SubmitInput is an employee's request.
type SubmitInput struct {
	RequesterID   string
	RoleID        string
	TaskIDs       []string
	Justification string
	ValidUntil    time.Time // civil date
	ActivityID    string
}

// Submit files a request for the themes the tasks need and the person does not already hold or have pending, and
// sends it to the approver.
func (s *Service) Submit(ctx context.Context, in SubmitInput) (domain.Request, error) {
	r, err := s.newRequest(ctx, in)
	if err != nil {
		return domain.Request{}, err
	}
	err = s.Store.InTx(ctx, func(tx Tx) error {
		req := r.Clone() // fn may run again: start from the same value each time
		if err := tx.CreateRequest(ctx, &req); err != nil {
			return err
		}
		if err := audit(ctx, tx, in.RequesterID, "request.submitted", nil, &req, in.ActivityID); err != nil {
			return err
		}
		r = req
		if err := s.plan(ctx, tx, alerts.EventSubmitted, &req); err != nil {
			return err
		}
		return enqueue(ctx, tx, domain.Message(req.ApproverID, req.ID, domain.ApprovalRequest{}))
	})
	if err != nil {
		return domain.Request{}, domain.Wrap("workflow.Submit", err)
	}
	s.committed()
	s.log().InfoContext(ctx, "request submitted", slog.Int64("request_id", r.ID), slog.Int("items", len(r.Items)), slog.String("approver_basis", string(r.ApproverBasis)))
	return r, nil
}

// newRequest validates an employee's input and builds the request it files (not yet stored).
func (s *Service) newRequest(ctx context.Context, in SubmitInput) (domain.Request, error) {
	just, err := domain.Justification.Check(in.Justification)
	if err != nil {
		return domain.Request{}, err
	}
	if in.RoleID != "" {
		if _, ok := s.Catalog.Role(in.RoleID); !ok {
			return domain.Request{}, invalid("err.unknown_role")
		}
	}
	rec, err := s.Recommend(ctx, in.RequesterID, in.TaskIDs)
	if err != nil {
		return domain.Request{}, err
	}
	until := domain.DateOf(in.ValidUntil)
	switch {
	case !rec.Validity.Open():
		return domain.Request{}, invalid("err.contract_ends")
	case !rec.Validity.Allows(until):
		return domain.Request{}, invalid("err.valid_until_range")
	}
	requester, err := s.Directory.User(ctx, in.RequesterID)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return domain.Request{}, forbidden("err.unknown_user")
		}
		return domain.Request{}, err
	}
	approver, err := s.route(ctx, requester)
	if err != nil {
		return domain.Request{}, err
	}
	// Directory fields are text people typed somewhere: a personal identity code in one is never copied here.
	r := domain.Request{
		RequesterID: requester.ID, RequesterName: hetu.Redact(requester.DisplayName), RequesterMail: hetu.Redact(requester.Mail),
		RequesterDepartment: hetu.Redact(requester.Department), RequesterJobTitle: hetu.Redact(requester.JobTitle),
		ApproverID: approver.ID, ApproverName: approver.Name, ApproverBasis: approver.Basis,
		State: domain.RequestPending, Justification: just, RoleID: in.RoleID, TaskIDs: rec.TaskIDs,
		ValidUntil: until.Time(), Items: rec.NewItems(),
	}
	if len(r.Items) == 0 {
		return domain.Request{}, conflict("err.nothing_to_request")
	}
	if approver.Reason != "" {
		// The approver is away: their delegate decides from the start.
		r.Reassigned = domain.Reassignment{Reason: approver.Reason, FromID: approver.FromID, FromName: approver.FromName,
			At: s.now().UTC().Truncate(time.Microsecond)}
	}
	return r, nil
}

// approverCandidate is someone who may decide when the manager cannot.
type approverCandidate struct {
	id    string
	basis domain.ApproverBasis
}

// ResolveApprover picks who decides a person's request: their manager; when there is none, the manager's account
// is disabled or gone, or the manager is the person themself, the head of their department from the organisation
// settings; then a main user. Never the requester. An approver away with a delegation in force is replaced by the
// colleague they named (unless that is the requester), with the same basis.
func (s *Service) ResolveApprover(ctx context.Context, requester domain.User) (domain.User, domain.ApproverBasis, error) {
	a, err := s.route(ctx, requester)
	return a.user, a.Basis, err
}

// routed is who decides a request, as an assignment (with the approver away, if any) and as a directory user.
type routed struct {
	domain.Assignment
	user domain.User
}

// route is ResolveApprover's answer as the request records it.
func (s *Service) route(ctx context.Context, requester domain.User) (routed, error) {
	u, basis, err := s.approverByRule(ctx, requester)
	if err != nil {
		return routed{}, err
	}
	out := routed{Assignment: domain.Assignment{ID: u.ID, Name: hetu.Redact(u.DisplayName), Basis: basis}, user: u}
	today := s.Today()
	ds, err := s.Store.Delegations(ctx, u.ID, today)
	if err != nil {
		return routed{}, err
	}
	d, away := domain.DelegateFor(ds, today, requester.ID)
	if !away {
		return out, nil
	}
	du, err := s.Directory.User(ctx, d.DelegateID)
	switch {
	case domain.IsCode(err, domain.ENotFound):
		return out, nil // the delegate is gone: the approver's own rule stands
	case err != nil:
		return routed{}, err
	case !du.MayApprove(requester.ID, today):
		return out, nil
	}
	d.DelegateName, d.ApproverName = hetu.Redact(du.DisplayName), out.Name
	return routed{Assignment: d.Delegated(basis), user: du}, nil
}

// approverByRule is the approver the directory and the organisation settings name, before delegations.
func (s *Service) approverByRule(ctx context.Context, requester domain.User) (domain.User, domain.ApproverBasis, error) {
	today := s.Today()
	mgr, err := s.Directory.Manager(ctx, requester.ID)
	switch {
	case err == nil && mgr.MayApprove(requester.ID, today):
		return mgr, domain.ApproverManager, nil
	case err != nil && !domain.IsCode(err, domain.ENotFound):
		return domain.User{}, "", err // a directory outage must not silently route to someone else
	}
	var candidates []approverCandidate
	if head := s.Catalog.Org.DepartmentHeads[requester.Department]; head != "" {
		candidates = append(candidates, approverCandidate{head, domain.ApproverDepartmentHead})
	}
	for _, mu := range s.Catalog.Org.MainUsers {
		candidates = append(candidates, approverCandidate{mu, domain.ApproverMainUser})
	}
	for _, c := range candidates {
		if strings.EqualFold(c.id, requester.ID) {
			continue
		}
		u, err := s.Directory.User(ctx, c.id)
		if err != nil {
			if domain.IsCode(err, domain.ENotFound) {
				continue
			}
			return domain.User{}, "", err
		}
		if u.MayApprove(requester.ID, today) {
			return u, c.basis, nil
		}
	}
	return domain.User{}, "", conflict("err.no_approver")
}

// ---- cancel ---------------------------------------------------------------------------------------------------

// Cancel withdraws a pending request; only its requester may.
func (s *Service) Cancel(ctx context.Context, actorID string, requestID int64, activityID string) (domain.Request, error) {
	return s.change(ctx, "workflow.Cancel", requestID, func(tx Tx, r *domain.Request) error {
		before := r.Clone()
		if err := r.Cancel(actorID); err != nil {
			return err
		}
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if err := audit(ctx, tx, actorID, "request.cancelled", &before, r, activityID); err != nil {
			return err
		}
		if err := s.plan(ctx, tx, alerts.EventCancelled, r); err != nil {
			return err
		}
		return enqueue(ctx, tx,
			domain.Message("", r.ID, domain.RefreshCards{}),
			domain.Message(r.ApproverID, r.ID, domain.CancelledNotice{}))
	})
}

// ---- decide ---------------------------------------------------------------------------------------------------

// DecideInput is an approver's decision.
type DecideInput struct {
	ActorID    string
	RequestID  int64
	Decision   domain.DecisionKind
	Approve    map[int64]bool // ByItem: items to approve; the rest are rejected
	Reason     string         // required when anything is rejected
	ActivityID string
}

// Decide records the assigned approver's decision. Only the approver may decide, only once.
func (s *Service) Decide(ctx context.Context, in DecideInput) (domain.Request, error) {
	reason, err := domain.Reason.Check(in.Reason)
	if err != nil {
		return domain.Request{}, err
	}
	if !in.Decision.Valid() {
		return domain.Request{}, invalid("err.bad_decision")
	}
	d := domain.Decision{Actor: in.ActorID, Kind: in.Decision, Approve: in.Approve, Reason: reason, At: s.now(),
		Path: s.Catalog.Org.Grant.DefaultPath()}
	return s.change(ctx, "workflow.Decide", in.RequestID, func(tx Tx, r *domain.Request) error {
		before := r.Clone()
		action, err := r.Decide(d)
		if err != nil {
			return err
		}
		if err := s.coverRecorded(ctx, tx, r); err != nil {
			return err
		}
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if err := audit(ctx, tx, in.ActorID, action, &before, r, in.ActivityID); err != nil {
			return err
		}
		if err := s.plan(ctx, tx, alerts.EventDecided, r); err != nil {
			return err
		}
		msgs := []domain.OutboxMessage{
			domain.Message("", r.ID, domain.RefreshCards{}),
			domain.Message(r.RequesterID, r.ID, domain.DecisionNotice{}),
		}
		if r.State == domain.RequestApproved {
			next, err := s.nextSteps(ctx, tx, r, grantableIDs(r))
			if err != nil {
				return err
			}
			apply, err := s.applications(ctx, tx, r)
			if err != nil {
				return err
			}
			msgs = append(append(msgs, next...), apply...)
		}
		return enqueue(ctx, tx, msgs...)
	})
}

// ---- grant ----------------------------------------------------------------------------------------------------

// GrantInput is a main user's confirmation that they granted mandates in Suomi.fi.
type GrantInput struct {
	ActorID    string
	RequestID  int64
	ItemIDs    []int64   // the approved items granted; empty = every approved item
	ValidFrom  time.Time // civil dates as granted in Suomi.fi
	ValidUntil time.Time
	ActivityID string
	// ConfirmSelfGrant is the sole main user's explicit confirmation that they record the grant of their own request.
	ConfirmSelfGrant bool
}

// Grant records granted mandates in the register. Only main users grant.
func (s *Service) Grant(ctx context.Context, in GrantInput) (domain.Request, error) {
	from, until := domain.DateOf(in.ValidFrom), domain.DateOf(in.ValidUntil)
	if !s.IsMainUser(in.ActorID) {
		return domain.Request{}, forbidden("err.not_main_user")
	}
	if err := domain.CheckGrantDates(s.Today(), from, until); err != nil {
		return domain.Request{}, err
	}
	return s.settle(ctx, "workflow.Grant", settlement{actor: in.ActorID, requestID: in.RequestID, items: in.ItemIDs,
		from: from, until: until, activityID: in.ActivityID, confirmSelf: in.ConfirmSelfGrant})
}

// NotGrantedInput is a main user's report that approved themes could not be granted.
type NotGrantedInput struct {
	ActorID    string
	RequestID  int64
	ItemIDs    []int64 // empty = every approved item
	Reason     string
	ActivityID string
	// ConfirmSelfGrant: as in GrantInput.
	ConfirmSelfGrant bool
}

// NotGranted records that approved items could not be granted, with the reason. Only main users.
func (s *Service) NotGranted(ctx context.Context, in NotGrantedInput) (domain.Request, error) {
	if !s.IsMainUser(in.ActorID) {
		return domain.Request{}, forbidden("err.not_main_user")
	}
	reason, err := domain.RequiredReason.Check(in.Reason)
	if err != nil {
		return domain.Request{}, err
	}
	return s.settle(ctx, "workflow.NotGranted", settlement{actor: in.ActorID, requestID: in.RequestID, items: in.ItemIDs,
		reason: reason, activityID: in.ActivityID, confirmSelf: in.ConfirmSelfGrant})
}

// settlement is what a main user recorded for approved items: granted (dates) or not granted (reason).
type settlement struct {
	actor       string
	requestID   int64
	items       []int64
	from, until domain.Date
	reason      string
	activityID  string
	confirmSelf bool
}

// settle applies a settlement: granted items become mandates in the register, each with its own audit row; the
// request's row and the requester's notice follow.
func (s *Service) settle(ctx context.Context, op string, st settlement) (domain.Request, error) {
	return s.change(ctx, op, st.requestID, func(tx Tx, r *domain.Request) error {
		before := r.Clone()
		self, err := r.CheckSelfGrant(st.actor, len(slices.DeleteFunc(slices.Clone(s.Catalog.Org.MainUsers), func(id string) bool {
			return strings.EqualFold(id, st.actor)
		})), st.confirmSelf)
		if err != nil {
			return err
		}
		items, err := r.Settle(st.actor, st.items, st.from, st.until, st.reason)
		if err != nil {
			return err
		}
		if st.reason == "" {
			// The dates must fit the approval; checked after Settle so that a late or repeated tap is a conflict.
			if err := before.CheckGrantDates(s.Today(), st.from, st.until); err != nil {
				return err
			}
		}
		var ids []int64
		var granted []domain.Mandate
		for _, it := range items {
			ids = append(ids, it.ID)
			if st.reason == "" {
				m, err := grantMandate(ctx, tx, r, it, st.activityID)
				if err != nil {
					return err
				}
				granted = append(granted, m)
			}
		}
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		action, notice := "request.granted", domain.Payload(domain.GrantedNotice{Items: ids})
		if st.reason != "" {
			action, notice = "request.not_granted", domain.NotGrantedNotice{Items: ids}
		}
		if self {
			action += ".self" // segregation of duties waived by the sole main user, on purpose: flagged for review
		}
		if err := audit(ctx, tx, st.actor, action, &before, r, st.activityID); err != nil {
			return err
		}
		if err := s.plan(ctx, tx, alerts.EventGranted, r, granted...); err != nil {
			return err
		}
		return enqueue(ctx, tx, domain.Message("", r.ID, domain.RefreshCards{}), domain.Message(r.RequesterID, r.ID, notice))
	})
}

// grantMandate puts a granted item into the register, with its own audit row.
func grantMandate(ctx context.Context, tx Tx, r *domain.Request, it *domain.RequestItem, activityID string) (domain.Mandate, error) {
	m := r.MandateFor(it)
	if err := tx.CreateMandate(ctx, &m); err != nil {
		return m, err
	}
	it.MandateID = m.ID
	after, _ := json.Marshal(mandateSnapshot(m))
	return m, tx.AppendAudit(ctx, domain.AuditEvent{ActorID: it.GrantedBy, Action: "mandate.granted", RequestID: r.ID,
		MandateID: m.ID, Before: json.RawMessage("null"), After: after, ActivityID: activityID})
}

// ---- reads ----------------------------------------------------------------------------------------------------

// MyView is what a person sees of their own mandates and requests.
type MyView struct {
	Mandates []domain.Mandate
	Requests []domain.Request
	Today    time.Time
}

// Mine returns the person's mandates and recent requests.
func (s *Service) Mine(ctx context.Context, personID string) (MyView, error) {
	ms, err := s.Store.MandatesByHolder(ctx, personID)
	if err != nil {
		return MyView{}, err
	}
	rs, err := s.Store.RequestsByRequester(ctx, personID, 20)
	if err != nil {
		return MyView{}, err
	}
	return MyView{Mandates: ms, Requests: rs, Today: s.Today().Time()}, nil
}

// Access says what a person may do with a request.
type Access struct {
	Request    domain.Request
	CanDecide  bool // the assigned approver, while pending
	CanGrant   bool // a main user, while items wait for a grant
	IsApprover bool
}

// View returns a request for someone involved in it: the requester, the assigned approver or a main user.
// Anyone else gets EForbidden, so card data naming another request reveals nothing.
func (s *Service) View(ctx context.Context, actorID string, requestID int64) (Access, error) {
	r, err := s.Store.Request(ctx, requestID)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return Access{}, forbidden("err.no_access")
		}
		return Access{}, err
	}
	mainUser := s.IsMainUser(actorID)
	if !r.MayView(actorID, mainUser) {
		return Access{}, forbidden("err.no_access")
	}
	return Access{Request: r, IsApprover: r.IsApprover(actorID), CanDecide: r.MayDecide(actorID), CanGrant: r.MayGrant(mainUser)}, nil
}

// PendingApprovals lists the requests waiting for this approver.
func (s *Service) PendingApprovals(ctx context.Context, approverID string) ([]domain.Request, error) {
	return s.Store.RequestsAwaitingApprover(ctx, approverID)
}

// HasPendingApprovals reports whether any request waits for this approver.
func (s *Service) HasPendingApprovals(ctx context.Context, approverID string) (bool, error) {
	return s.Store.HasRequestsAwaitingApprover(ctx, approverID)
}

// GrantTasks lists the requests waiting for a grant; main users only.
func (s *Service) GrantTasks(ctx context.Context, actorID string) ([]domain.Request, error) {
	if !s.IsMainUser(actorID) {
		return nil, forbidden("err.not_main_user")
	}
	return s.Store.RequestsAwaitingGrant(ctx)
}

// Overview is the main users' picture of the register; anyone else is refused.
func (s *Service) Overview(ctx context.Context, actorID string) (domain.Overview, error) {
	if !s.IsMainUser(actorID) {
		return domain.Overview{}, forbidden("err.not_main_user")
	}
	today := s.Today()
	ov, err := s.Store.Overview(ctx, today.Time())
	if err != nil {
		return ov, err
	}
	if ov.EndingSoonest, err = s.Store.MandatesEnding(ctx, today.Time(), today.AddYears(domain.MaxMandateYears).Time(), overviewRows); err != nil {
		return ov, err
	}
	if ov.OldestTasks, err = s.Store.RequestsAwaitingGrant(ctx); err != nil {
		return ov, err
	}
	ov.OldestTasks = ov.OldestTasks[:min(len(ov.OldestTasks), overviewRows)]
	if ov.OldestInvalidations, err = s.Store.OldestInvalidations(ctx, overviewRows); err != nil {
		return ov, err
	}
	for i := range ov.OldestInvalidations {
		ov.OldestInvalidations[i].Today = today
	}
	return ov, nil
}

// overviewRows is how many mandates and tasks the overview names.
const overviewRows = 5

// ---- plumbing -------------------------------------------------------------------------------------------------

// change runs one state change on a request in a transaction and wakes the outbox after it commits.
func (s *Service) change(ctx context.Context, op string, requestID int64, fn func(tx Tx, r *domain.Request) error) (domain.Request, error) {
	var out domain.Request
	err := s.Store.InTx(ctx, func(tx Tx) error {
		r, err := tx.Request(ctx, requestID)
		if err != nil {
			if domain.IsCode(err, domain.ENotFound) {
				return forbidden("err.no_access")
			}
			return err
		}
		if err := fn(tx, &r); err != nil {
			return err
		}
		out = r
		return nil
	})
	if err != nil {
		return domain.Request{}, domain.Wrap(op, err)
	}
	s.committed()
	s.log().InfoContext(ctx, "request changed", slog.String("op", op), slog.Int64("request_id", out.ID), slog.String("state", string(out.State)))
	return out, nil
}

func (s *Service) committed() {
	if s.Committed != nil {
		s.Committed()
	}
}

func enqueue(ctx context.Context, tx Tx, msgs ...domain.OutboxMessage) error {
	for _, m := range msgs {
		if err := tx.Enqueue(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func mandateSnapshot(m domain.Mandate) map[string]any {
	return map[string]any{"id": m.ID, "holder_id": m.HolderID, "theme_id": m.ThemeID, "valid_from": dateString(m.ValidFrom),
		"valid_until": dateString(m.ValidUntil), "state": m.State, "request_id": m.RequestID, "item_id": m.ItemID,
		"grant_path": m.GrantPath}
}

func audit(ctx context.Context, tx Tx, actor, action string, before, after *domain.Request, activityID string) error {
	return tx.AppendAudit(ctx, domain.RequestAudit(actor, action, before, after, activityID))
}

func dateString(t time.Time) string { return domain.DateOf(t).String() }
