package domain

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDirectoryEventJobKeyAndDueDate(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	future := time.Date(2027, 4, 30, 0, 0, 0, 0, time.UTC)
	ev := DirectoryEvent{Kind: Leaver, PersonID: "p1", EffectiveOn: future, DetectedAt: now}
	job, err := ev.Job(now)
	if err != nil {
		t.Fatal(err)
	}
	if job.Kind != "dir_leaver" || job.Key != "dir_leaver/p1/2027-04-30" || !job.DueAt.Equal(future) {
		t.Fatalf("job = %+v", job)
	}
	var back DirectoryEvent
	if err := json.Unmarshal(job.Payload, &back); err != nil || back.PersonID != "p1" || back.Kind != Leaver {
		t.Fatalf("payload %s: %v", job.Payload, err)
	}
	past := DirectoryEvent{Kind: Mover, PersonID: "p2", EffectiveOn: now.AddDate(0, 0, -2), Fingerprint: "abc"}
	job, _ = past.Job(now)
	if !job.DueAt.Equal(now) || job.Key != "dir_mover/p2/2027-02-27/abc" {
		t.Fatalf("past event job = %+v", job)
	}
}
