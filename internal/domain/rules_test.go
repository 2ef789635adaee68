package domain

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
)

// The people of the tests (Entra object ids).
const (
	requester = "requester-oid"
	approver  = "approver-oid"
	stranger  = "stranger-oid"
	mainUser  = "main-user-oid"
)

// wantErr fails unless err is an *Error of the given kind with the given message key.
func wantErr(t *testing.T, err error, code, key string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want %s %q", err, code, key)
	}
	if e.Code != code || e.Message != key {
		t.Fatalf("error %s %q, want %s %q", e.Code, e.Message, code, key)
	}
}

// pendingRequest is a request of two covered themes waiting for its approver.
func pendingRequest() Request {
	return Request{
		ID:                  42,
		RequesterID:         requester,
		RequesterName:       "Maija Meikäläinen",
		RequesterMail:       "maija@example.fi",
		RequesterDepartment: "Talouspalvelut",
		RequesterJobTitle:   "Palkanlaskija",
		ApproverID:          approver,
		ApproverName:        "Pekka Esimies",
		ApproverBasis:       ApproverManager,
		State:               RequestPending,
		Justification:       "Hoidan palkat.",
		TaskIDs:             []string{"payroll", "tax"},
		ValidUntil:          day(2028, 6, 15).Time(),
		CreatedAt:           time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		UpdatedAt:           time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		Version:             3,
		Items: []RequestItem{
			{ID: 101, ThemeID: "tulorekisteri", TaskIDs: []string{"payroll"}, Covered: true, State: ItemPending},
			{ID: 102, ThemeID: "verotus", TaskIDs: []string{"tax"}, Covered: true, State: ItemPending},
		},
	}
}

// approvedRequest is pendingRequest decided, its items in the given states (both approved when none are given).
func approvedRequest(states ...ItemState) Request {
	r := pendingRequest()
	r.State = RequestApproved
	r.DecidedBy = approver
	r.DecidedAt = time.Date(2026, 6, 2, 8, 0, 0, 0, time.UTC)
	if len(states) == 0 {
		states = []ItemState{ItemApproved, ItemApproved}
	}
	for i, s := range states {
		r.Items[i].State = s
	}
	return r
}

func itemStates(r Request) []ItemState {
	var out []ItemState
	for _, it := range r.Items {
		out = append(out, it.State)
	}
	return out
}

func wantUnchanged(t *testing.T, got, before Request) {
	t.Helper()
	if !reflect.DeepEqual(got, before) {
		t.Fatalf("request changed by a refused step:\n got %+v\nwant %+v", got, before)
	}
}

func TestRequestCancel(t *testing.T) {
	tests := []struct {
		name  string
		state RequestState
		actor string
		code  string // "" = cancelled
		key   string
	}{
		{"requester cancels a pending request", RequestPending, requester, "", ""},
		{"stranger", RequestPending, stranger, EForbidden, "err.not_requester"},
		{"approver", RequestPending, approver, EForbidden, "err.not_requester"},
		{"empty actor", RequestPending, "", EForbidden, "err.not_requester"},
		{"stranger on a decided request: forbidden first", RequestApproved, stranger, EForbidden, "err.not_requester"},
		{"approved", RequestApproved, requester, EConflict, "err.not_pending"},
		{"rejected", RequestRejected, requester, EConflict, "err.not_pending"},
		{"cancelled already", RequestCancelled, requester, EConflict, "err.not_pending"},
		{"completed", RequestCompleted, requester, EConflict, "err.not_pending"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := pendingRequest()
			r.State = tc.state
			before := r.Clone()
			err := r.Cancel(tc.actor)
			if tc.code != "" {
				wantErr(t, err, tc.code, tc.key)
				wantUnchanged(t, r, before)
				return
			}
			if err != nil {
				t.Fatalf("Cancel: %v", err)
			}
			want := before.Clone()
			want.State = RequestCancelled
			for i := range want.Items {
				want.Items[i].State = ItemCancelled
			}
			if !reflect.DeepEqual(r, want) {
				t.Fatalf("after Cancel\n got %+v\nwant %+v", r, want)
			}
		})
	}
}

