package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the real valtuusbotti once for the tests that run it as an operator would.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "valtuusbotti-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "valtuusbotti")
		args := []string{"build", "-o", binPath}
		if raceBuild {
			args = append(args, "-race") // reuse the packages the test binary was compiled from
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("build: %v", buildErr)
	}
	return binPath
}

// serveFails runs `valtuusbotti serve` with env and requires it to stop with exit status 1 and one line naming the
// cause: no panic, no stack trace, no password.
func serveFails(t *testing.T, env map[string]string, want ...string) {
	t.Helper()
	bin := binary(t) // before the deadline: a first build can take minutes
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + cmd.Dir, "VALTUUS_LISTEN_ADDR=127.0.0.1:0", "VALTUUS_LOG_FORMAT=json"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v (want status 1)\nstderr:\n%s", err, stderr.String())
	}
	all := stdout.String() + stderr.String()
	for _, bad := range []string{"panic", "goroutine ", "secretpw"} {
		if strings.Contains(all, bad) {
			t.Fatalf("output holds %q:\n%s", bad, all)
		}
	}
	// Log lines are JSON; the cause is the one line that is not.
	var causes []string
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if !strings.HasPrefix(line, "{") {
			causes = append(causes, line)
		}
	}
	if len(causes) != 1 || !strings.HasPrefix(causes[0], "valtuusbotti: ") {
		t.Fatalf("want one line naming the cause, got %q", causes)
	}
	for _, w := range want {
		if !strings.Contains(causes[0], w) {
			t.Errorf("the cause %q does not say %q", causes[0], w)
		}
	}
}

func TestStartupFailuresAreOneClearLine(t *testing.T) {
	t.Run("unreachable PostgreSQL", func(t *testing.T) {
		serveFails(t, map[string]string{"VALTUUS_DATABASE_URL": "postgres://postgres:secretpw@127.0.0.1:1/test?sslmode=disable"},
			"cannot open the database", "VALTUUS_DATABASE_URL", "127.0.0.1:1", "connection refused")
	})
	t.Run("unreachable Redis", func(t *testing.T) {
		serveFails(t, map[string]string{"VALTUUS_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "v.db"),
			"VALTUUS_REDIS_URL": "redis://:secretpw@127.0.0.1:1/0"},
			"cannot reach Redis", "VALTUUS_REDIS_URL", "connection refused")
	})
	t.Run("a role that may not create tables", func(t *testing.T) {
		dsn := roleWithoutCreate(t)
		serveFails(t, map[string]string{"VALTUUS_DATABASE_URL": dsn},
			"database migration failed", "permission denied", "valtuusbotti migrate")
	})
}

// roleWithoutCreate makes a login role that may use a fresh schema but not create anything in it, and returns a
// DSN (with a password, which must never be printed) that connects as that role to that schema.
func roleWithoutCreate(t *testing.T) string {
	t.Helper()
	return testRole(t, sqltest.PostgresDSN(t), "vt_nocreate_", // skips, or fails in CI, without a server
		"REVOKE CREATE ON SCHEMA public FROM PUBLIC", "GRANT USAGE ON SCHEMA {schema} TO {role}")
}

// testRole creates a login role (password "secretpw") with the grants given ({schema} and {role} filled in) on the
// schema of dsn, drops it when the test ends, and returns dsn connecting as that role.
func testRole(t *testing.T, dsn, prefix string, grants ...string) string {
	t.Helper()
	u, _ := url.Parse(dsn)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	role := prefix + hex.EncodeToString(b)
	fill := strings.NewReplacer("{schema}", u.Query().Get("search_path"), "{role}", role)
	for _, q := range append([]string{"CREATE ROLE {role} LOGIN PASSWORD 'secretpw'"}, grants...) {
		if _, err := conn.Exec(ctx, fill.Replace(q)); err != nil {
			t.Fatalf("%s: %v", fill.Replace(q), err)
		}
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP OWNED BY "+role)
		_, _ = c.Exec(context.Background(), "DROP ROLE "+role)
	})
	u.User = url.UserPassword(role, "secretpw")
	return u.String()
}
