package dirsync

import (
	"context"
	"fmt"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// scripted is a DeltaSource that answers what the benchmark sets.
type scripted struct{ d directory.Delta }

func (s *scripted) Delta(context.Context, string) (directory.Delta, error) { return s.d, nil }

// BenchmarkSync is one sync of a city of 3 000 people in which one person moved: as a tracked round (Graph's delta
// link: one change) and as a full round (the demo file, or a resync after an expired link: everyone). Each sync
// reads the whole snapshot, stores the moved person and schedules one mover job.
func BenchmarkSync(b *testing.B) {
	const n = 3000
	open := map[string]func(testing.TB, ...sqlstore.Option) *sqlstore.DB{
		sqlstore.DialectSQLite: sqltest.Open, sqlstore.DialectPostgres: sqltest.OpenPostgres}
	for _, dialect := range []string{sqlstore.DialectSQLite, sqlstore.DialectPostgres} {
		for _, full := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/full=%v", dialect, full), func(b *testing.B) {
				db := open[dialect](b)
				c := clock.NewManual(clock.Start)
				people := make([]domain.DirectoryPerson, n)
				all := make([]directory.Change, n)
				for i := range people {
					people[i] = domain.DirectoryPerson{User: domain.User{ID: fmt.Sprintf("7c1e4a52-0000-4000-8000-%012d", i),
						DisplayName: fmt.Sprintf("Person %d", i), Mail: fmt.Sprintf("p%d@porvoo.example", i),
						Department: "Dept " + fmt.Sprint(i%40), JobTitle: "Title", AccountEnabled: true}}
					all[i] = directory.Change{Person: people[i], Fields: directory.AllFields}
				}
				src := &scripted{d: directory.Delta{Changes: all, Full: true, Link: "l0"}}
				s := &Syncer{Store: db.DirSync(), Source: src, Org: org, Now: c.Now}
				if res, err := s.Run(context.Background()); err != nil || !res.Baseline {
					b.Fatalf("baseline %+v %v", res, err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					k := i % n
					all[k].Person.JobTitle = fmt.Sprintf("Title %d", i)
					if full {
						src.d = directory.Delta{Changes: all, Full: true, Link: fmt.Sprint(i)}
					} else {
						src.d = directory.Delta{Changes: []directory.Change{{Person: all[k].Person, Fields: directory.FieldJobTitle}}, Link: fmt.Sprint(i)}
					}
					c.Advance(1000)
					b.StartTimer()
					res, err := s.Run(context.Background())
					if err != nil || len(res.Events) != 1 || res.Jobs != 1 {
						b.Fatalf("sync %d: %+v %v", i, res, err)
					}
				}
			})
		}
	}
}
