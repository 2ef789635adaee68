package domain

import (
	"testing"
	"time"
)

// pathsAt is when the decisions in these tests are made.
var pathsAt = time.Date(2026, 6, 1, 21, 30, 0, 0, time.UTC)

// clone is a copy of r to try a change on.
func clone(r Request) *Request { c := r.Clone(); return &c }

func TestDecideSetsTheOrganisationsPathAndKeepsUncoveredItemsWaiting(t *testing.T) {
	for _, path := range []GrantPath{"", PathRequest, PathDirect} {
		r := pendingRequest()
		r.Items[1].Covered = false
		if _, err := r.Decide(Decision{Actor: approver, Kind: ApproveAll, At: pathsAt, Path: path}); err != nil {
			t.Fatal(err)
		}
		want := path
		if want == "" {
			want = PathRequest
		}
		if r.GrantPath != want {
			t.Fatalf("path %q, want %q", r.GrantPath, want)
		}
		if !r.Items[0].Grantable() || !r.Items[1].AwaitingRight() || r.Items[1].Grantable() {
			t.Fatalf("items %+v", r.Items)
		}
	}
}

func TestGrantWaitsForTheRightAndContinuesAfterIt(t *testing.T) {
	r := approvedRequest()
	r.Items[1].Covered = false
	today := DateOf(pathsAt)
	// Granting takes the covered item only; naming only the waiting one is refused.
	if _, err := clone(r).Settle(mainUser, []int64{102}, today, today.AddDays(30), ""); !IsCode(err, EConflict) {
		t.Fatalf("granting an item waiting for the right: %v", err)
	}
	c := clone(r)
	items, err := c.Settle(mainUser, nil, today, today.AddDays(30), "")
	if err != nil || len(items) != 1 || items[0].ID != 101 || c.State != RequestApproved {
		t.Fatalf("settled %v, state %s: %v", items, c.State, err)
	}
	if _, err := c.Settle(mainUser, nil, today, today.AddDays(30), ""); !IsCode(err, EConflict) {
		t.Fatalf("only the waiting item left: %v", err)
	}
	// The right for another theme moves nothing; the right for its theme makes it grantable.
	if moved := c.RightRegistered("some-other-theme"); len(moved) != 0 {
		t.Fatalf("moved %v", moved)
	}
	moved := c.RightRegistered(c.Items[1].ThemeID)
	if len(moved) != 1 || !c.Items[1].Grantable() {
		t.Fatalf("after the right: %+v", c.Items[1])
	}
	if _, err := c.Settle(mainUser, nil, today, today.AddDays(30), ""); err != nil || c.State != RequestCompleted {
		t.Fatalf("grant after the right: state %s, %v", c.State, err)
	}
}

func TestMarkFiledAndTheDirectGrant(t *testing.T) {
	r := approvedRequest()
	r.GrantPath = PathRequest
	r.Items[1].Covered = false
	when := time.Date(2026, 6, 2, 7, 0, 0, 0, time.UTC)
	if _, err := clone(r).MarkFiled(approver, when); !IsCode(err, EForbidden) {
		t.Fatalf("someone else filing: %v", err)
	}
	c := clone(r)
	items, err := c.MarkFiled(requester, when)
	if err != nil || len(items) != 1 || !c.Items[0].FiledAt.Equal(when) || !c.Items[1].FiledAt.IsZero() {
		t.Fatalf("filed %v %+v: %v", items, c.Items, err)
	}
	if _, err := c.MarkFiled(requester, when); !IsCode(err, EConflict) {
		t.Fatalf("filing twice: %v", err)
	}
	// The direct grant: only where allowed, only the requester or a main user, only from the request path.
	if err := clone(r).UseDirectGrant(requester, false, false); !IsCode(err, EForbidden) {
		t.Fatalf("not allowed: %v", err)
	}
	if err := clone(r).UseDirectGrant(stranger, false, true); !IsCode(err, EForbidden) {
		t.Fatalf("stranger: %v", err)
	}
	d := clone(r)
	if err := d.UseDirectGrant(mainUser, true, true); err != nil || d.GrantPath != PathDirect {
		t.Fatalf("main user: %s %v", d.GrantPath, err)
	}
	if err := d.UseDirectGrant(requester, false, true); !IsCode(err, EConflict) {
		t.Fatalf("twice: %v", err)
	}
	if _, err := d.MarkFiled(requester, when); !IsCode(err, EConflict) {
		t.Fatalf("filing on the direct path: %v", err)
	}
	if m := d.MandateFor(&d.Items[0]); m.GrantPath != PathDirect {
		t.Fatalf("mandate path %q", m.GrantPath)
	}
}
