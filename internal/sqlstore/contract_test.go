package sqlstore_test

import (
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// The contract: every test here runs on SQLite and, when configured, on PostgreSQL (see package sqltest).

// start has nanoseconds and a non-UTC zone, to check that the store keeps microseconds and returns UTC.
var start = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("EET", 2*60*60))

func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func fullRef(id string) domain.ConversationRef {
	return domain.ConversationRef{
		AADObjectID:      id,
		UserID:           "29:1abc-" + id,
		UserName:         "Testi Käyttäjä",
		BotID:            "28:00000000-0000-0000-0000-000000000001",
		ConversationID:   "a:1personal-" + id,
		ConversationType: "personal",
		ServiceURL:       "https://smba.trafficmanager.net/emea/",
		TenantID:         "11111111-2222-3333-4444-555555555555",
		ChannelID:        "msteams",
		Locale:           "fi-FI",
	}
}

// fsFiles reads every file at the root of fsys.
func fsFiles(fsys fs.FS) (map[string][]byte, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if out[e.Name()], err = fs.ReadFile(fsys, e.Name()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		before, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(before) == 0 {
			t.Fatal("no migrations listed")
		}
		for _, m := range before {
			if !m.Applied || m.Modified || m.Unknown || m.AppliedAt.IsZero() {
				t.Errorf("after Migrate: %+v, want applied, unmodified, known, with a time", m)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second Migrate: %v", err)
		}
		after, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("second Migrate changed the status:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}

func TestMigrationStatusBeforeMigrate(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		db := sqltest.OpenUnmigrated(t, dsn)
		got, err := db.MigrationStatus(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 || got[0].Version != 1 || got[0].Name != "people" {
			t.Fatalf("status = %+v, want the embedded migrations starting with 1 people", got)
		}
		for _, m := range got {
			if m.Applied || !m.AppliedAt.IsZero() {
				t.Errorf("fresh database: %+v, want pending", m)
			}
		}
	})
}

func TestMigrateConcurrently(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		// Two handles on one database, as two processes starting at once, each migrating from two goroutines.
		dbs := []*sqlstore.DB{sqltest.OpenUnmigrated(t, dsn), sqltest.OpenUnmigrated(t, dsn)}
		ctx := t.Context()
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := range 4 {
			wg.Go(func() { errs <- dbs[i%2].Migrate(ctx) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent Migrate: %v", err)
			}
		}
		for _, db := range dbs {
			st, err := db.MigrationStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range st {
				if !m.Applied || m.Unknown {
					t.Errorf("after concurrent Migrate: %+v", m)
				}
			}
			if err := db.People.UpsertConversationRef(ctx, fullRef("after-migrate")); err != nil {
				t.Errorf("upsert after concurrent Migrate: %v", err)
			}
		}
	})
}

func TestMigrateFailureRollsBack(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		db := sqltest.OpenUnmigrated(t, dsn)
		ctx := t.Context()
		bad := fstest.MapFS{
			"0001_first.sql":  {Data: []byte("CREATE TABLE first_t (x TEXT);")},
			"0002_broken.sql": {Data: []byte("CREATE TABLE half_t (x TEXT);\nCREATE TABLE broken_t (x TEXT NOT A TYPE (;")},
		}
		err := db.MigrateFS(ctx, bad)
		if err == nil {
			t.Fatal("Migrate with a broken migration succeeded")
		}
		t.Logf("broken migration error: %v", err)
		if ok, err := db.TableExists(ctx, "first_t"); err != nil || !ok {
			t.Errorf("first migration not kept: exists=%v err=%v", ok, err)
		}
		if ok, err := db.TableExists(ctx, "half_t"); err != nil || ok {
			t.Errorf("half-applied migration left table half_t: exists=%v err=%v", ok, err)
		}
		fixed := fstest.MapFS{
			"0001_first.sql": bad["0001_first.sql"],
			"0002_fixed.sql": {Data: []byte("CREATE TABLE half_t (x TEXT);")},
		}
		if err := db.MigrateFS(ctx, fixed); err != nil {
			t.Fatalf("Migrate after fixing the migration: %v", err)
		}
	})
}

func TestMigrateRefusesEditedMigration(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		db := sqltest.OpenUnmigrated(t, dsn)
		ctx := t.Context()
		if err := db.MigrateFS(ctx, fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE a_t (x TEXT);")}}); err != nil {
			t.Fatal(err)
		}
		err := db.MigrateFS(ctx, fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE a_t (x TEXT, y TEXT);")}})
		if !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("Migrate with an edited migration: %v, want %s", err, domain.EConflict)
		}
	})
}

func TestMigrateRefusesOutOfOrder(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		db := sqltest.OpenUnmigrated(t, dsn)
		ctx := t.Context()
		b := &fstest.MapFile{Data: []byte("CREATE TABLE b_t (x TEXT);")}
		if err := db.MigrateFS(ctx, fstest.MapFS{"0002_b.sql": b}); err != nil {
			t.Fatal(err)
		}
		err := db.MigrateFS(ctx, fstest.MapFS{
			"0001_a.sql": {Data: []byte("CREATE TABLE a_t (x TEXT);")},
			"0002_b.sql": b,
		})
		if !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("Migrate with a pending migration older than an applied one: %v, want %s", err, domain.EConflict)
		}
	})
}

