package sqlstore_test

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

// One open request per person and theme, enforced by the schema: a second open request for a theme the person
// already has open is refused with nothing written; another person, or the same person once the first request is
// closed, may ask for it.
func TestOneOpenRequestPerPersonAndTheme(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		a := sampleRequest("erkki", "t1", "t2")
		createRequest(t, db, &a)
		b := sampleRequest("erkki", "t2", "t3")
		err := db.Register.InTx(ctx, func(tx domain.Tx) error { return tx.CreateRequest(ctx, &b) })
		if !domain.IsCode(err, domain.EConflict) || domain.ErrorMessage(err) != "err.already_requested" {
			t.Fatalf("second open request for t2: %v", err)
		}
		if rs, _ := db.Register.RequestsByRequester(ctx, "erkki", 0); len(rs) != 1 {
			t.Fatalf("%d requests stored, want 1", len(rs))
		}
		other := sampleRequest("anna", "t2")
		createRequest(t, db, &other)

		a.State = domain.RequestCancelled
		for i := range a.Items {
			a.Items[i].State = domain.ItemCancelled
		}
		if err := db.Register.InTx(ctx, func(tx domain.Tx) error { return tx.UpdateRequest(ctx, &a) }); err != nil {
			t.Fatal(err)
		}
		b = sampleRequest("erkki", "t2", "t3")
		createRequest(t, db, &b)
	})
}

// A database where the same theme was filed twice before the open-key migration still migrates: the oldest open
// item keeps the key, the later duplicate none, and the rule holds from then on.
func TestOpenKeyMigrationWithEarlierDuplicates(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		db := sqltest.OpenUnmigrated(t, dsn)
		all, err := sqlstore.EmbeddedMigrations()
		if err != nil {
			t.Fatal(err)
		}
		before := fstest.MapFS{}
		for _, name := range []string{"0001_people.sql", "0002_mandates.sql", "0003_outbox_waiting.sql"} {
			raw, err := fs.ReadFile(all, name)
			if err != nil {
				t.Fatal(err)
			}
			before[name] = &fstest.MapFile{Data: raw}
		}
		if err := db.MigrateFS(ctx, before); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := db.ExecWrite(ctx, `INSERT INTO requests (requester_id, state, created_at, updated_at, version)
				VALUES ('erkki', 'pending', '2026-01-01T08:00:00.000000Z', '2026-01-01T08:00:00.000000Z', 1)`); err != nil {
				t.Fatal(err)
			}
			if err := db.ExecWrite(ctx, `INSERT INTO request_items (request_id, position, theme_id, state)
				VALUES ((SELECT MAX(id) FROM requests), 0, 't', 'pending')`); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("migrating a database with duplicates: %v", err)
		}
		again := sampleRequest("erkki", "t")
		err = db.Register.InTx(ctx, func(tx domain.Tx) error { return tx.CreateRequest(ctx, &again) })
		if domain.ErrorMessage(err) != "err.already_requested" {
			t.Fatalf("after the migration: %v", err)
		}
	})
}
