package domain

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

const (
	head     = "head-oid"
	delegate = "delegate-oid"
)

func TestRequestReassign(t *testing.T) {
	at := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
	escalate := Assignment{ID: head, Name: "Helena Johtaja", Basis: ApproverDepartmentHead, Reason: ReassignEscalated}
	tests := []struct {
		name   string
		change func(r *Request)
		to     Assignment
		code   string
		key    string
	}{
		{name: "escalated to the head of department", to: escalate},
		{name: "delegated", to: Assignment{ID: delegate, Name: "Sari Sijainen", Basis: ApproverManager,
			Reason: ReassignDelegated}},
		{name: "decided already", change: func(r *Request) { r.State = RequestApproved }, to: escalate,
			code: EConflict, key: "err.not_pending"},
		{name: "cancelled", change: func(r *Request) { r.State = RequestCancelled }, to: escalate,
			code: EConflict, key: "err.not_pending"},
		{name: "to the requester", to: Assignment{ID: requester, Basis: ApproverMainUser, Reason: ReassignEscalated},
			code: EForbidden, key: "err.approver_is_requester"},
		{name: "to the requester, other case", to: Assignment{ID: "REQUESTER-OID", Basis: ApproverMainUser,
			Reason: ReassignEscalated}, code: EForbidden, key: "err.approver_is_requester"},
		{name: "to the same approver", to: Assignment{ID: approver, Basis: ApproverManager, Reason: ReassignEscalated},
			code: EConflict, key: "err.same_approver"},
		{name: "to nobody", to: Assignment{ID: " ", Basis: ApproverMainUser, Reason: ReassignEscalated},
			code: EInvalid, key: "err.no_approver"},
		{name: "no reason", to: Assignment{ID: head, Basis: ApproverDepartmentHead}, code: EInvalid,
			key: "err.bad_reassignment"},
		{name: "unknown basis", to: Assignment{ID: head, Basis: "friend", Reason: ReassignEscalated}, code: EInvalid,
			key: "err.bad_reassignment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := pendingRequest()
			if tc.change != nil {
				tc.change(&r)
			}
			before := r.Clone()
			err := r.Reassign(tc.to, at)
			if tc.code != "" {
				wantErr(t, err, tc.code, tc.key)
				wantUnchanged(t, r, before)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.ApproverID != tc.to.ID || r.ApproverName != tc.to.Name || r.ApproverBasis != tc.to.Basis {
				t.Errorf("approver %s %s %s", r.ApproverID, r.ApproverName, r.ApproverBasis)
			}
			want := Reassignment{Reason: tc.to.Reason, FromID: approver, FromName: "Pekka Esimies", At: at}
			if r.Reassigned != want {
				t.Errorf("reassigned %+v, want %+v", r.Reassigned, want)
			}
			if !r.MayDecide(tc.to.ID) || r.MayDecide(approver) {
				t.Error("only the new approver may decide")
			}
			if !r.WaitingSince().Equal(at) {
				t.Errorf("waiting since %v", r.WaitingSince())
			}
			if r.State != RequestPending || !slices.Equal(itemStates(r), itemStates(before)) {
				t.Error("reassigning changed the request's state")
			}
		})
	}
}

func TestReassignKeepsTheApproverAwayAsFrom(t *testing.T) {
	r := pendingRequest()
	// Escalated first: the head of department decides; then the head is away and their delegate decides for them.
	if err := r.Reassign(Assignment{ID: head, Name: "Helena", Basis: ApproverDepartmentHead, Reason: ReassignEscalated}, time.Now()); err != nil {
		t.Fatal(err)
	}
	d := Delegation{ApproverID: head, ApproverName: "Helena", DelegateID: delegate, DelegateName: "Sari"}
	if err := r.Reassign(d.Delegated(r.ApproverBasis), time.Now()); err != nil {
		t.Fatal(err)
	}
	if id, name := r.DelegatedFrom(); id != head || name != "Helena" || r.ApproverBasis != ApproverDepartmentHead {
		t.Errorf("delegated from %q %q basis %s", id, name, r.ApproverBasis)
	}
	// A delegation named by someone other than the current approver keeps its own From.
	r = pendingRequest()
	other := Delegation{ApproverID: "away-oid", ApproverName: "Poissa", DelegateID: delegate}
	if err := r.Reassign(other.Delegated(ApproverManager), time.Now()); err != nil {
		t.Fatal(err)
	}
	if id, _ := r.DelegatedFrom(); id != "away-oid" {
		t.Errorf("from %q", id)
	}
	if pendingRequest().WaitingSince() != pendingRequest().CreatedAt {
		t.Error("a request never reassigned waits since it was filed")
	}
	if id, _ := pendingRequest().DelegatedFrom(); id != "" {
		t.Error("delegated from someone without a delegation")
	}
}

