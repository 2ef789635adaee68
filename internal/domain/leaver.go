package domain

import "time"

// A person who leaves the organisation (issue 10): their requests that still wait are ended by the system and the
// requests waiting for their decision go to the alternate approver.

// LeaverReason is the decision reason of a request ended because its requester left (see EndForLeaver).
const LeaverReason = "requester_left"

// ReassignApproverLeft is the reason an ApproverChanged notice gives when the approver left the organisation. It is
// a notice's reason only: the request itself records the move as ReassignEscalated (Valid is false for it).
const ReassignApproverLeft ReassignReason = "approver_left"

// EndForLeaver ends a request whose requester left: a request waiting for its approver is cancelled by the system
// (DecidedBy SystemActor, DecisionReason LeaverReason: not an expiry), and an approved one has every item still
// waiting for its grant recorded as not granted with notGranted as the reason. It returns false when nothing
// waits.
func (r *Request) EndForLeaver(at time.Time, notGranted string) bool {
	switch r.State {
	case RequestPending:
		r.State = RequestCancelled
		for i := range r.Items {
			r.Items[i].State = ItemCancelled
		}
		r.DecidedBy, r.DecidedAt, r.DecisionReason = SystemActor, at.UTC(), LeaverReason
		return true
	case RequestApproved:
		if _, err := r.Settle(SystemActor, nil, Date{}, Date{}, notGranted); err != nil {
			return false
		}
		return true
	}
	return false
}

// EndedForLeaver reports whether the request was cancelled because its requester left.
func (r Request) EndedForLeaver() bool {
	return r.State == RequestCancelled && r.DecidedBy == SystemActor && r.DecisionReason == LeaverReason
}