func TestRequestDecide(t *testing.T) {
	helsinki := mustHelsinki(t)
	at := time.Date(2026, 6, 2, 0, 30, 0, 0, helsinki) // 1 June 21:30 UTC
	approveOnly := func(ids ...int64) map[int64]bool {
		m := map[int64]bool{}
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	tests := []struct {
		name    string
		setup   func(r *Request)
		d       Decision
		code    string // "" = decided
		key     string
		action  string
		state   RequestState
		items   []ItemState
		wantWhy string
	}{
		{name: "approve all", d: Decision{Actor: approver, Kind: ApproveAll},
			action: "request.approved", state: RequestApproved, items: []ItemState{ItemApproved, ItemApproved}},
		{name: "approve all keeps a given reason", d: Decision{Actor: approver, Kind: ApproveAll, Reason: "Hyvä perustelu"},
			action: "request.approved", state: RequestApproved, items: []ItemState{ItemApproved, ItemApproved}, wantWhy: "Hyvä perustelu"},
		{name: "reject all with reason", d: Decision{Actor: approver, Kind: RejectAll, Reason: "Ei tarvetta"},
			action: "request.rejected", state: RequestRejected, items: []ItemState{ItemRejected, ItemRejected}, wantWhy: "Ei tarvetta"},
		{name: "reject all without reason", d: Decision{Actor: approver, Kind: RejectAll},
			code: EInvalid, key: "err.reason_required"},
		{name: "reject all with a blank reason", d: Decision{Actor: approver, Kind: RejectAll, Reason: " \n\t"},
			code: EInvalid, key: "err.reason_required"},
		{name: "by item: partial approval", d: Decision{Actor: approver, Kind: ByItem, Approve: approveOnly(101), Reason: "Verotus ei kuulu tehtäviisi"},
			action: "request.approved", state: RequestApproved, items: []ItemState{ItemApproved, ItemRejected}, wantWhy: "Verotus ei kuulu tehtäviisi"},
		{name: "by item: the other one, false entries ignored", d: Decision{Actor: approver, Kind: ByItem, Approve: map[int64]bool{101: false, 102: true}, Reason: "vain verotus"},
			action: "request.approved", state: RequestApproved, items: []ItemState{ItemRejected, ItemApproved}, wantWhy: "vain verotus"},
		{name: "by item: partial approval without reason", d: Decision{Actor: approver, Kind: ByItem, Approve: approveOnly(101)},
			code: EInvalid, key: "err.reason_required"},
		{name: "by item: every item, no reason needed", d: Decision{Actor: approver, Kind: ByItem, Approve: approveOnly(101, 102)},
			action: "request.approved", state: RequestApproved, items: []ItemState{ItemApproved, ItemApproved}},
		{name: "by item: none is a rejection", d: Decision{Actor: approver, Kind: ByItem, Approve: map[int64]bool{}, Reason: "ei"},
			action: "request.rejected", state: RequestRejected, items: []ItemState{ItemRejected, ItemRejected}, wantWhy: "ei"},
		{name: "by item: nil map is a rejection", d: Decision{Actor: approver, Kind: ByItem, Reason: "ei"},
			action: "request.rejected", state: RequestRejected, items: []ItemState{ItemRejected, ItemRejected}, wantWhy: "ei"},
		{name: "by item: an item not on the request", d: Decision{Actor: approver, Kind: ByItem, Approve: approveOnly(101, 999), Reason: "x"},
			code: EInvalid, key: "err.bad_item"},
		{name: "by item: a foreign item marked false", d: Decision{Actor: approver, Kind: ByItem, Approve: map[int64]bool{101: true, 102: true, 999: false}},
			code: EInvalid, key: "err.bad_item"},
		{name: "approve all with a foreign item in the card data", d: Decision{Actor: approver, Kind: ApproveAll, Approve: approveOnly(999)},
			code: EInvalid, key: "err.bad_item"},
		{name: "empty kind", d: Decision{Actor: approver, Kind: ""}, code: EInvalid, key: "err.bad_decision"},
		{name: "unknown kind", d: Decision{Actor: approver, Kind: "approve"}, code: EInvalid, key: "err.bad_decision"},
		{name: "kind checked before actor", d: Decision{Actor: stranger, Kind: "ApproveAll"}, code: EInvalid, key: "err.bad_decision"},
		{name: "stranger", d: Decision{Actor: stranger, Kind: ApproveAll}, code: EForbidden, key: "err.not_approver"},
		{name: "requester", d: Decision{Actor: requester, Kind: ApproveAll}, code: EForbidden, key: "err.not_approver"},
		{name: "main user is no approver", d: Decision{Actor: mainUser, Kind: ApproveAll}, code: EForbidden, key: "err.not_approver"},
		{name: "requester who is also the approver", setup: func(r *Request) { r.ApproverID = requester },
			d: Decision{Actor: requester, Kind: ApproveAll}, code: EForbidden, key: "err.not_approver"},
		{name: "empty actor on a request without approver", setup: func(r *Request) { r.ApproverID = "" },
			d: Decision{Actor: "", Kind: ApproveAll}, code: EForbidden, key: "err.not_approver"},
		{name: "already approved", setup: func(r *Request) { *r = approvedRequest() },
			d: Decision{Actor: approver, Kind: RejectAll, Reason: "sittenkin ei"}, code: EConflict, key: "err.already_decided"},
		{name: "already rejected", setup: func(r *Request) { r.State = RequestRejected },
			d: Decision{Actor: approver, Kind: ApproveAll}, code: EConflict, key: "err.already_decided"},
		{name: "cancelled", setup: func(r *Request) { r.State = RequestCancelled },
			d: Decision{Actor: approver, Kind: ApproveAll}, code: EConflict, key: "err.already_decided"},
		{name: "stranger on a decided request: forbidden first", setup: func(r *Request) { r.State = RequestRejected },
			d: Decision{Actor: stranger, Kind: ApproveAll}, code: EForbidden, key: "err.not_approver"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := pendingRequest()
			if tc.setup != nil {
				tc.setup(&r)
			}
			before := r.Clone()
			tc.d.At = at
			action, err := r.Decide(tc.d)
			if tc.code != "" {
				wantErr(t, err, tc.code, tc.key)
				if action != "" {
					t.Fatalf("action %q with an error", action)
				}
				wantUnchanged(t, r, before)
				return
			}
			if err != nil {
				t.Fatalf("Decide: %v", err)
			}
			if action != tc.action {
				t.Fatalf("action %q, want %q", action, tc.action)
			}
			want := before.Clone()
			want.State = tc.state
			for i, s := range tc.items {
				want.Items[i].State = s
			}
			want.DecidedBy = approver
			want.DecidedAt = time.Date(2026, 6, 1, 21, 30, 0, 0, time.UTC)
			want.DecisionReason = tc.wantWhy
			if tc.state == RequestApproved {
				want.GrantPath = PathRequest // the path an approval takes when the organisation names none
			}
			if !reflect.DeepEqual(r, want) {
				t.Fatalf("after Decide\n got %+v\nwant %+v", r, want)
			}
			if r.DecidedAt.Location() != time.UTC {
				t.Fatalf("DecidedAt in %v, want UTC", r.DecidedAt.Location())
			}
		})
	}
}

