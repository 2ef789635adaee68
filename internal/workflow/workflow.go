package workflow

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
)

// Directory is the org chart as the workflow needs it.
type Directory interface {
	User(ctx context.Context, id string) (domain.User, error)
	Manager(ctx context.Context, id string) (domain.User, error)
}

// Service runs the mandate flow.
type Service struct {
	Store     Store
	Directory Directory
	Catalog   *catalog.Catalog
	Now       func() time.Time
	Location  *time.Location // where "today" is decided; default Europe/Helsinki
	Logger    *slog.Logger
	// Committed is called after every transaction that enqueued messages, to wake the outbox worker.
	Committed func()
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

// Today is the current civil date in the organisation's time zone, as 00:00 UTC of that date.
func (s *Service) Today() time.Time {
	loc := s.Location
	if loc == nil {
		loc = helsinki
	}
	y, m, d := s.now().In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var helsinki = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Helsinki"); err == nil {
		return loc
	}
	return time.FixedZone("EET", 2*3600) // tzdata missing: close enough for dates
}()

// IsMainUser reports whether the person is one of the organisation's main users.
func (s *Service) IsMainUser(id string) bool { return s.Catalog.Org.IsMainUser(id) }

func invalid(key string) error   { return domain.Errorf(domain.EInvalid, "%s", key) }
func forbidden(key string) error { return domain.Errorf(domain.EForbidden, "%s", key) }
func conflict(key string) error  { return domain.Errorf(domain.EConflict, "%s", key) }

// ---- recommendation -------------------------------------------------------------------------------------------

// Need is one theme the chosen tasks need, with what the person already has.
type Need struct {
	catalog.ThemeNeed
	LookAlikes       []domain.Theme
	Held             *domain.Mandate // an active mandate of this theme the person already holds
	PendingReference string          // an open request that already asks for it
}

// Requestable reports whether the theme would be part of a new request.
func (n Need) Requestable() bool { return n.Held == nil && n.PendingReference == "" }

// Recommendation is what the intake answers: the needed themes and the validity bounds.
type Recommendation struct {
	TaskIDs           []string
	Needs             []Need
	DefaultValidUntil time.Time
	MinValidUntil     time.Time
	MaxValidUntil     time.Time
}

// Requestable reports whether any theme is left to request.
func (r Recommendation) Requestable() bool {
	for _, n := range r.Needs {
		if n.Requestable() {
			return true
		}
	}
	return false
}

// Recommend works out the themes the tasks need for this person.
func (s *Service) Recommend(ctx context.Context, personID string, taskIDs []string) (Recommendation, error) {
	tasks, err := s.checkTasks(taskIDs)
	if err != nil {
		return Recommendation{}, err
	}
	held, pending, err := s.holdings(ctx, personID)
	if err != nil {
		return Recommendation{}, err
	}
	today := s.Today()
	rec := Recommendation{TaskIDs: tasks, MinValidUntil: today.AddDate(0, 0, 1), MaxValidUntil: today.AddDate(domain.MaxMandateYears, 0, 0)}
	months := 0
	for _, tn := range s.Catalog.ThemesFor(tasks) {
		if tn.Theme.Hidden {
			continue
		}
		n := Need{ThemeNeed: tn, LookAlikes: s.Catalog.LookAlikes(tn.Theme.ID)}
		if m, ok := held[tn.Theme.ID]; ok {
			n.Held = &m
		} else if ref, ok := pending[tn.Theme.ID]; ok {
			n.PendingReference = ref
		} else if months == 0 || tn.Theme.DefaultValidityMonths < months {
			// Least privilege: one end date for the request, the shortest the policy allows for any of its themes.
			months = tn.Theme.DefaultValidityMonths
		}
		rec.Needs = append(rec.Needs, n)
	}
	// A look-alike that is itself recommended here is no mix-up to warn about.
	needed := map[string]bool{}
	for _, n := range rec.Needs {
		needed[n.Theme.ID] = true
	}
	for i := range rec.Needs {
		rec.Needs[i].LookAlikes = slices.DeleteFunc(rec.Needs[i].LookAlikes, func(t domain.Theme) bool { return needed[t.ID] })
	}
	if months == 0 {
		months = 24
	}
	rec.DefaultValidUntil = today.AddDate(0, months, 0)
	if rec.DefaultValidUntil.After(rec.MaxValidUntil) {
		rec.DefaultValidUntil = rec.MaxValidUntil
	}
	return rec, nil
}