func TestMigrateToleratesNewerRelease(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		// A newer release applies one more migration; this binary must still start and report it.
		embedded, err := sqlstore.EmbeddedMigrations()
		if err != nil {
			t.Fatal(err)
		}
		newer := fstest.MapFS{"9999_future.sql": {Data: []byte("CREATE TABLE future_t (x TEXT);")}}
		files, err := fsFiles(embedded)
		if err != nil {
			t.Fatal(err)
		}
		for name, data := range files {
			newer[name] = &fstest.MapFile{Data: data}
		}
		if err := db.MigrateFS(ctx, newer); err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("Migrate after a newer release migrated: %v", err)
		}
		st, err := db.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		last := st[len(st)-1]
		if last.Version != 9999 || !last.Unknown || !last.Applied || last.Name != "future" {
			t.Errorf("last status = %+v, want applied unknown 9999 future", last)
		}
	})
}

func TestConversationRefRoundTrip(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		want := fullRef("00000000-aaaa-bbbb-cccc-000000000001")
		if err := db.People.UpsertConversationRef(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := db.People.ConversationRef(ctx, want.AADObjectID)
		if err != nil {
			t.Fatal(err)
		}
		want.UpdatedAt = stored(start)
		if got != want {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
		}
		if got.UpdatedAt.Location() != time.UTC {
			t.Errorf("UpdatedAt location = %v, want UTC", got.UpdatedAt.Location())
		}
		if got.UpdatedAt.Nanosecond() != 123456000 {
			t.Errorf("UpdatedAt = %v, want microseconds kept exactly", got.UpdatedAt)
		}

		// A later activity with new values replaces them and moves UpdatedAt.
		clk.Advance(90 * time.Minute)
		next := want
		next.ServiceURL = "https://smba.trafficmanager.net/fi/"
		next.Locale = "sv-SE"
		next.UserName = "Test Användare"
		next.UpdatedAt = time.Time{}
		if err := db.People.UpsertConversationRef(ctx, next); err != nil {
			t.Fatal(err)
		}
		got, err = db.People.ConversationRef(ctx, want.AADObjectID)
		if err != nil {
			t.Fatal(err)
		}
		next.UpdatedAt = stored(start.Add(90 * time.Minute))
		if got != next {
			t.Errorf("after update:\n got %+v\nwant %+v", got, next)
		}
	})
}

func TestUpsertKeepsStoredValuesForEmptyFields(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		personal := fullRef("00000000-aaaa-bbbb-cccc-000000000002")
		if err := db.People.UpsertConversationRef(ctx, personal); err != nil {
			t.Fatal(err)
		}
		// An activity from a channel: no personal conversation id, a channel conversation type, a new locale.
		clk.Advance(time.Second)
		fromChannel := domain.ConversationRef{
			AADObjectID:      personal.AADObjectID,
			ConversationType: "channel",
			Locale:           "en-US",
			Language:         domain.Swedish, // must be ignored
		}
		if err := db.People.UpsertConversationRef(ctx, fromChannel); err != nil {
			t.Fatal(err)
		}
		got, err := db.People.ConversationRef(ctx, personal.AADObjectID)
		if err != nil {
			t.Fatal(err)
		}
		want := personal
		want.Locale = "en-US"
		want.UpdatedAt = stored(start.Add(time.Second))
		if got != want {
			t.Errorf("after an upsert with empty fields:\n got %+v\nwant %+v", got, want)
		}

		// A first activity from a channel stores no conversation type without a conversation id.
		first := domain.ConversationRef{AADObjectID: "00000000-aaaa-bbbb-cccc-000000000003",
			ConversationType: "channel", UserID: "29:x", ServiceURL: "https://smba.example/"}
		if err := db.People.UpsertConversationRef(ctx, first); err != nil {
			t.Fatal(err)
		}
		got, err = db.People.ConversationRef(ctx, first.AADObjectID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ConversationType != "" || got.ConversationID != "" || got.UserID != "29:x" {
			t.Errorf("first channel activity stored %+v", got)
		}
	})
}

func TestUpsertRejectsMissingID(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		err := db.People.UpsertConversationRef(t.Context(), domain.ConversationRef{UserID: "29:x"})
		if !domain.IsCode(err, domain.EInvalid) {
			t.Fatalf("upsert without AADObjectID: %v, want %s", err, domain.EInvalid)
		}
	})
}