func TestRequestExpire(t *testing.T) {
	at := time.Date(2026, 7, 1, 8, 0, 0, 0, time.UTC)
	r := pendingRequest()
	if err := r.Expire(at); err != nil {
		t.Fatal(err)
	}
	if !r.Expired() || r.State != RequestCancelled || r.DecidedBy != SystemActor || !r.DecidedAt.Equal(at) {
		t.Errorf("expired %v state %s by %q at %v", r.Expired(), r.State, r.DecidedBy, r.DecidedAt)
	}
	for _, it := range r.Items {
		if it.State != ItemCancelled {
			t.Errorf("item %d %s", it.ID, it.State)
		}
	}
	if r.MayDecide(approver) {
		t.Error("an expired request can still be decided")
	}
	for _, s := range []RequestState{RequestApproved, RequestRejected, RequestCancelled, RequestCompleted} {
		r := pendingRequest()
		r.State = s
		before := r.Clone()
		wantErr(t, r.Expire(at), EConflict, "err.not_pending")
		wantUnchanged(t, r, before)
	}
	withdrawn := pendingRequest()
	if err := withdrawn.Cancel(requester); err != nil || withdrawn.Expired() {
		t.Errorf("a withdrawn request counts as expired (%v)", err)
	}
}

func TestSnapshotNamesTheApprover(t *testing.T) {
	r := pendingRequest()
	_ = r.Reassign(Assignment{ID: head, Basis: ApproverDepartmentHead, Reason: ReassignEscalated}, time.Now())
	e := RequestAudit(SystemActor, "request.escalated", new(pendingRequest()), &r, "")
	var before, after map[string]any
	if json.Unmarshal(e.Before, &before) != nil || json.Unmarshal(e.After, &after) != nil {
		t.Fatalf("snapshots %s %s", e.Before, e.After)
	}
	if before["approver_id"] != approver || after["approver_id"] != head || after["reassigned"] != "escalated" ||
		after["reassigned_from"] != approver || after["approver_basis"] != "department_head" {
		t.Errorf("before %v after %v", before, after)
	}
	if e.ActorID != SystemActor || e.RequestID != r.ID || e.Action != "request.escalated" {
		t.Errorf("event %+v", e)
	}
	if e := RequestAudit("x", "request.submitted", nil, &r, ""); string(e.Before) != "null" {
		t.Errorf("new request before %s", e.Before)
	}
}

func user(id, name string) User { return User{ID: id, DisplayName: name, AccountEnabled: true} }

func TestNewDelegation(t *testing.T) {
	today := day(2027, 6, 28)
	sami, sari := user(approver, "Sami"), user(delegate, "Sari")
	left := sari
	gone := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	left.LeaveDate = &gone
	disabled := sari
	disabled.AccountEnabled = false
	july := Delegation{ApproverID: approver, DelegateID: "x", From: day(2027, 7, 10), Until: day(2027, 7, 24)}
	tests := []struct {
		name            string
		approver, deleg User
		from, until     Date
		existing        []Delegation
		code, key       string
	}{
		{name: "a holiday", approver: sami, deleg: sari, from: day(2027, 7, 10), until: day(2027, 7, 24)},
		{name: "from today, one day", approver: sami, deleg: sari, from: today, until: today},
		{name: "after another", approver: sami, deleg: sari, from: day(2027, 7, 25), until: day(2027, 7, 31),
			existing: []Delegation{july}},
		{name: "an ended one may overlap", approver: sami, deleg: sari, from: day(2027, 7, 1), until: day(2027, 7, 31),
			existing: []Delegation{{ApproverID: approver, From: day(2027, 7, 10), Until: day(2027, 7, 24), EndedAt: time.Now()}}},
		{name: "oneself", approver: sami, deleg: user("APPROVER-OID", "Sami"), from: today, until: today,
			code: EInvalid, key: "err.delegate_self"},
		{name: "disabled delegate", approver: sami, deleg: disabled, from: today, until: today,
			code: EInvalid, key: "err.delegate_unavailable"},
		{name: "delegate left before", approver: sami, deleg: left, from: day(2027, 7, 1), until: day(2027, 7, 2),
			code: EInvalid, key: "err.delegate_unavailable"},
		{name: "nobody", approver: sami, deleg: User{}, from: today, until: today,
			code: EInvalid, key: "err.delegate_unavailable"},
		{name: "unknown approver", approver: User{}, deleg: sari, from: today, until: today,
			code: EForbidden, key: "err.unknown_user"},
		{name: "starts yesterday", approver: sami, deleg: sari, from: today.AddDays(-1), until: today,
			code: EInvalid, key: "err.delegation_dates"},
		{name: "ends before it starts", approver: sami, deleg: sari, from: day(2027, 7, 24), until: day(2027, 7, 10),
			code: EInvalid, key: "err.delegation_dates"},
		{name: "no end", approver: sami, deleg: sari, from: today, code: EInvalid, key: "err.delegation_dates"},
		{name: "too long", approver: sami, deleg: sari, from: today, until: today.AddDays(MaxDelegationDays),
			code: EInvalid, key: "err.delegation_too_long"},
		{name: "longest", approver: sami, deleg: sari, from: today, until: today.AddDays(MaxDelegationDays - 1)},
		{name: "overlaps", approver: sami, deleg: sari, from: day(2027, 7, 20), until: day(2027, 8, 5),
			existing: []Delegation{july}, code: EConflict, key: "err.delegation_overlaps"},
		{name: "covers another", approver: sami, deleg: sari, from: day(2027, 7, 1), until: day(2027, 7, 31),
			existing: []Delegation{july}, code: EConflict, key: "err.delegation_overlaps"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := NewDelegation(tc.approver, tc.deleg, tc.from, tc.until, today, tc.existing)
			if tc.code != "" {
				wantErr(t, err, tc.code, tc.key)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.ApproverID != approver || d.DelegateID != tc.deleg.ID || d.CreatedBy != approver ||
				d.From != tc.from || d.Until != tc.until || d.DelegateName != tc.deleg.DisplayName {
				t.Errorf("delegation %+v", d)
			}
		})
	}
}