func TestRequestDecideTwice(t *testing.T) {
	r := pendingRequest()
	if _, err := r.Decide(Decision{Actor: approver, Kind: ApproveAll, At: time.Date(2026, 6, 2, 8, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	before := r.Clone()
	_, err := r.Decide(Decision{Actor: approver, Kind: RejectAll, Reason: "sittenkin ei", At: time.Date(2026, 6, 3, 8, 0, 0, 0, time.UTC)})
	wantErr(t, err, EConflict, "err.already_decided")
	wantUnchanged(t, r, before)
}

func TestDecisionKindValid(t *testing.T) {
	for k, want := range map[DecisionKind]bool{ApproveAll: true, RejectAll: true, ByItem: true, "": false, "approveall": false, "approve": false} {
		if got := k.Valid(); got != want {
			t.Errorf("%q.Valid() = %v, want %v", k, got, want)
		}
	}
}

func TestRequestCloneIsDeep(t *testing.T) {
	r := pendingRequest()
	c := r.Clone()
	if !reflect.DeepEqual(c, r) {
		t.Fatalf("clone differs:\n%+v\n%+v", c, r)
	}
	c.Items[0].State = ItemRejected
	c.Items[1].ThemeID = "muu"
	c.Items = append(c.Items, RequestItem{ID: 103})
	c.TaskIDs[0] = "changed"
	c.TaskIDs = append(c.TaskIDs, "more")
	c.State = RequestRejected
	if !reflect.DeepEqual(r, pendingRequest()) {
		t.Fatalf("mutating the clone changed the original: %+v", r)
	}
	// And the other way round.
	c = r.Clone()
	r.Items[1].State = ItemApproved
	if c.Items[1].State != ItemPending {
		t.Fatal("mutating the original changed the clone")
	}
	if got := (Request{}).Clone(); got.Items != nil || got.TaskIDs != nil {
		t.Fatalf("clone of an empty request: %+v", got)
	}
}

func TestRequestPermissions(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(r *Request)
		actor    string
		main     bool
		approver bool // IsApprover
		decide   bool // MayDecide
		view     bool // MayView
	}{
		{name: "approver", actor: approver, approver: true, decide: true, view: true},
		{name: "approver who is also a main user", actor: approver, main: true, approver: true, decide: true, view: true},
		{name: "requester", actor: requester, view: true},
		{name: "stranger", actor: stranger},
		{name: "main user", actor: mainUser, main: true, view: true},
		{name: "empty actor", actor: ""},
		{name: "empty actor claiming main user", actor: "", main: true},
		{name: "empty actor, request without approver", setup: func(r *Request) { r.ApproverID = "" }, actor: ""},
		{name: "approver id in another case", actor: "APPROVER-OID"},
		{name: "requester who is also the approver", setup: func(r *Request) { r.ApproverID = requester }, actor: requester, view: true},
		{name: "approver of an approved request", setup: func(r *Request) { r.State = RequestApproved }, actor: approver, approver: true, view: true},
		{name: "approver of a cancelled request", setup: func(r *Request) { r.State = RequestCancelled }, actor: approver, approver: true, view: true},
		{name: "requester of a completed request", setup: func(r *Request) { r.State = RequestCompleted }, actor: requester, view: true},
		{name: "stranger on a completed request", setup: func(r *Request) { r.State = RequestCompleted }, actor: stranger},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := pendingRequest()
			if tc.setup != nil {
				tc.setup(&r)
			}
			if got := r.IsApprover(tc.actor); got != tc.approver {
				t.Errorf("IsApprover = %v, want %v", got, tc.approver)
			}
			if got := r.MayDecide(tc.actor); got != tc.decide {
				t.Errorf("MayDecide = %v, want %v", got, tc.decide)
			}
			if got := r.MayView(tc.actor, tc.main); got != tc.view {
				t.Errorf("MayView(main=%v) = %v, want %v", tc.main, got, tc.view)
			}
		})
	}
}

