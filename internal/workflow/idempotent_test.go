package workflow_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// A double-tapped submit, and a hundred concurrent ones, store one request and send one approval card; every other
// tap is told the themes are already requested.
func TestConcurrentSubmitsFileOneRequest(t *testing.T) {
	for _, taps := range []int{2, 100} {
		t.Run(fmt.Sprintf("%d taps", taps), func(t *testing.T) { submitTaps(t, taps) })
	}
}

func submitTaps(t *testing.T, taps int) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		in := workflow.SubmitInput{RequesterID: elina, TaskIDs: []string{"palkkatietojen-ilmoittaminen"},
			Justification: "Hoidan kaupungin palkanlaskentaa.", ValidUntil: date(2027, 12, 31)}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, refused := 0, 0
		for range taps {
			wg.Go(func() {
				_, err := f.svc.Submit(ctx, in)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case domain.IsCode(err, domain.EConflict) && (domain.ErrorMessage(err) == "err.already_requested" ||
					domain.ErrorMessage(err) == "err.nothing_to_request"):
					refused++
				default:
					t.Errorf("tap: %v", err)
				}
			})
		}
		wg.Wait()
		rs, err := f.svc.Store.RequestsByRequester(ctx, elina, 0)
		if err != nil || len(rs) != 1 || ok != 1 || refused != taps-1 {
			t.Fatalf("%d taps: %d stored, %d filed, %d refused (%v)", taps, len(rs), ok, refused, err)
		}
		msgs, _ := f.db.Outbox.ForRequest(ctx, rs[0].ID)
		if k := kinds(msgs); len(k[domain.MsgApprovalRequest]) != 1 {
			t.Fatalf("%d taps: approval cards %v", taps, k[domain.MsgApprovalRequest])
		}
	})
}