func TestDelegationPeriodAndEnd(t *testing.T) {
	d := Delegation{ApproverID: approver, DelegateID: delegate, From: day(2027, 7, 10), Until: day(2027, 7, 24)}
	for _, tc := range []struct {
		day             Date
		active, current bool
	}{
		{day(2027, 7, 9), false, true},
		{day(2027, 7, 10), true, true},
		{day(2027, 7, 24), true, true},
		{day(2027, 7, 25), false, false},
	} {
		if d.ActiveOn(tc.day) != tc.active || d.Current(tc.day) != tc.current {
			t.Errorf("%s: active %v current %v", tc.day, d.ActiveOn(tc.day), d.Current(tc.day))
		}
	}
	at := time.Date(2027, 7, 15, 9, 0, 0, 0, time.UTC)
	e := d
	wantErr(t, e.End(stranger, false, at), EForbidden, "err.not_delegator")
	if err := e.End(approver, false, at); err != nil {
		t.Fatal(err)
	}
	if e.ActiveOn(day(2027, 7, 16)) || e.Current(day(2027, 7, 16)) || e.EndedBy != approver {
		t.Error("an ended delegation is still in force")
	}
	wantErr(t, e.End(approver, false, at), EConflict, "err.delegation_ended")
	m := d
	if err := m.End(mainUser, true, at); err != nil {
		t.Errorf("a main user may end a delegation: %v", err)
	}
	late := d
	wantErr(t, late.End(approver, false, time.Date(2027, 7, 26, 9, 0, 0, 0, time.UTC)), EConflict, "err.delegation_ended")
}

func TestDelegateFor(t *testing.T) {
	july := Delegation{ApproverID: approver, ApproverName: "Sami", DelegateID: delegate, DelegateName: "Sari",
		From: day(2027, 7, 10), Until: day(2027, 7, 24)}
	august := Delegation{ApproverID: approver, DelegateID: "other", From: day(2027, 8, 1), Until: day(2027, 8, 9)}
	ds := []Delegation{july, august}
	if d, ok := DelegateFor(ds, day(2027, 7, 12), requester); !ok || d.DelegateID != delegate {
		t.Errorf("in July: %+v %v", d, ok)
	}
	if d, ok := DelegateFor(ds, day(2027, 8, 2), requester); !ok || d.DelegateID != "other" {
		t.Errorf("in August: %+v %v", d, ok)
	}
	if _, ok := DelegateFor(ds, day(2027, 7, 28), requester); ok {
		t.Error("between the absences nobody decides for the approver")
	}
	if _, ok := DelegateFor(ds, day(2027, 7, 12), delegate); ok {
		t.Error("the delegate's own request was routed to the delegate")
	}
	a := july.Delegated(ApproverManager)
	want := Assignment{ID: delegate, Name: "Sari", Basis: ApproverManager, Reason: ReassignDelegated, FromID: approver, FromName: "Sami"}
	if a != want {
		t.Errorf("assignment %+v", a)
	}
}
