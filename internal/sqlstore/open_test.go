package sqlstore_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

func TestOpenBadDSN(t *testing.T) {
	dir := t.TempDir()
	aFile := filepath.Join(dir, "plain-file")
	if err := os.WriteFile(aFile, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	notADB := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(notADB, []byte(strings.Repeat("this is not a SQLite database\n", 200)), 0o600); err != nil {
		t.Fatal(err)
	}
	aDir := filepath.Join(dir, "dir.db")
	if err := os.Mkdir(aDir, 0o700); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, dsn, code string
		wantIn          []string // all must appear in the error text
	}{
		{"empty", "  ", domain.EInvalid, []string{"empty database DSN"}},
		{"unknown scheme", "mysql://root:hunter2@db/valtuus", domain.EInvalid, []string{`unsupported database DSN scheme "mysql"`}},
		{"no scheme, no .db", "valtuus", domain.EInvalid, []string{"unrecognised database DSN"}},
		{"sqlite without path", "sqlite:", domain.EInvalid, []string{"names no database file"}},
		{"sqlite with query", "sqlite:x.db?mode=ro", domain.EInvalid, []string{"query parameters"}},
		{"postgres bad port", "postgres://u:hunter2@localhost:notaport/db", domain.EInvalid, []string{"invalid PostgreSQL DSN"}},
		{"postgres bad option", "postgres://u:hunter2@localhost/db?sslmode=sometimes", domain.EInvalid, []string{"invalid PostgreSQL DSN", "sslmode"}},
		{"postgres unreachable", "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=5&sslmode=disable", domain.EUnavailable,
			[]string{"cannot connect to PostgreSQL at 127.0.0.1:1"}},
		{"sqlite parent is a file", "sqlite:" + filepath.Join(aFile, "sub", "x.db"), domain.EInvalid,
			[]string{"cannot create the directory", aFile}},
		{"sqlite path is a directory", aDir, domain.EInvalid, []string{"is a directory", aDir}},
		{"sqlite not a database", "file:" + notADB, domain.EUnavailable, []string{"not a database", notADB}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sqlstore.Open(t.Context(), tt.dsn)
			if err == nil {
				_ = db.Close()
				t.Fatalf("Open(%q) succeeded", tt.dsn)
			}
			t.Logf("Open(%q): %v", tt.dsn, err)
			if got := domain.ErrorCode(err); got != tt.code {
				t.Errorf("code = %s, want %s", got, tt.code)
			}
			for _, s := range tt.wantIn {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q reveals the password", err)
			}
			if !strings.HasPrefix(err.Error(), "sqlstore.Open: ") {
				t.Errorf("error %q does not name the operation", err)
			}
		})
	}
}

func TestOpenSQLiteDSNForms(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{
		"sqlite:" + filepath.Join(dir, "a", "b", "one.db"), // parent directories are created
		"sqlite://" + filepath.Join(dir, "two.db"),
		"file:" + filepath.Join(dir, "three.sqlite"),
		filepath.Join(dir, "four.db"),
		"sqlite::memory:",
		"file::memory:",
	} {
		t.Run(dsn, func(t *testing.T) {
			db := sqltest.OpenDSN(t, dsn)
			if db.Dialect() != sqlstore.DialectSQLite {
				t.Errorf("Dialect() = %q", db.Dialect())
			}
			ref := fullRef("x")
			if err := db.People.UpsertConversationRef(t.Context(), ref); err != nil {
				t.Fatal(err)
			}
			if got, err := db.People.ConversationRef(t.Context(), "x"); err != nil || got.ConversationID != ref.ConversationID {
				t.Fatalf("read back %+v, %v", got, err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "a", "b", "one.db")); err != nil {
		t.Errorf("database file not created: %v", err)
	}
}

func TestSQLiteConnectionSettings(t *testing.T) {
	db := sqltest.Open(t)
	ctx := t.Context()
	for _, p := range []struct{ name, writer, reader string }{
		{"journal_mode", "wal", "wal"},
		{"synchronous", "1", "1"}, // NORMAL
		{"foreign_keys", "1", "1"},
		{"busy_timeout", "10000", "10000"},
		{"query_only", "0", "1"},
		{"wal_autocheckpoint", "20000", "1000"}, // the writer leaves checkpoints to the background (readers never commit)
	} {
		if got, err := db.WriterPragma(ctx, p.name); err != nil || got != p.writer {
			t.Errorf("writer %s = %q, %v; want %q", p.name, got, err, p.writer)
		}
		if got, err := db.ReaderPragma(ctx, p.name); err != nil || got != p.reader {
			t.Errorf("reader %s = %q, %v; want %q", p.name, got, err, p.reader)
		}
	}
	if err := db.ExecRead(ctx, `DELETE FROM conversation_refs`); err == nil {
		t.Error("a write through the read pool succeeded")
	}
}

// The write-ahead log is copied back into the database file in the background, not by the committing writer: after
// some hundred commits (fewer pages than the writer's own threshold) the checkpointer has copied every frame.
func TestSQLiteCheckpointsInTheBackground(t *testing.T) {
	db := sqltest.Open(t)
	ctx := t.Context()
	for i := range 300 {
		if err := db.People.UpsertConversationRef(ctx, domain.ConversationRef{AADObjectID: fmt.Sprintf("p%03d", i),
			ConversationID: "a:1", ServiceURL: "https://s/"}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for db.CheckpointRuns() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint in the background")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var busy, frames, copied int
	if err := db.WriterRow(ctx, "PRAGMA wal_checkpoint(PASSIVE)", &busy, &frames, &copied); err != nil {
		t.Fatal(err)
	}
	if frames == 0 || copied != frames {
		t.Fatalf("after the background checkpoint: %d of %d frames copied", copied, frames)
	}
	for range 2 { // closed by its owner, then again by a cleanup
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSQLiteInMemoryIsOneDatabase(t *testing.T) {
	// Every connection to :memory: is a database of its own; concurrent use must still see one database.
	db := sqltest.OpenDSN(t, "sqlite::memory:")
	ctx := t.Context()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			id := string(rune('a' + i))
			if err := db.People.UpsertConversationRef(ctx, fullRef(id)); err != nil {
				t.Error(err)
				return
			}
			if _, err := db.People.ConversationRef(ctx, id); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