// checkTasks keeps the known tasks in catalog order, refusing unknown ids and an empty choice.
func (s *Service) checkTasks(taskIDs []string) ([]string, error) {
	seen := map[string]bool{}
	for _, id := range taskIDs {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if _, ok := s.Catalog.Task(id); !ok {
			return nil, invalid("err.unknown_task")
		}
		seen[id] = true
	}
	if len(seen) == 0 {
		return nil, invalid("err.no_tasks")
	}
	var out []string
	for _, t := range s.Catalog.Tasks {
		if seen[t.ID] {
			out = append(out, t.ID)
		}
	}
	return out, nil
}

// holdings returns the person's active mandates and open requested themes, by theme.
func (s *Service) holdings(ctx context.Context, personID string) (map[string]domain.Mandate, map[string]string, error) {
	today := s.Today()
	ms, err := s.Store.MandatesByHolder(ctx, personID)
	if err != nil {
		return nil, nil, err
	}
	held := map[string]domain.Mandate{}
	for _, m := range ms {
		if m.State == domain.MandateActive && !m.ValidUntil.Before(today) {
			held[m.ThemeID] = m
		}
	}
	rs, err := s.Store.RequestsByRequester(ctx, personID, 50)
	if err != nil {
		return nil, nil, err
	}
	pending := map[string]string{}
	for _, r := range rs {
		if !r.State.Open() {
			continue
		}
		for _, it := range r.Items {
			if it.State == domain.ItemPending || it.State == domain.ItemApproved {
				pending[it.ThemeID] = r.Reference()
			}
		}
	}
	return held, pending, nil
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
	just := strings.TrimSpace(in.Justification)
	switch {
	case just == "":
		return domain.Request{}, invalid("err.justification_required")
	case utf8.RuneCountInString(just) > domain.MaxJustification:
		return domain.Request{}, invalid("err.justification_too_long")
	case hetu.Contains(just):
		return domain.Request{}, invalid("err.justification_hetu")
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
	until := civil(in.ValidUntil)
	if until.IsZero() || until.Before(rec.MinValidUntil) || until.After(rec.MaxValidUntil) {
		return domain.Request{}, invalid("err.valid_until_range")
	}
	requester, err := s.Directory.User(ctx, in.RequesterID)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return domain.Request{}, forbidden("err.unknown_user")
		}
		return domain.Request{}, err
	}
	approver, basis, err := s.ResolveApprover(ctx, requester)
	if err != nil {
		return domain.Request{}, err
	}
	r := domain.Request{
		RequesterID: requester.ID, RequesterName: requester.DisplayName, RequesterMail: requester.Mail,
		RequesterDepartment: requester.Department, RequesterJobTitle: requester.JobTitle,
		ApproverID: approver.ID, ApproverName: approver.DisplayName, ApproverBasis: basis,
		State: domain.RequestPending, Justification: just, RoleID: in.RoleID, TaskIDs: rec.TaskIDs, ValidUntil: until,
	}
	var uncovered []string
	for _, n := range rec.Needs {
		if !n.Requestable() {
			continue
		}
		var why []string
		for _, t := range n.Tasks {
			why = append(why, t.ID)
		}
		r.Items = append(r.Items, domain.RequestItem{ThemeID: n.Theme.ID, TaskIDs: why, Covered: n.Covered, State: domain.ItemPending})
		if !n.Covered {
			uncovered = append(uncovered, n.Theme.ID)
		}
	}
	if len(r.Items) == 0 {
		return domain.Request{}, conflict("err.nothing_to_request")
	}
	err = s.Store.InTx(ctx, func(tx Tx) error {
		req := r // fn may run again: start from the same value each time
		req.Items = slices.Clone(r.Items)
		if err := tx.CreateRequest(ctx, &req); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, in.RequesterID, "request.submitted", nil, &req, in.ActivityID); err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgApprovalRequest, RecipientID: req.ApproverID, RequestID: req.ID}); err != nil {
			return err
		}
		if len(uncovered) > 0 {
			payload, _ := json.Marshal(map[string][]string{"themes": uncovered})
			for _, mu := range s.Catalog.Org.MainUsers {
				if err := tx.Enqueue(ctx, domain.OutboxMessage{Kind: domain.MsgApplicationNeeded, RecipientID: mu, RequestID: req.ID, Payload: payload}); err != nil {
					return err
				}
			}
		}
		r = req
		return nil
	})
	if err != nil {
		return domain.Request{}, domain.Wrap("workflow.Submit", err)
	}
	s.committed()
	s.log().InfoContext(ctx, "request submitted", slog.Int64("request_id", r.ID), slog.Int("items", len(r.Items)), slog.String("approver_basis", string(basis)))
	return r, nil
}

