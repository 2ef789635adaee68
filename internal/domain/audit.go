package domain

import (
	"encoding/json"
	"time"
)

// RequestSnapshot is what the audit trail keeps of a request: states and decisions, not free text beyond the
// justification and reasons people wrote for the record.
type RequestSnapshot struct {
	State          RequestState   `json:"state"`
	ApproverID     string         `json:"approver_id"`
	ApproverBasis  string         `json:"approver_basis"`
	Reassigned     ReassignReason `json:"reassigned,omitempty"`      // why the approver changed, if it did
	ReassignedFrom string         `json:"reassigned_from,omitempty"` // from whom (for a delegation: the approver away)
	Justification  string         `json:"justification,omitempty"`
	ValidUntil     string         `json:"valid_until"`
	DecidedBy      string         `json:"decided_by,omitempty"`
	DecisionReason string         `json:"decision_reason,omitempty"`
	GrantPath      GrantPath      `json:"grant_path,omitempty"`
	Items          []ItemSnapshot `json:"items"`
}

// ItemSnapshot is what the audit trail keeps of one item.
type ItemSnapshot struct {
	ID               int64     `json:"id"`
	ThemeID          string    `json:"theme_id"`
	State            ItemState `json:"state"`
	AwaitingRight    bool      `json:"awaiting_right,omitempty"`
	Filed            bool      `json:"filed,omitempty"`
	GrantedFrom      string    `json:"granted_from,omitempty"`
	GrantedUntil     string    `json:"granted_until,omitempty"`
	NotGrantedReason string    `json:"not_granted_reason,omitempty"`
	MandateID        int64     `json:"mandate_id,omitempty"`
}

// Snapshot is r as the audit trail keeps it.
func (r *Request) Snapshot() RequestSnapshot {
	s := RequestSnapshot{State: r.State, ApproverID: r.ApproverID, ApproverBasis: string(r.ApproverBasis),
		Reassigned: r.Reassigned.Reason, ReassignedFrom: r.Reassigned.FromID,
		Justification: r.Justification, ValidUntil: civilString(r.ValidUntil), DecidedBy: r.DecidedBy,
		DecisionReason: r.DecisionReason, GrantPath: r.GrantPath}
	for _, it := range r.Items {
		s.Items = append(s.Items, ItemSnapshot{ID: it.ID, ThemeID: it.ThemeID, State: it.State,
			AwaitingRight: it.AwaitingRight(), Filed: !it.FiledAt.IsZero(),
			GrantedFrom: civilString(it.GrantedFrom), GrantedUntil: civilString(it.GrantedUntil),
			NotGrantedReason: it.NotGrantedReason, MandateID: it.MandateID})
	}
	return s
}

// RequestAudit is the audit row of a change to a request: who (a person's Entra object id, or SystemActor), what
// (e.g. "request.escalated"), the request before (nil for a new one) and after, and the Teams activity that caused
// it, if any.
func RequestAudit(actor, action string, before, after *Request, activityID string) AuditEvent {
	b := json.RawMessage("null")
	if before != nil {
		b, _ = json.Marshal(before.Snapshot()) // cannot fail: plain fields
	}
	a, _ := json.Marshal(after.Snapshot())
	return AuditEvent{ActorID: actor, Action: action, RequestID: after.ID, Before: b, After: a, ActivityID: activityID}
}

func civilString(t time.Time) string { return DateOf(t).String() }
