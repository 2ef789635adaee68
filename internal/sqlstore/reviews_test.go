package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

// Reviews on both dialects: at most one campaign runs, even when two replicas start one at the same moment; an item
// is decided once, even by two submits at once; a review reads back with its items and decisions.
func TestReviewsStore(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		inTx := func(fn func(rt domain.ReviewTx) error) error {
			return db.Register.InTx(ctx, func(tx domain.Tx) error {
				rt, err := domain.ReviewTxOf(tx)
				if err != nil {
					return err
				}
				return fn(rt)
			})
		}
		deadline := time.Date(2027, 3, 22, 6, 0, 0, 0, time.UTC)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() {
				errs[i] = inTx(func(rt domain.ReviewTx) error {
					return rt.CreateCampaign(ctx, &domain.Campaign{StartedBy: "system", Deadline: deadline})
				})
			})
		}
		wg.Wait()
		started := 0
		for _, err := range errs {
			switch {
			case err == nil:
				started++
			case !domain.IsCode(err, domain.EConflict):
				t.Fatalf("a concurrent start: %v", err)
			}
		}
		if started != 1 {
			t.Fatalf("%d campaigns started at once, want 1", started)
		}
		c, err := db.Register.LatestCampaign(ctx)
		if err != nil || !c.Open() || !c.Deadline.Equal(deadline) {
			t.Fatalf("campaign %+v %v", c, err)
		}
		var r domain.Review
		err = inTx(func(rt domain.ReviewTx) error {
			m := domain.Mandate{HolderID: "h1", HolderName: "Hanna", ThemeID: "vero-veroasiat", State: domain.MandateActive,
				ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}
			if err := rt.CreateMandate(ctx, &m); err != nil {
				return err
			}
			r = domain.Review{Kind: domain.ReviewCampaign, CampaignID: c.ID, ReviewerID: "boss", ReviewerName: "Boss",
				Department: "Sivistyspalvelut", Items: []domain.ReviewItem{{MandateID: m.ID, HolderID: m.HolderID,
					HolderName: m.HolderName, ThemeID: m.ThemeID, ValidUntil: m.ValidUntil}}}
			return rt.CreateReview(ctx, &r)
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range errs {
			wg.Go(func() {
				errs[i] = inTx(func(rt domain.ReviewTx) error {
					return rt.DecideReviewItem(ctx, domain.ReviewItem{ID: r.Items[0].ID, ReviewID: r.ID,
						Decision: domain.ReviewKeep, DecidedBy: "boss"})
				})
			})
		}
		wg.Wait()
		decided := 0
		for _, err := range errs {
			if err == nil {
				decided++
			} else if !domain.IsCode(err, domain.EConflict) {
				t.Fatalf("a concurrent decision: %v", err)
			}
		}
		if decided != 1 {
			t.Fatalf("the item was decided %d times", decided)
		}
		got, err := db.Register.Review(ctx, r.ID)
		if err != nil || len(got.Items) != 1 || got.Items[0].Decision != domain.ReviewKeep || got.Items[0].DecidedAt.IsZero() ||
			got.ReviewerName != "Boss" || got.Department != "Sivistyspalvelut" || got.Open() {
			t.Fatalf("review read back: %+v %v", got, err)
		}
		if err := inTx(func(rt domain.ReviewTx) error { return rt.ReassignReview(ctx, r.ID, "head", "Head") }); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Register.Review(ctx, r.ID); got.ReviewerID != "head" || !got.Escalated {
			t.Errorf("after the reassignment: %+v", got)
		}
		if err := inTx(func(rt domain.ReviewTx) error { return rt.CloseCampaign(ctx, c.ID) }); err != nil {
			t.Fatal(err)
		}
		if err := inTx(func(rt domain.ReviewTx) error { return rt.CloseCampaign(ctx, c.ID) }); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("closed twice: %v", err)
		}
		if err := inTx(func(rt domain.ReviewTx) error {
			return rt.CreateCampaign(ctx, &domain.Campaign{StartedBy: "system", Deadline: deadline})
		}); err != nil {
			t.Errorf("a new campaign after the close: %v", err)
		}
		if _, err := db.Register.Review(ctx, 99999); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("no review: %v", err)
		}
	})
}
