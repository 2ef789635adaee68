package sqlstore_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

// BenchmarkUpsertConversationRef measures the write done for every incoming activity: inserting new people,
// updating one person, and many goroutines writing at once (serialised on SQLite's single writer).
func BenchmarkUpsertConversationRef(b *testing.B) {
	for _, dialect := range []struct {
		name string
		open func(testing.TB, ...sqlstore.Option) *sqlstore.DB
	}{
		{sqlstore.DialectSQLite, sqltest.Open},
		{sqlstore.DialectPostgres, sqltest.OpenPostgres},
	} {
		b.Run(dialect.name, func(b *testing.B) {
			db := dialect.open(b)
			ctx := b.Context()
			b.Run("insert", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if err := db.People.UpsertConversationRef(ctx, fullRef(fmt.Sprintf("insert-%d", i))); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("update", func(b *testing.B) {
				ref := fullRef("update")
				for b.Loop() {
					if err := db.People.UpsertConversationRef(ctx, ref); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				var n atomic.Int64
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						id := fmt.Sprintf("parallel-%d", n.Add(1)%100)
						if err := db.People.UpsertConversationRef(ctx, fullRef(id)); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}
