package sqlstore_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

// BenchmarkRegisterView measures every read the dashboard tab makes, on a register of 100,000 mandates (held by
// 20,000 people in 40 departments, 30 themes, ends spread over ten years, 5 % invalidated) with 5,000 requests, on
// SQLite and PostgreSQL. The budget is 50 ms per read (issue 9). VALTUUS_BENCH_MANDATES changes the size. Seeding
// takes a while, so it only happens when the benchmark is asked for (go test -bench RegisterView).
func BenchmarkRegisterView(b *testing.B) {
	n := 100_000
	if s := os.Getenv("VALTUUS_BENCH_MANDATES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1000 {
			b.Fatalf("VALTUUS_BENCH_MANDATES=%q: want a number of at least 1000", s)
		}
	}
	for _, dialect := range []struct {
		name string
		open func(testing.TB, ...sqlstore.Option) *sqlstore.DB
	}{
		{sqlstore.DialectSQLite, func(tb testing.TB, opts ...sqlstore.Option) *sqlstore.DB {
			// A file, as in production (an in-memory database has one connection and no read pool).
			return sqltest.OpenDSN(tb, sqltest.SQLiteDSN(tb), opts...)
		}},
		{sqlstore.DialectPostgres, sqltest.OpenPostgres},
	} {
		b.Run(dialect.name, func(b *testing.B) {
			db := dialect.open(b)
			seedRegisterView(b, db, n)
			ctx := b.Context()
			today := viewToday
			// A supervisor's people: 12 holders.
			var team []string
			for i := range 12 {
				team = append(team, fmt.Sprintf("person-%05d", i*7))
			}
			// A cursor in the middle of the register, as after some pages.
			mid, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{Name: "Mäki", Limit: 1})
			if err != nil || len(mid) == 0 {
				b.Fatalf("cursor: %v", err)
			}
			middle := sqlstore.RegisterCursor{Name: mid[0].HolderName, ID: mid[0].ID}
			everyone, supervisor := sqlstore.ViewScope{}, sqlstore.ViewScope{Holders: team}
			reads := []struct {
				name string
				read func() error
			}{
				{"page/first", func() error {
					_, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{})
					return err
				}},
				{"page/middle", func() error {
					_, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{After: middle})
					return err
				}},
				{"page/department", func() error {
					_, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{Department: "Toimiala 07"})
					return err
				}},
				{"page/agency_themes", func() error {
					_, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{ThemeIDs: []string{"theme-03", "theme-04", "theme-05"}})
					return err
				}},
				{"page/active_ending_before", func() error {
					_, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{State: sqlstore.MandatesActive, Today: today,
						EndingBefore: today.AddDate(0, 2, 0)})
					return err
				}},
				{"page/revoked_in_department", func() error {
					_, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{State: sqlstore.MandatesRevoked, Department: "Toimiala 31"})
					return err
				}},
				{"page/name_search", func() error {
					_, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{Name: "virtanen aino"})
					return err
				}},
				{"page/name_search_rare", func() error {
					_, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{Name: "nobody of that name"})
					return err
				}},
				{"page/supervisor", func() error {
					_, _, err := db.Register.RegisterPage(ctx, sqlstore.RegisterQuery{Scope: supervisor})
					return err
				}},
				{"counts_by_state", func() error { _, err := db.Register.CountsByState(ctx, everyone, today); return err }},
				{"counts_by_state/supervisor", func() error { _, err := db.Register.CountsByState(ctx, supervisor, today); return err }},
				{"ending_by_month", func() error { _, err := db.Register.EndingByMonth(ctx, everyone, today, 12); return err }},
				{"counts_by_department", func() error { _, err := db.Register.CountsByDepartment(ctx, everyone, today); return err }},
				{"counts_by_theme", func() error { _, err := db.Register.CountsByTheme(ctx, everyone, today); return err }},
				{"departments", func() error { _, err := db.Register.DepartmentsInRegister(ctx, everyone); return err }},
				{"open_tasks", func() error { _, err := db.Register.OpenTasks(ctx, everyone, 50); return err }},
				{"open_tasks/supervisor", func() error { _, err := db.Register.OpenTasks(ctx, supervisor, 50); return err }},
				{"person/mandates", func() error { _, err := db.Register.MandatesByHolder(ctx, team[3]); return err }},
				{"person/requests", func() error { _, err := db.Register.RequestsByRequester(ctx, team[3], 50); return err }},
				{"person/history", func() error { _, err := db.Register.PersonHistory(ctx, team[3], 50); return err }},
			}
			for _, r := range reads {
				b.Run(r.name, func(b *testing.B) {
					for b.Loop() {
						if err := r.read(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

var (
	benchSurnames = []string{"Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäki", "Hämäläinen", "Laine", "Heikkinen",
		"Koskinen", "Järvinen", "Lindholm", "Åberg", "Nordström", "Berg", "Lehtonen", "Saarinen", "Salminen", "Heinonen"}
	benchGiven = []string{"Aino", "Eero", "Helena", "Mikael", "Sami", "Elina", "Oskar", "Dina", "Anna", "Juha", "Liisa",
		"Matti", "Sofia", "Ville", "Emma", "Kalle"}
)

// seedRegisterView writes n mandates (5 per person), n/20 requests with one item each (pending, approved, completed),
// and one audit event per request, in batches of multi-row INSERTs.
func seedRegisterView(b *testing.B, db *sqlstore.DB, n int) {
	b.Helper()
	ctx := b.Context()
	rnd := rand.New(rand.NewPCG(9, 2026))
	pg := db.Dialect() == sqlstore.DialectPostgres
	var stamp any = "2026-01-01T00:00:00.000000Z"
	if pg {
		stamp = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	people := n / 5
	name := func(p int) string {
		return benchSurnames[p%len(benchSurnames)] + " " + benchGiven[(p/len(benchSurnames))%len(benchGiven)] + fmt.Sprintf(" %d", p)
	}
	const batch = 500
	insert := func(head string, cols int, rows int, row func(i int) []any) {
		for start := 0; start < rows; start += batch {
			end := min(start+batch, rows)
			var sb strings.Builder
			sb.WriteString(head)
			args := make([]any, 0, (end-start)*cols)
			for i := start; i < end; i++ {
				if i > start {
					sb.WriteString(",")
				}
				sb.WriteString("(")
				for c := range cols {
					if c > 0 {
						sb.WriteString(",")
					}
					fmt.Fprintf(&sb, "$%d", len(args)+c+1)
				}
				sb.WriteString(")")
				args = append(args, row(i)...)
			}
			if err := db.ExecWrite(ctx, sb.String(), args...); err != nil {
				b.Fatalf("seed: %v", err)
			}
		}
	}
	insert(`INSERT INTO mandates (holder_id, holder_name, department, theme_id, valid_from, valid_until, state,
granted_by, created_at, updated_at) VALUES `, 10, n, func(i int) []any {
		p := i % people
		from := base.AddDate(0, 0, rnd.IntN(6*365))
		until := from.AddDate(0, 0, 30+rnd.IntN(5*365))
		state := "active"
		if rnd.IntN(20) == 0 {
			state = "revoked"
		}
		return []any{fmt.Sprintf("person-%05d", p), name(p), fmt.Sprintf("Toimiala %02d", p%40),
			fmt.Sprintf("theme-%02d", rnd.IntN(30)), from.Format(time.DateOnly), until.Format(time.DateOnly), state,
			"main-user", stamp, stamp}
	})
	requests := n / 20
	states := []string{"pending", "approved", "completed", "completed"}
	insert(`INSERT INTO requests (requester_id, requester_name, state, created_at, updated_at, version) VALUES `, 6,
		requests, func(i int) []any {
			p := rnd.IntN(people)
			return []any{fmt.Sprintf("person-%05d", p), name(p), states[i%len(states)], stamp, stamp, 1}
		})
	itemStates := map[string]string{"pending": "pending", "approved": "approved", "completed": "granted"}
	insert(`INSERT INTO request_items (request_id, position, theme_id, state) VALUES `, 4, requests, func(i int) []any {
		return []any{int64(i + 1), 0, fmt.Sprintf("theme-%02d", i%30), itemStates[states[i%len(states)]]}
	})
	insert(`INSERT INTO audit_log (at, actor_id, action, request_id) VALUES `, 4, requests, func(i int) []any {
		return []any{stamp, "someone", "request.submitted", int64(i + 1)}
	})
	stats := "ANALYZE"
	if pg {
		stats = "VACUUM ANALYZE" // as autovacuum leaves a table in use: index-only scans need the visibility map
	}
	if err := db.ExecWrite(ctx, stats); err != nil {
		b.Fatalf("analyze: %v", err)
	}
}