func TestRequestMayGrant(t *testing.T) {
	for _, state := range []RequestState{RequestPending, RequestApproved, RequestRejected, RequestCancelled, RequestCompleted} {
		for _, main := range []bool{false, true} {
			r := pendingRequest()
			r.State = state
			want := main && state == RequestApproved
			if got := r.MayGrant(main); got != want {
				t.Errorf("MayGrant(%v) on %s = %v, want %v", main, state, got, want)
			}
		}
	}
}

func TestRequestSettle(t *testing.T) {
	from, until := day(2026, 6, 10), day(2028, 6, 15)
	tests := []struct {
		name      string
		req       func() Request
		ids       []int64
		notReason string
		code      string // "" = settled
		key       string
		settled   []int64
		state     RequestState
		items     []ItemState
	}{
		{name: "grant all", req: func() Request { return approvedRequest() },
			settled: []int64{101, 102}, state: RequestCompleted, items: []ItemState{ItemGranted, ItemGranted}},
		{name: "grant all: only the approved ones", req: func() Request { return approvedRequest(ItemApproved, ItemRejected) },
			settled: []int64{101}, state: RequestCompleted, items: []ItemState{ItemGranted, ItemRejected}},
		{name: "grant one of two", req: func() Request { return approvedRequest() }, ids: []int64{102},
			settled: []int64{102}, state: RequestApproved, items: []ItemState{ItemApproved, ItemGranted}},
		{name: "grant the last one", req: func() Request { return approvedRequest(ItemGranted, ItemApproved) }, ids: []int64{102},
			settled: []int64{102}, state: RequestCompleted, items: []ItemState{ItemGranted, ItemGranted}},
		{name: "grant both by id", req: func() Request { return approvedRequest() }, ids: []int64{102, 101},
			settled: []int64{101, 102}, state: RequestCompleted, items: []ItemState{ItemGranted, ItemGranted}},
		{name: "a repeated id settles once", req: func() Request { return approvedRequest() }, ids: []int64{101, 101},
			settled: []int64{101}, state: RequestApproved, items: []ItemState{ItemGranted, ItemApproved}},
		{name: "handled ids mixed with one waiting", req: func() Request { return approvedRequest(ItemGranted, ItemApproved) }, ids: []int64{101, 102},
			settled: []int64{102}, state: RequestCompleted, items: []ItemState{ItemGranted, ItemGranted}},
		{name: "not granted, with reason", req: func() Request { return approvedRequest() }, ids: []int64{101}, notReason: "Ei valtuutusoikeutta",
			settled: []int64{101}, state: RequestApproved, items: []ItemState{ItemNotGranted, ItemApproved}},
		{name: "not granted, the last one", req: func() Request { return approvedRequest(ItemGranted, ItemApproved) }, notReason: "Ei valtuutusoikeutta",
			settled: []int64{102}, state: RequestCompleted, items: []ItemState{ItemGranted, ItemNotGranted}},
		{name: "an id not on the request", req: func() Request { return approvedRequest() }, ids: []int64{101, 999},
			code: EInvalid, key: "err.bad_item"},
		{name: "an id not on a pending request: bad item first", req: pendingRequest, ids: []int64{999},
			code: EInvalid, key: "err.bad_item"},
		{name: "id already granted", req: func() Request { return approvedRequest(ItemGranted, ItemApproved) }, ids: []int64{101},
			code: EConflict, key: "err.items_already_handled"},
		{name: "id not granted already", req: func() Request { return approvedRequest(ItemNotGranted, ItemApproved) }, ids: []int64{101},
			code: EConflict, key: "err.items_already_handled"},
		{name: "id rejected by the approver", req: func() Request { return approvedRequest(ItemApproved, ItemRejected) }, ids: []int64{102},
			code: EConflict, key: "err.items_already_handled"},
		{name: "pending request", req: pendingRequest, code: EConflict, key: "err.not_grantable"},
		{name: "pending request by id", req: pendingRequest, ids: []int64{101}, code: EConflict, key: "err.not_grantable"},
		{name: "rejected request", req: func() Request { r := approvedRequest(ItemRejected, ItemRejected); r.State = RequestRejected; return r },
			code: EConflict, key: "err.not_grantable"},
		{name: "cancelled request", req: func() Request { r := pendingRequest(); _ = r.Cancel(requester); return r },
			code: EConflict, key: "err.not_grantable"},
		{name: "completed request, by id", req: func() Request { r := approvedRequest(ItemGranted, ItemGranted); r.State = RequestCompleted; return r },
			ids: []int64{101}, code: EConflict, key: "err.not_grantable"},
		{name: "approved request with nothing left to grant", req: func() Request { return approvedRequest(ItemGranted, ItemRejected) },
			code: EConflict, key: "err.not_grantable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req()
			before := r.Clone()
			settled, err := r.Settle(mainUser, tc.ids, from, until, tc.notReason)
			if tc.code != "" {
				wantErr(t, err, tc.code, tc.key)
				if settled != nil {
					t.Fatalf("settled %v with an error", settled)
				}
				wantUnchanged(t, r, before)
				return
			}
			if err != nil {
				t.Fatalf("Settle: %v", err)
			}
			var ids []int64
			for _, it := range settled {
				ids = append(ids, it.ID)
				// The caller records the mandate id on the returned items: they must be the request's own.
				own, _ := r.Item(it.ID)
				if it != own {
					t.Fatalf("item %d returned as a copy", it.ID)
				}
				if it.GrantedBy != mainUser {
					t.Fatalf("item %d GrantedBy %q", it.ID, it.GrantedBy)
				}
				if tc.notReason != "" {
					if it.State != ItemNotGranted || it.NotGrantedReason != tc.notReason || !it.GrantedFrom.IsZero() || !it.GrantedUntil.IsZero() {
						t.Fatalf("not granted item %+v", *it)
					}
				} else if it.State != ItemGranted || !it.GrantedFrom.Equal(from.Time()) || !it.GrantedUntil.Equal(until.Time()) || it.NotGrantedReason != "" {
					t.Fatalf("granted item %+v", *it)
				}
			}
			if !slices.Equal(ids, tc.settled) {
				t.Fatalf("settled %v, want %v", ids, tc.settled)
			}
			if r.State != tc.state {
				t.Fatalf("request %s, want %s", r.State, tc.state)
			}
			if got := itemStates(r); !slices.Equal(got, tc.items) {
				t.Fatalf("items %v, want %v", got, tc.items)
			}
			// Items not settled now are untouched.
			for i, it := range r.Items {
				if !slices.Contains(ids, it.ID) && !reflect.DeepEqual(it, before.Items[i]) {
					t.Fatalf("item %d changed: %+v, was %+v", it.ID, it, before.Items[i])
				}
			}
			// Nothing else on the request changed.
			after := r.Clone()
			after.State, after.Items = before.State, before.Items
			if !reflect.DeepEqual(after, before) {
				t.Fatalf("other fields changed:\n got %+v\nwant %+v", after, before)
			}
		})
	}
}

