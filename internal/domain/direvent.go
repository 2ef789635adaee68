package domain

import (
	"encoding/json"
	"strings"
	"time"
)

// DirectoryEventKind names what a change in the directory means for the register.
type DirectoryEventKind string

// The joiner / mover / leaver events the directory sync raises.
const (
	// Joiner: a person appeared in the directory (enabled, not leaving).
	Joiner DirectoryEventKind = "joiner"
	// Mover: a person's department, job title or manager changed.
	Mover DirectoryEventKind = "mover"
	// Leaver: a person's account was disabled or deleted, or their employeeLeaveDateTime was set (EffectiveOn is
	// then that day, possibly in the future).
	Leaver DirectoryEventKind = "leaver"
)

// DirectoryPerson is a person as one directory snapshot saw them: the User and their manager.
type DirectoryPerson struct {
	User
	ManagerID string `json:"manager_id,omitempty" yaml:"manager_id,omitempty"`
}

// DirectoryEvent is one joiner, mover or leaver event found by the directory sync. Before is the person as the
// previous snapshot had them (nil for a joiner), After as the new one has them (nil when deleted). EffectiveOn is
// the day the event takes effect (a leaver's leave date; otherwise the day it was detected).
//
// The sync turns each event into one scheduled job (Job): the job's unique key makes the event's effects happen
// once, however often the sync sees the same change and however many replicas run it. The handlers of the job
// kinds (JobKind) live in internal/alerts like every other scheduled effect.
type DirectoryEvent struct {
	Kind        DirectoryEventKind `json:"kind"`
	PersonID    string             `json:"person_id"`
	Before      *DirectoryPerson   `json:"before,omitempty"`
	After       *DirectoryPerson   `json:"after,omitempty"`
	EffectiveOn time.Time          `json:"effective_on"`
	DetectedAt  time.Time          `json:"detected_at"`
	// Fingerprint distinguishes two events of one kind for one person on one day (e.g. the mover's new
	// department/title/manager), so that two moves are two events but one move seen twice is one.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// JoinerWelcomeKey is the effect key under which a person's joiner welcome is recorded once, ever (job_effects):
// the joiner handler writes it, and the bot's generic welcome on installation reads it so a newcomer whose app the
// joiner welcome installed is not greeted twice.
func JoinerWelcomeKey(personID string) string { return "joiner/person/" + strings.ToLower(personID) }

// JobKind is the scheduler kind that carries events of kind k: "dir_joiner", "dir_mover", "dir_leaver".
func (k DirectoryEventKind) JobKind() string { return "dir_" + string(k) }

// Job is the scheduled job that carries the event: due on EffectiveOn (or at once when that has passed), keyed
// by kind, person, day and fingerprint, with the event as its payload.
func (e DirectoryEvent) Job(now time.Time) (Job, error) {
	payload, err := json.Marshal(e)
	if err != nil {
		return Job{}, err
	}
	due := e.EffectiveOn
	if due.Before(now) {
		due = now
	}
	key := e.Kind.JobKind() + "/" + e.PersonID + "/" + e.EffectiveOn.UTC().Format("2006-01-02")
	if e.Fingerprint != "" {
		key += "/" + e.Fingerprint
	}
	return Job{Kind: e.Kind.JobKind(), Key: key, Payload: payload, DueAt: due, RunAt: due, CreatedAt: now}, nil
}