// ResolveApprover picks who decides a person's request: their manager; when there is none, the manager's account
// is disabled or gone, or the manager is the person themself, the head of their department from the organisation
// settings; then a main user. Never the requester.
func (s *Service) ResolveApprover(ctx context.Context, requester domain.User) (domain.User, domain.ApproverBasis, error) {
	today := s.Today()
	usable := func(u domain.User) bool {
		return u.ID != "" && u.ID != requester.ID && u.AccountEnabled && (u.LeaveDate == nil || !civil(*u.LeaveDate).Before(today))
	}
	mgr, err := s.Directory.Manager(ctx, requester.ID)
	switch {
	case err == nil && usable(mgr):
		return mgr, domain.ApproverManager, nil
	case err != nil && !domain.IsCode(err, domain.ENotFound):
		return domain.User{}, "", err // a directory outage must not silently route to someone else
	}
	candidates := []struct {
		id    string
		basis domain.ApproverBasis
	}{}
	if head := s.Catalog.Org.DepartmentHeads[requester.Department]; head != "" {
		candidates = append(candidates, struct {
			id    string
			basis domain.ApproverBasis
		}{head, domain.ApproverDepartmentHead})
	}
	for _, mu := range s.Catalog.Org.MainUsers {
		candidates = append(candidates, struct {
			id    string
			basis domain.ApproverBasis
		}{mu, domain.ApproverMainUser})
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
		if usable(u) {
			return u, c.basis, nil
		}
	}
	return domain.User{}, "", conflict("err.no_approver")
}

// ---- cancel ---------------------------------------------------------------------------------------------------

// Cancel withdraws a pending request; only its requester may.
func (s *Service) Cancel(ctx context.Context, actorID string, requestID int64, activityID string) (domain.Request, error) {
	return s.change(ctx, "workflow.Cancel", requestID, func(tx Tx, r *domain.Request) error {
		if r.RequesterID != actorID {
			return forbidden("err.not_requester")
		}
		if r.State != domain.RequestPending {
			return conflict("err.not_pending")
		}
		before := *r
		r.State = domain.RequestCancelled
		for i := range r.Items {
			r.Items[i].State = domain.ItemCancelled
		}
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, actorID, "request.cancelled", &before, r, activityID); err != nil {
			return err
		}
		return enqueue(ctx, tx, r.ID,
			domain.OutboxMessage{Kind: domain.MsgRefreshCards},
			domain.OutboxMessage{Kind: domain.MsgCancelledNotice, RecipientID: r.ApproverID})
	})
}

// ---- decide ---------------------------------------------------------------------------------------------------

