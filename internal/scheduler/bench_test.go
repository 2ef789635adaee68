package scheduler_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// BenchmarkSchedulerPass measures one pass of a runner with the default settings over 100 due jobs on PostgreSQL,
// with 1 000 or 100 000 jobs in the table that fall due a month later (and the jobs of earlier iterations, done).
// The partial index on pending jobs by run_at keeps a pass to the due jobs: the two figures should be close. Most of
// a pass is the 100 MarkDone statements; claim-µs/pass is the time spent in ClaimDue (six claims of up to 20).
func BenchmarkSchedulerPass(b *testing.B) {
	const due = 100
	for _, later := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("due=%d/later=%d", due, later), func(b *testing.B) {
			ctx := b.Context()
			dsn := sqltest.PostgresDSN(b)
			clk := clock.NewManual(t0)
			db := sqltest.OpenDSN(b, dsn, sqlstore.WithNow(clk.Now))
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close(context.Background())
			insert := func(prefix string, n int, at time.Time) {
				if _, err := conn.Exec(ctx, `
INSERT INTO scheduled_jobs (kind, job_key, due_at, run_at, created_at)
SELECT $1, $2 || g, $3, $3, $4 FROM generate_series(1, $5::int) g`, reminder, prefix, at, t0, n); err != nil {
					b.Fatal(err)
				}
			}
			insert("later-", later, t0.Add(30*24*time.Hour))
			if _, err := conn.Exec(ctx, `VACUUM (ANALYZE) scheduled_jobs`); err != nil {
				b.Fatal(err)
			}
			store := &timedClaims{Store: db.Jobs}
			r := &scheduler.Runner{Store: store, Now: clk.Now,
				Handlers: map[string]scheduler.Handler{reminder: func(context.Context, domain.Job) error { return nil }}}
			// One pass first, so that the figures leave out the pool's first connections and statements.
			insert("warm-up-", due, t0.Add(-time.Minute))
			if n, err := r.RunOnce(ctx); err != nil || n != due {
				b.Fatalf("RunOnce = %d, %v; want %d", n, err, due)
			}
			store.took = 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				insert(fmt.Sprintf("due-%d-", i), due, t0.Add(-time.Minute))
				b.StartTimer()
				if n, err := r.RunOnce(ctx); err != nil || n != due {
					b.Fatalf("RunOnce = %d, %v; want %d", n, err, due)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*due), "µs/job")
			b.ReportMetric(float64(store.took.Microseconds())/float64(b.N), "claim-µs/pass")
		})
	}
}

// timedClaims adds up the time spent in ClaimDue.
type timedClaims struct {
	scheduler.Store
	took time.Duration
}

func (s *timedClaims) ClaimDue(ctx context.Context, now time.Time, kinds []string, limit int, lease time.Duration) ([]domain.Job, string, error) {
	start := time.Now()
	defer func() { s.took += time.Since(start) }()
	return s.Store.ClaimDue(ctx, now, kinds, limit, lease)
}
