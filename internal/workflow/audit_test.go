package workflow_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// The audit row of a cancel shows the request as it was (items pending) and as it became (items cancelled): the
// "before" must not be a copy that shares the items with the "after".
func TestCancelAuditShowsTrueBeforeAndAfter(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen", "kela-maksutietojen-seuranta")
		if _, err := f.svc.Cancel(ctx, elina, r.ID, "act-cancel"); err != nil {
			t.Fatal(err)
		}
		rows, err := f.svc.Store.AuditForRequest(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var cancel *domain.AuditEvent
		for i := range rows {
			if rows[i].Action == "request.cancelled" {
				cancel = &rows[i]
			}
		}
		if cancel == nil || cancel.ActorID != elina || cancel.ActivityID != "act-cancel" {
			t.Fatalf("no cancel audit row by the requester: %+v", rows)
		}
		type snap struct {
			State string `json:"state"`
			Items []struct {
				State string `json:"state"`
			} `json:"items"`
		}
		var before, after snap
		if err := json.Unmarshal(cancel.Before, &before); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(cancel.After, &after); err != nil {
			t.Fatal(err)
		}
		if before.State != "pending" || after.State != "cancelled" || len(before.Items) < 2 || len(after.Items) != len(before.Items) {
			t.Fatalf("before %+v after %+v", before, after)
		}
		for i := range before.Items {
			if before.Items[i].State != "pending" || after.Items[i].State != "cancelled" {
				t.Fatalf("item %d: before %q after %q", i, before.Items[i].State, after.Items[i].State)
			}
		}
	})
}