// Decision kinds.
const (
	ApproveAll = "approveAll"
	RejectAll  = "rejectAll"
	ByItem     = "byItem"
)

// DecideInput is an approver's decision.
type DecideInput struct {
	ActorID    string
	RequestID  int64
	Decision   string         // ApproveAll, RejectAll or ByItem
	Approve    map[int64]bool // ByItem: items to approve; the rest are rejected
	Reason     string         // required when anything is rejected
	ActivityID string
}

// Decide records the assigned approver's decision. Only the approver may decide, only once.
func (s *Service) Decide(ctx context.Context, in DecideInput) (domain.Request, error) {
	reason := strings.TrimSpace(in.Reason)
	if utf8.RuneCountInString(reason) > domain.MaxReason {
		return domain.Request{}, invalid("err.reason_too_long")
	}
	if hetu.Contains(reason) {
		return domain.Request{}, invalid("err.reason_hetu")
	}
	switch in.Decision {
	case ApproveAll, RejectAll, ByItem:
	default:
		return domain.Request{}, invalid("err.bad_decision")
	}
	return s.change(ctx, "workflow.Decide", in.RequestID, func(tx Tx, r *domain.Request) error {
		if r.ApproverID != in.ActorID || r.RequesterID == in.ActorID {
			return forbidden("err.not_approver")
		}
		if r.State != domain.RequestPending {
			return conflict("err.already_decided")
		}
		before := *r
		before.Items = slices.Clone(r.Items)
		approved := 0
		for i := range r.Items {
			ok := in.Decision == ApproveAll || (in.Decision == ByItem && in.Approve[r.Items[i].ID])
			if ok {
				r.Items[i].State = domain.ItemApproved
				approved++
			} else {
				r.Items[i].State = domain.ItemRejected
			}
		}
		if approved < len(r.Items) && reason == "" {
			return invalid("err.reason_required")
		}
		r.State = domain.RequestRejected
		action := "request.rejected"
		if approved > 0 {
			r.State = domain.RequestApproved
			action = "request.approved"
		}
		r.DecidedBy, r.DecidedAt, r.DecisionReason = in.ActorID, s.now().UTC(), reason
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, in.ActorID, action, &before, r, in.ActivityID); err != nil {
			return err
		}
		msgs := []domain.OutboxMessage{
			{Kind: domain.MsgRefreshCards},
			{Kind: domain.MsgDecisionNotice, RecipientID: r.RequesterID},
		}
		if approved > 0 {
			msgs = append(msgs, domain.OutboxMessage{Kind: domain.MsgRequestSteps, RecipientID: r.RequesterID})
			for _, mu := range s.Catalog.Org.MainUsers {
				msgs = append(msgs, domain.OutboxMessage{Kind: domain.MsgGrantTask, RecipientID: mu})
			}
		}
		return enqueue(ctx, tx, r.ID, msgs...)
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
}

// Grant records granted mandates in the register. Only main users grant.
func (s *Service) Grant(ctx context.Context, in GrantInput) (domain.Request, error) {
	if !s.IsMainUser(in.ActorID) {
		return domain.Request{}, forbidden("err.not_main_user")
	}
	from, until, today := civil(in.ValidFrom), civil(in.ValidUntil), s.Today()
	switch {
	case from.IsZero() || until.IsZero():
		return domain.Request{}, invalid("err.dates_required")
	case from.Before(today.AddDate(0, 0, -domain.LateGrantDays)):
		return domain.Request{}, invalid("err.valid_from_past")
	case !until.After(from):
		return domain.Request{}, invalid("err.valid_until_before_from")
	case until.After(from.AddDate(domain.MaxMandateYears, 0, 0)):
		return domain.Request{}, invalid("err.valid_until_range")
	}
	return s.change(ctx, "workflow.Grant", in.RequestID, func(tx Tx, r *domain.Request) error {
		items, err := pickApproved(r, in.ItemIDs)
		if err != nil {
			return err
		}
		before := *r
		before.Items = slices.Clone(r.Items)
		var granted []int64
		for _, it := range items {
			m := domain.Mandate{HolderID: r.RequesterID, HolderName: r.RequesterName, Department: r.RequesterDepartment,
				ThemeID: it.ThemeID, ValidFrom: from, ValidUntil: until, State: domain.MandateActive,
				RequestID: r.ID, ItemID: it.ID, GrantedBy: in.ActorID}
			if err := tx.CreateMandate(ctx, &m); err != nil {
				return err
			}
			it.State, it.GrantedFrom, it.GrantedUntil, it.GrantedBy, it.MandateID = domain.ItemGranted, from, until, in.ActorID, m.ID
			granted = append(granted, it.ID)
			after, _ := json.Marshal(mandateSnapshot(m))
			if err := tx.AppendAudit(ctx, domain.AuditEvent{ActorID: in.ActorID, Action: "mandate.granted", RequestID: r.ID,
				MandateID: m.ID, Before: json.RawMessage("null"), After: after, ActivityID: in.ActivityID}); err != nil {
				return err
			}
		}
		completeIfDone(r)
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, in.ActorID, "request.granted", &before, r, in.ActivityID); err != nil {
			return err
		}
		payload, _ := json.Marshal(map[string][]int64{"items": granted})
		return enqueue(ctx, tx, r.ID,
			domain.OutboxMessage{Kind: domain.MsgRefreshCards},
			domain.OutboxMessage{Kind: domain.MsgGrantedNotice, RecipientID: r.RequesterID, Payload: payload})
	})
}

