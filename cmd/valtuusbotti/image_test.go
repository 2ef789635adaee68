package main

import (
	"bytes"
	"context"
	"debug/elf"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The container image's binary, built as the Dockerfile builds it (static, trimmed), runs the service as a
// non-root user: the database in a directory that user owns, the health check the image uses answers "ok", and
// SIGTERM stops it cleanly. (Docker itself cannot run on this machine: no daemon and no registry for base images;
// this is the same binary and the same user the image uses.)
func TestStaticBinaryRunsAsNonRoot(t *testing.T) {
	// Not t.TempDir: its parent is private to root, and the non-root user must reach the binary and its data.
	dir, err := os.MkdirTemp("", "valtuusbotti-image-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "valtuusbotti")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=test", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary needs a dynamic loader: the distroless static image could not run it")
		}
	}
	f.Close()

	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	const nonroot = 65532 // distroless's nonroot user
	cred := (*syscall.Credential)(nil)
	if os.Getuid() == 0 {
		if err := os.Chown(data, nonroot, nonroot); err != nil {
			t.Fatal(err)
		}
		cred = &syscall.Credential{Uid: nonroot, Gid: nonroot}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	env := []string{"PATH=/nonexistent", "HOME=" + data, "VALTUUS_LISTEN_ADDR=" + addr,
		"VALTUUS_DATABASE_URL=sqlite:" + filepath.Join(data, "valtuusbotti.db"), "VALTUUS_LOG_FORMAT=json"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := exec.CommandContext(ctx, bin, "serve")
	srv.Env, srv.Dir = env, data
	srv.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	var stderr bytes.Buffer
	srv.Stderr = &stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	alive := false
	for i := 0; i < 100 && !alive; i++ {
		time.Sleep(100 * time.Millisecond)
		hc := exec.CommandContext(ctx, bin, "health")
		hc.Env = env
		hc.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		out, err := hc.Output()
		alive = err == nil && string(out) == "ok\n"
	}
	if !alive {
		_ = srv.Process.Kill()
		_ = srv.Wait()
		t.Fatalf("the health check never passed; the service said:\n%s", stderr.String())
	}
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := srv.Wait(); err != nil {
		t.Fatalf("stopping on SIGTERM: %v\n%s", err, stderr.String())
	}
	if cred != nil {
		st, err := os.Stat(filepath.Join(data, "valtuusbotti.db"))
		if err != nil {
			t.Fatal(err)
		}
		if uid := st.Sys().(*syscall.Stat_t).Uid; uid != nonroot {
			t.Fatalf("the database belongs to uid %d, not the non-root user %s", uid, strconv.Itoa(nonroot))
		}
	}
}