func TestMandateFor(t *testing.T) {
	r := approvedRequest()
	from, until := day(2026, 6, 10), day(2028, 6, 15)
	settled, err := r.Settle(mainUser, []int64{102}, from, until, "")
	if err != nil {
		t.Fatal(err)
	}
	got := r.MandateFor(settled[0])
	want := Mandate{
		HolderID:   requester,
		HolderName: "Maija Meikäläinen",
		Department: "Talouspalvelut",
		ThemeID:    "verotus",
		ValidFrom:  from.Time(),
		ValidUntil: until.Time(),
		State:      MandateActive,
		RequestID:  42,
		ItemID:     102,
		GrantedBy:  mainUser,
		HolderMail: "maija@example.fi", // kept in lower case, so an export and an import name the holder alike
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MandateFor\n got %+v\nwant %+v", got, want)
	}
}

func TestMandateEnd(t *testing.T) {
	until := day(2026, 12, 31).Time()
	noon := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	tests := []struct {
		name    string
		state   MandateState
		until   time.Time
		updated time.Time
		want    Date
	}{
		{"active: its end date", MandateActive, until, time.Time{}, day(2026, 12, 31)},
		{"active, updated earlier: still its end date", MandateActive, until, noon(2026, 7, 1), day(2026, 12, 31)},
		{"revoked earlier than the end", MandateRevoked, until, noon(2026, 7, 1), day(2026, 7, 1)},
		{"revoked on the last day", MandateRevoked, until, noon(2026, 12, 31), day(2026, 12, 31)},
		{"revoked after the end", MandateRevoked, until, noon(2027, 3, 1), day(2026, 12, 31)},
		{"revoked, no update time", MandateRevoked, until, time.Time{}, day(2026, 12, 31)},
		{"revoked, no end date", MandateRevoked, time.Time{}, noon(2026, 7, 1), day(2026, 7, 1)},
		{"active, no end date", MandateActive, time.Time{}, noon(2026, 7, 1), Date{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Mandate{ThemeID: "verotus", ValidFrom: day(2026, 6, 1).Time(), ValidUntil: tc.until, State: tc.state, UpdatedAt: tc.updated}
			if got := m.End(); got != tc.want {
				t.Fatalf("End() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMandateInForceAndCurrent(t *testing.T) {
	active := Mandate{ValidFrom: day(2026, 6, 10).Time(), ValidUntil: day(2026, 12, 31).Time(), State: MandateActive}
	revoked := active
	revoked.State = MandateRevoked
	tests := []struct {
		name           string
		m              Mandate
		on             Date
		inForce, fresh bool // InForceOn, Current
	}{
		{"active, long before the start", active, day(2026, 1, 1), false, true},
		{"active, the day before the start", active, day(2026, 6, 9), false, true},
		{"active, the first day", active, day(2026, 6, 10), true, true},
		{"active, in the middle", active, day(2026, 9, 1), true, true},
		{"active, the last day", active, day(2026, 12, 31), true, true},
		{"active, the day after the end", active, day(2027, 1, 1), false, false},
		{"revoked, in the middle", revoked, day(2026, 9, 1), false, false},
		{"revoked, before the start", revoked, day(2026, 6, 1), false, false},
		{"unknown state", Mandate{ValidFrom: active.ValidFrom, ValidUntil: active.ValidUntil}, day(2026, 9, 1), false, false},
		{"active without an end date", Mandate{ValidFrom: active.ValidFrom, State: MandateActive}, day(2026, 9, 1), false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.m.InForceOn(tc.on); got != tc.inForce {
				t.Errorf("InForceOn(%v) = %v, want %v", tc.on, got, tc.inForce)
			}
			if got := tc.m.Current(tc.on); got != tc.fresh {
				t.Errorf("Current(%v) = %v, want %v", tc.on, got, tc.fresh)
			}
		})
	}
}

func TestUserMayApprove(t *testing.T) {
	today := day(2026, 6, 15)
	leave := func(d Date) *time.Time { t := d.Time(); return &t }
	tests := []struct {
		name      string
		u         User
		requester string
		want      bool
	}{
		{"enabled, no leave date", User{ID: approver, AccountEnabled: true}, requester, true},
		{"the requester themself", User{ID: requester, AccountEnabled: true}, requester, false},
		{"the requester in another case", User{ID: "REQUESTER-OID", AccountEnabled: true}, requester, false},
		{"disabled", User{ID: approver}, requester, false},
		{"left yesterday", User{ID: approver, AccountEnabled: true, LeaveDate: leave(today.AddDays(-1))}, requester, false},
		{"leaves today", User{ID: approver, AccountEnabled: true, LeaveDate: leave(today)}, requester, true},
		{"leaves tomorrow", User{ID: approver, AccountEnabled: true, LeaveDate: leave(today.AddDays(1))}, requester, true},
		{"empty id", User{AccountEnabled: true}, requester, false},
		{"empty id and empty requester", User{AccountEnabled: true}, "", false},
		{"empty requester id", User{ID: approver, AccountEnabled: true}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.u.MayApprove(tc.requester, today); got != tc.want {
				t.Fatalf("MayApprove(%q, %v) = %v, want %v", tc.requester, today, got, tc.want)
			}
		})
	}
}