// NotGrantedInput is a main user's report that approved themes could not be granted.
type NotGrantedInput struct {
	ActorID    string
	RequestID  int64
	ItemIDs    []int64 // empty = every approved item
	Reason     string
	ActivityID string
}

// NotGranted records that approved items could not be granted, with the reason. Only main users.
func (s *Service) NotGranted(ctx context.Context, in NotGrantedInput) (domain.Request, error) {
	if !s.IsMainUser(in.ActorID) {
		return domain.Request{}, forbidden("err.not_main_user")
	}
	reason := strings.TrimSpace(in.Reason)
	switch {
	case reason == "":
		return domain.Request{}, invalid("err.reason_required")
	case utf8.RuneCountInString(reason) > domain.MaxReason:
		return domain.Request{}, invalid("err.reason_too_long")
	case hetu.Contains(reason):
		return domain.Request{}, invalid("err.reason_hetu")
	}
	return s.change(ctx, "workflow.NotGranted", in.RequestID, func(tx Tx, r *domain.Request) error {
		items, err := pickApproved(r, in.ItemIDs)
		if err != nil {
			return err
		}
		before := *r
		before.Items = slices.Clone(r.Items)
		var ids []int64
		for _, it := range items {
			it.State, it.NotGrantedReason, it.GrantedBy = domain.ItemNotGranted, reason, in.ActorID
			ids = append(ids, it.ID)
		}
		completeIfDone(r)
		if err := tx.UpdateRequest(ctx, r); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, in.ActorID, "request.not_granted", &before, r, in.ActivityID); err != nil {
			return err
		}
		payload, _ := json.Marshal(map[string][]int64{"items": ids})
		return enqueue(ctx, tx, r.ID,
			domain.OutboxMessage{Kind: domain.MsgRefreshCards},
			domain.OutboxMessage{Kind: domain.MsgNotGrantedNotice, RecipientID: r.RequesterID, Payload: payload})
	})
}

