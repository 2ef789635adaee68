package domain

import (
	"encoding/json"
	"fmt"
)

// The outbox kinds of the directory's joiners and leavers and of the continuity of the right to grant (issue 10).
// They are about a person or the organisation, not a request: each payload names what it is about.
const (
	MsgJoinerWelcome   = "joiner_welcome"   // the newcomer: a welcome that invites them to find out what their work needs
	MsgJoinerNotice    = "joiner_notice"    // the newcomer's supervisor: they may need mandates (the matching role profiles)
	MsgLeaverTask      = "leaver_task"      // the main users: invalidate all of a leaver's mandates (the task, then its reminders)
	MsgContinuityAlert = "continuity_alert" // the main users: the right to grant is at risk
)

// LifePayload is a payload of the joiner, leaver and continuity kinds.
type LifePayload interface {
	Payload
	isLife()
}

type life struct{ payload }

func (life) isLife() {}

// ContinuityReason says what puts the organisation's right to grant (valtuutusoikeus) at risk.
type ContinuityReason string

// Continuity reasons.
const (
	ContinuityFewHolders  ContinuityReason = "few_holders"  // fewer than two holders for themes in use
	ContinuityHolderLeft  ContinuityReason = "holder_left"  // a holder left the organisation
	ContinuityHolderMoved ContinuityReason = "holder_moved" // a holder's department or job title changed
	ContinuityRightEnding ContinuityReason = "right_ending" // a holder's right ends within 90 days (or has ended)
)

// Valid reports whether r is a known reason.
func (r ContinuityReason) Valid() bool {
	switch r {
	case ContinuityFewHolders, ContinuityHolderLeft, ContinuityHolderMoved, ContinuityRightEnding:
		return true
	}
	return false
}

type (
	// JoinerWelcome welcomes a newcomer; it is rendered in their language when delivered. Roles are the role
	// profiles matching their job title (the intake opens with the role when there is exactly one).
	JoinerWelcome struct {
		life
		Person string
		Roles  []string
	}
	// JoinerNotice tells the newcomer's supervisor that the newcomer may need mandates, with the role profiles
	// whose names match the job title (as the directory had it when they joined).
	JoinerNotice struct {
		life
		Person, Name, JobTitle, Department string
		Roles                              []string
	}
	// LeaverTask gives a main user the task of invalidating all the leaver's mandates named (one task, with the
	// selection basket); Reminder counts the reminders (0 for the task itself).
	LeaverTask struct {
		life
		Person, Name string
		Mandates     []int64
		Reminder     int
	}
	// ContinuityAlert warns the main users that the organisation's right to grant is at risk: why, which holder
	// (none for few holders), the themes concerned and, for an ending right, its last day.
	ContinuityAlert struct {
		life
		Reason             ContinuityReason
		Holder, HolderName string
		Themes             []string
		Until              Date
	}
)

// lifeWire is the stored JSON of the life payloads.
type lifeWire struct {
	V          int      `json:"v"`
	Person     string   `json:"person,omitempty"`
	Name       string   `json:"name,omitempty"`
	JobTitle   string   `json:"job_title,omitempty"`
	Department string   `json:"department,omitempty"`
	Roles      []string `json:"roles,omitempty"`
	Mandates   []int64  `json:"mandates,omitempty"`
	Reminder   int      `json:"reminder,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	Holder     string   `json:"holder,omitempty"`
	HolderName string   `json:"holder_name,omitempty"`
	Themes     []string `json:"themes,omitempty"`
	Until      string   `json:"until,omitempty"` // YYYY-MM-DD
}

func lifeKind(p Payload) string {
	switch p.(type) {
	case JoinerWelcome:
		return MsgJoinerWelcome
	case JoinerNotice:
		return MsgJoinerNotice
	case LeaverTask:
		return MsgLeaverTask
	case ContinuityAlert:
		return MsgContinuityAlert
	}
	return ""
}

// lifeMessageFor is the outbox message for recipient with a life payload.
func lifeMessageFor(recipientID string, p LifePayload) OutboxMessage {
	w := lifeWire{V: PayloadVersion}
	switch p := p.(type) {
	case JoinerWelcome:
		w.Person, w.Roles = p.Person, p.Roles
	case JoinerNotice:
		w.Person, w.Name, w.JobTitle, w.Department, w.Roles = p.Person, p.Name, p.JobTitle, p.Department, p.Roles
	case LeaverTask:
		w.Person, w.Name, w.Mandates, w.Reminder = p.Person, p.Name, p.Mandates, p.Reminder
	case ContinuityAlert:
		w.Reason, w.Holder, w.HolderName, w.Themes, w.Until = string(p.Reason), p.Holder, p.HolderName, p.Themes, p.Until.String()
	}
	raw, _ := json.Marshal(w) // cannot fail: plain fields
	return OutboxMessage{Kind: lifeKind(p), RecipientID: recipientID, Payload: raw}
}

// decodeLife reads a life payload; ok is false for the other kinds.
func decodeLife(m OutboxMessage) (p Payload, ok bool, err error) {
	switch m.Kind {
	case MsgJoinerWelcome, MsgJoinerNotice, MsgLeaverTask, MsgContinuityAlert:
	default:
		return nil, false, nil
	}
	var w lifeWire
	if err := json.Unmarshal(m.Payload, &w); err != nil {
		return nil, true, fmt.Errorf("outbox message %d: malformed payload: %w", m.ID, err)
	}
	if w.V > PayloadVersion {
		return nil, true, fmt.Errorf("outbox message %d: payload version %d is newer than this build's %d", m.ID, w.V, PayloadVersion)
	}
	switch m.Kind {
	case MsgJoinerWelcome:
		return JoinerWelcome{Person: w.Person, Roles: w.Roles}, true, nil
	case MsgJoinerNotice:
		return JoinerNotice{Person: w.Person, Name: w.Name, JobTitle: w.JobTitle, Department: w.Department, Roles: w.Roles}, true, nil
	case MsgLeaverTask:
		return LeaverTask{Person: w.Person, Name: w.Name, Mandates: w.Mandates, Reminder: w.Reminder}, true, nil
	}
	until, err := optionalDate(w.Until)
	if err != nil || !ContinuityReason(w.Reason).Valid() {
		return nil, true, fmt.Errorf("outbox message %d: malformed continuity payload", m.ID)
	}
	return ContinuityAlert{Reason: ContinuityReason(w.Reason), Holder: w.Holder, HolderName: w.HolderName,
		Themes: w.Themes, Until: until}, true, nil
}
