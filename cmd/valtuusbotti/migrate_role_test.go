package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

// Least privilege: the schema owner migrates, the service runs as a role that may only read and write data. With
// VALTUUS_MIGRATE=false serve starts under that role; on a schema missing a migration it refuses with one clear
// line saying what to run.
func TestServeWithDataOnlyRole(t *testing.T) {
	owner := sqltest.PostgresDSN(t) // skips, or fails in CI, without a server
	bin := binary(t)
	env := func(dsn string) []string {
		return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "VALTUUS_LISTEN_ADDR=127.0.0.1:0",
			"VALTUUS_LOG_FORMAT=json", "VALTUUS_DATABASE_URL=" + dsn}
	}
	migrate := exec.Command(bin, "migrate")
	migrate.Env = env(owner)
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("migrate as the owner: %v\n%s", err, out)
	}
	dataOnly := dataOnlyRole(t, owner)

	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env(dataOnly), "VALTUUS_MIGRATE=false")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), `"msg":"listening"`) {
				listening <- true
			}
		}
		close(listening)
	}()
	select {
	case ok := <-listening:
		if !ok {
			t.Fatal("serve with a data-only role stopped before listening")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("serve with a data-only role did not start")
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}

	// An old schema: the newest migration is missing.
	conn, err := pgx.Connect(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)"); err != nil {
		t.Fatal(err)
	}
	serveFails(t, map[string]string{"VALTUUS_DATABASE_URL": dataOnly, "VALTUUS_MIGRATE": "false"},
		"not up to date", "pending", "valtuusbotti migrate")
}

// dataOnlyRole makes a login role that may read and write the rows of the owner's schema but create nothing, and
// returns a DSN connecting as it.
func dataOnlyRole(t *testing.T, owner string) string {
	t.Helper()
	return testRole(t, owner, "vt_data_", "GRANT USAGE ON SCHEMA {schema} TO {role}",
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
}