// pickApproved returns the request's items in state approved among ids (all approved items when ids is empty).
func pickApproved(r *domain.Request, ids []int64) ([]*domain.RequestItem, error) {
	if r.State != domain.RequestApproved {
		return nil, conflict("err.not_grantable")
	}
	var out []*domain.RequestItem
	for i := range r.Items {
		it := &r.Items[i]
		if it.State == domain.ItemApproved && (len(ids) == 0 || slices.Contains(ids, it.ID)) {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		if len(ids) > 0 {
			return nil, conflict("err.items_already_handled")
		}
		return nil, conflict("err.not_grantable")
	}
	return out, nil
}

func completeIfDone(r *domain.Request) {
	for _, it := range r.Items {
		if it.State == domain.ItemApproved {
			return
		}
	}
	r.State = domain.RequestCompleted
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
	return MyView{Mandates: ms, Requests: rs, Today: s.Today()}, nil
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
	approver := r.ApproverID == actorID && r.RequesterID != actorID
	if !approver && !mainUser && r.RequesterID != actorID {
		return Access{}, forbidden("err.no_access")
	}
	return Access{Request: r, IsApprover: approver, CanDecide: approver && r.State == domain.RequestPending,
		CanGrant: mainUser && r.State == domain.RequestApproved}, nil
}

// PendingApprovals lists the requests waiting for this approver.
func (s *Service) PendingApprovals(ctx context.Context, approverID string) ([]domain.Request, error) {
	return s.Store.RequestsAwaitingApprover(ctx, approverID)
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
	return s.Store.Overview(ctx, s.Today())
}

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

func enqueue(ctx context.Context, tx Tx, requestID int64, msgs ...domain.OutboxMessage) error {
	for _, m := range msgs {
		m.RequestID = requestID
		if err := tx.Enqueue(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// requestSnapshot is what the audit trail keeps of a request: states and decisions, not free text beyond the
// justification and reasons people wrote for the record.
type requestSnapshot struct {
	State          domain.RequestState `json:"state"`
	ApproverID     string              `json:"approver_id"`
	ApproverBasis  string              `json:"approver_basis"`
	Justification  string              `json:"justification,omitempty"`
	ValidUntil     string              `json:"valid_until"`
	DecidedBy      string              `json:"decided_by,omitempty"`
	DecisionReason string              `json:"decision_reason,omitempty"`
	Items          []itemSnapshot      `json:"items"`
}

type itemSnapshot struct {
	ID               int64            `json:"id"`
	ThemeID          string           `json:"theme_id"`
	State            domain.ItemState `json:"state"`
	GrantedFrom      string           `json:"granted_from,omitempty"`
	GrantedUntil     string           `json:"granted_until,omitempty"`
	NotGrantedReason string           `json:"not_granted_reason,omitempty"`
	MandateID        int64            `json:"mandate_id,omitempty"`
}

func snapshot(r *domain.Request) requestSnapshot {
	s := requestSnapshot{State: r.State, ApproverID: r.ApproverID, ApproverBasis: string(r.ApproverBasis),
		Justification: r.Justification, ValidUntil: dateString(r.ValidUntil), DecidedBy: r.DecidedBy, DecisionReason: r.DecisionReason}
	for _, it := range r.Items {
		s.Items = append(s.Items, itemSnapshot{ID: it.ID, ThemeID: it.ThemeID, State: it.State,
			GrantedFrom: dateString(it.GrantedFrom), GrantedUntil: dateString(it.GrantedUntil),
			NotGrantedReason: it.NotGrantedReason, MandateID: it.MandateID})
	}
	return s
}

func mandateSnapshot(m domain.Mandate) map[string]any {
	return map[string]any{"id": m.ID, "holder_id": m.HolderID, "theme_id": m.ThemeID, "valid_from": dateString(m.ValidFrom),
		"valid_until": dateString(m.ValidUntil), "state": m.State, "request_id": m.RequestID, "item_id": m.ItemID}
}

func (s *Service) audit(ctx context.Context, tx Tx, actor, action string, before, after *domain.Request, activityID string) error {
	b := json.RawMessage("null")
	if before != nil {
		b, _ = json.Marshal(snapshot(before))
	}
	a, _ := json.Marshal(snapshot(after))
	return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: actor, Action: action, RequestID: after.ID, Before: b, After: a, ActivityID: activityID})
}

func dateString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// civil drops the time of day: a date as 00:00 UTC.
func civil(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