func TestConversationRefNotFound(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := t.Context()
		_, err := db.People.ConversationRef(ctx, "00000000-0000-0000-0000-00000000dead")
		if !domain.IsCode(err, domain.ENotFound) {
			t.Fatalf("missing ref: %v, want %s", err, domain.ENotFound)
		}
		// A language choice alone is not a conversation reference.
		if err := db.People.SetLanguage(ctx, "00000000-0000-0000-0000-00000000beef", domain.Swedish); err != nil {
			t.Fatal(err)
		}
		_, err = db.People.ConversationRef(ctx, "00000000-0000-0000-0000-00000000beef")
		if !domain.IsCode(err, domain.ENotFound) {
			t.Fatalf("ref of a person with only a language: %v, want %s", err, domain.ENotFound)
		}
	})
}

func TestLanguage(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		ctx := t.Context()
		id := "00000000-aaaa-bbbb-cccc-000000000010"
		lang := func() domain.Lang {
			t.Helper()
			l, err := db.People.Language(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		if l := lang(); l != "" {
			t.Errorf("unknown person's language = %q, want none", l)
		}
		// Before any conversation reference exists.
		if err := db.People.SetLanguage(ctx, id, domain.Swedish); err != nil {
			t.Fatal(err)
		}
		if l := lang(); l != domain.Swedish {
			t.Errorf("language = %q, want sv", l)
		}
		// The reference picks it up, and upserts (even ones carrying a Language) never change it.
		ref := fullRef(id)
		ref.Language = domain.English
		if err := db.People.UpsertConversationRef(ctx, ref); err != nil {
			t.Fatal(err)
		}
		got, err := db.People.ConversationRef(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Language != domain.Swedish {
			t.Errorf("ref language = %q, want sv", got.Language)
		}
		// Setting the language does not touch the reference.
		clk.Advance(time.Hour)
		if err := db.People.SetLanguage(ctx, id, domain.Finnish); err != nil {
			t.Fatal(err)
		}
		got, err = db.People.ConversationRef(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Language != domain.Finnish || !got.UpdatedAt.Equal(stored(start)) {
			t.Errorf("after SetLanguage(fi): language %q updated %v, want fi and %v", got.Language, got.UpdatedAt, stored(start))
		}
		// Invalid languages are refused and change nothing.
		for _, bad := range []domain.Lang{"de", "FI", "fi-FI", " "} {
			if err := db.People.SetLanguage(ctx, id, bad); !domain.IsCode(err, domain.EInvalid) {
				t.Errorf("SetLanguage(%q) = %v, want %s", bad, err, domain.EInvalid)
			}
		}
		if l := lang(); l != domain.Finnish {
			t.Errorf("after invalid SetLanguage calls language = %q, want fi", l)
		}
		if err := db.People.SetLanguage(ctx, "", domain.Finnish); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("SetLanguage without id = %v, want %s", err, domain.EInvalid)
		}
		// "" clears the choice.
		if err := db.People.SetLanguage(ctx, id, ""); err != nil {
			t.Fatal(err)
		}
		if l := lang(); l != "" {
			t.Errorf("after clearing language = %q, want none", l)
		}
		got, err = db.People.ConversationRef(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Language != "" {
			t.Errorf("ref language after clearing = %q, want none", got.Language)
		}
	})
}

func TestConcurrentWrites(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		// Two handles (as two processes) and many goroutines writing the same and different rows at once.
		dbs := []*sqlstore.DB{sqltest.OpenDSN(t, dsn), sqltest.OpenDSN(t, dsn)}
		ctx := t.Context()
		const workers, perWorker = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers*perWorker*3)
		for w := range workers {
			wg.Go(func() {
				db := dbs[w%2]
				for i := range perWorker {
					shared := fmt.Sprintf("shared-%d", i%3)
					own := fmt.Sprintf("worker-%d-%d", w, i)
					errs <- db.People.UpsertConversationRef(ctx, fullRef(shared))
					errs <- db.People.UpsertConversationRef(ctx, fullRef(own))
					errs <- db.People.SetLanguage(ctx, shared, domain.Langs[(w+i)%len(domain.Langs)])
					if _, err := db.People.ConversationRef(ctx, shared); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent write: %v", err)
			}
		}
		for w := range workers {
			for i := range perWorker {
				id := fmt.Sprintf("worker-%d-%d", w, i)
				if got, err := dbs[0].People.ConversationRef(ctx, id); err != nil || got.ConversationID != fullRef(id).ConversationID {
					t.Fatalf("ref %s after concurrent writes: %+v, %v", id, got, err)
				}
			}
		}
	})
}

func TestPingAndDialect(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		db := sqltest.OpenDSN(t, dsn)
		if err := db.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(t.Name(), "/"+db.Dialect()) {
			t.Errorf("Dialect() = %q in subtest %s", db.Dialect(), t.Name())
		}
	})
}

func TestClosedDB(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Ping(ctx); err == nil {
			t.Error("Ping on a closed DB succeeded")
		}
		if _, err := db.People.ConversationRef(ctx, "x"); err == nil || domain.IsCode(err, domain.ENotFound) {
			t.Errorf("ConversationRef on a closed DB = %v, want a failure that is not not_found", err)
		}
	})
}
