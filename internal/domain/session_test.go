package domain

import (
	"slices"
	"testing"
)

func sessionIDs(r Request, path GrantPath) []int64 {
	var ids []int64
	for _, it := range r.SessionItems(path) {
		ids = append(ids, it.ID)
	}
	return ids
}

// A session on the valtuuspyyntö path takes the approved, covered items the employee has sent the request for; on
// the direct path every approved, covered item of a direct request. Nothing else is in either.
func TestSessionItemsGroupByPath(t *testing.T) {
	filed := approvedRequest(ItemApproved, ItemApproved)
	filed.GrantPath = PathRequest
	filed.Items[0].FiledAt = pathsAt // only the first one sent so far

	legacy := filed // approved before paths existed: the valtuuspyyntö path
	legacy.GrantPath = ""
	legacy.Items = slices.Clone(filed.Items)

	direct := approvedRequest(ItemApproved, ItemGranted)
	direct.GrantPath = PathDirect

	uncovered := approvedRequest(ItemApproved, ItemApproved)
	uncovered.GrantPath = PathDirect
	uncovered.Items[0].Covered = false // waits for the right to grant

	done := approvedRequest(ItemGranted, ItemNotGranted)
	done.GrantPath, done.State = PathDirect, RequestCompleted

	cases := []struct {
		name          string
		r             Request
		request, dire []int64
	}{
		{"valtuuspyyntö, one filed", filed, []int64{101}, nil},
		{"approved before paths", legacy, []int64{101}, nil},
		{"direct, one granted", direct, nil, []int64{101}},
		{"direct, one waiting for the right", uncovered, nil, []int64{102}},
		{"completed", done, nil, nil},
		{"pending", pendingRequest(), nil, nil},
	}
	for _, tc := range cases {
		if got := sessionIDs(tc.r, PathRequest); !slices.Equal(got, tc.request) {
			t.Errorf("%s: valtuuspyyntö session %v, want %v", tc.name, got, tc.request)
		}
		if got := sessionIDs(tc.r, PathDirect); !slices.Equal(got, tc.dire) {
			t.Errorf("%s: direct session %v, want %v", tc.name, got, tc.dire)
		}
	}
	if !filed.InSession(PathRequest, 101) || filed.InSession(PathRequest, 102) || filed.InSession(PathDirect, 101) || filed.InSession(PathRequest, 999) {
		t.Error("InSession disagrees with SessionItems")
	}
	rs := []Request{filed, direct, done, uncovered, legacy}
	var got []GrantPath
	for _, r := range Session(rs, PathDirect) {
		got = append(got, r.Path())
	}
	if len(Session(rs, PathRequest)) != 2 || len(got) != 2 || got[0] != PathDirect {
		t.Errorf("sessions: %d valtuuspyyntö, direct %v", len(Session(rs, PathRequest)), got)
	}
}
