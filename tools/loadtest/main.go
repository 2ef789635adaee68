// Command loadtest drives the real valtuusbotti binary with Teams-shaped traffic on loopback and reports what a turn
// costs: replies a second, the time from sending an activity to its reply arriving at the (fake) Bot Connector
// (p50, p99), CPU milliseconds of the service per reply (from /proc of the child) and its peak RSS, and whether every
// turn was answered 2xx and every reply delivered exactly once.
//
// Everything the service talks to runs in this process: the Bot Framework identity provider (internal/testfakes/
// fakeidp: signed RS256 tokens, checked by the service as in production), the Bot Connector (fakeconnector), and an
// Entra ID token endpoint over TLS (the service's azidentity credential gets its outbound token there through
// AZURE_AUTHORITY_HOST with instance discovery off, trusting this process's certificate via SSL_CERT_FILE).
//
//	go run ./tools/loadtest -clients 32 -duration 20s                   # closed loop, limit lifted, new people
//	go run ./tools/loadtest -rate 100 -duration 20s -tenant-rps 50      # open loop at twice Teams' default budget
//
// Figures and the commands behind them: docs/performance.md.
package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

const rigTenant = "d3b0c0de-0000-4000-8000-00000000a11d"

type options struct {
	bin        string
	clients    int
	rate       float64
	duration   time.Duration
	warmup     time.Duration
	drain      time.Duration
	newPeople  bool
	tenantRPS  int
	database   string
	redis      string
	text       string
	keepLogs   bool
	answerSLO  time.Duration
	maxWorkers int
	cpuProfile string
}

func main() {
	var o options
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.StringVar(&o.bin, "bin", "", "the valtuusbotti binary to run (default: go build ./cmd/valtuusbotti into a temporary directory)")
	fs.IntVar(&o.clients, "clients", 32, "closed loop: clients each sending their next activity when the last is answered")
	fs.Float64Var(&o.rate, "rate", 0, "open loop: activities a second, sent whatever the answers (overrides -clients)")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long to measure")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "load before measuring (not counted)")
	fs.DurationVar(&o.drain, "drain", 15*time.Second, "how long to wait after the load for replies still on their way (the outbox)")
	fs.BoolVar(&o.newPeople, "new-people", true, "every activity from a person the service has never seen")
	fs.IntVar(&o.tenantRPS, "tenant-rps", 0, "VALTUUS_TEAMS_TENANT_RPS for the service (0: the client-side limit lifted)")
	fs.StringVar(&o.database, "database", "", "VALTUUS_DATABASE_URL (default: a new SQLite file)")
	fs.StringVar(&o.redis, "redis", "", "VALTUUS_REDIS_URL (default: none, state in memory)")
	fs.StringVar(&o.text, "text", "hei", "the message every activity carries")
	fs.BoolVar(&o.keepLogs, "logs", false, "pass the service's warnings and errors through to stderr")
	fs.DurationVar(&o.answerSLO, "answer-within", 100*time.Millisecond, "report turns not answered within this")
	fs.IntVar(&o.maxWorkers, "max-inflight", 4096, "open loop: most activities in flight at once")
	fs.StringVar(&o.cpuProfile, "driver-cpuprofile", "", "write the driver's own CPU profile here (the service's: VALTUUS_PPROF_ADDR)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./tools/loadtest [flags]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if fs.NArg() > 0 || o.clients < 1 || o.rate < 0 || o.duration <= 0 {
		fmt.Fprintln(os.Stderr, "loadtest: bad arguments (see -h)")
		os.Exit(2)
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	rig := &rigTB{}
	defer rig.cleanup()
	ok, err := run(rig, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		rig.cleanup()
		os.Exit(1)
	}
	if !ok {
		rig.cleanup()
		os.Exit(3) // the run finished but a check failed (5xx, a lost or doubled reply)
	}
}

// rigTB lets the test fakes run outside a test: they need Helper, Cleanup and Fatalf only.
type rigTB struct {
	testing.TB
	mu  sync.Mutex
	fns []func()
}

func (r *rigTB) Helper() {}
func (r *rigTB) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fns = append(r.fns, f)
}
func (r *rigTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (r *rigTB) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }
func (r *rigTB) cleanup() {
	r.mu.Lock()
	fns := r.fns
	r.fns = nil
	r.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

// tracker matches replies arriving at the fake connector with the activities that caused them.
type tracker struct {
	mu      sync.Mutex
	sentAt  map[string]time.Time // activity id → when it was posted
	replies map[string]int       // activity id → replies arrived
	lat     []time.Duration      // send → reply, for replies inside the window
	window  atomic.Bool
	inWin   atomic.Int64 // replies arrived inside the window
}

func (t *tracker) sent(id string, at time.Time) {
	t.mu.Lock()
	t.sentAt[id] = at
	t.mu.Unlock()
}

func (t *tracker) arrived(c fakeconnector.Call) {
	now := time.Now()
	id := c.Activity.ReplyToID
	if id == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.replies[id]++
	if t.window.Load() {
		t.inWin.Add(1)
		if at, ok := t.sentAt[id]; ok && t.replies[id] == 1 {
			t.lat = append(t.lat, now.Sub(at))
		}
	}
}

type result struct {
	mu       sync.Mutex
	statuses map[int]int
	slow     int // answered later than the SLO
	answered []time.Duration
	errs     int
	firstErr string
	inWindow bool
}

func run(rig *rigTB, o options) (bool, error) {
	dir, err := os.MkdirTemp("", "valtuusbotti-loadtest-")
	if err != nil {
		return false, err
	}
	rig.Cleanup(func() { _ = os.RemoveAll(dir) })
	if o.bin == "" {
		o.bin = filepath.Join(dir, "valtuusbotti")
		build := exec.Command("go", "build", "-o", o.bin, "./cmd/valtuusbotti")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return false, fmt.Errorf("build: %w", err)
		}
	}

	idp := fakeidp.New(rig)
	conn := fakeconnector.New(rig)
	conn.Lean() // the tracker needs each reply's replyToId only
	tr := &tracker{sentAt: map[string]time.Time{}, replies: map[string]int{}}
	conn.FailWhen(func(c fakeconnector.Call) *fakeconnector.Fault { tr.arrived(c); return nil })
	stopReset := make(chan struct{})
	go func() { // the fake keeps every call; the tracker has what the run needs
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				conn.Reset()
			case <-stopReset:
				return
			}
		}
	}()
	defer close(stopReset)
	authority, certFile, err := startAuthority(rig, dir)
	if err != nil {
		return false, err
	}

	port, err := freePort()
	if err != nil {
		return false, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	db := o.database
	if db == "" {
		db = "sqlite:" + filepath.Join(dir, "loadtest.db")
	}
	cmd := exec.Command(o.bin, "serve")
	cmd.Env = append(os.Environ(),
		"VALTUUS_LISTEN_ADDR="+addr,
		"VALTUUS_BOT_APP_ID="+fakeidp.DefaultAppID,
		"VALTUUS_BOT_TENANT_ID="+rigTenant,
		"VALTUUS_CREDENTIAL=secret",
		"VALTUUS_CLIENT_SECRET=load-test-rig",
		"AZURE_AUTHORITY_HOST="+authority,
		"VALTUUS_DISABLE_INSTANCE_DISCOVERY=true",
		"SSL_CERT_FILE="+certFile,
		"VALTUUS_OPENID_METADATA_URL="+idp.MetadataURL,
		"VALTUUS_DATABASE_URL="+db,
		"VALTUUS_REDIS_URL="+o.redis,
		"VALTUUS_REDIS_PREFIX=loadtest-"+strconv.FormatInt(time.Now().UnixNano(), 36)+":",
		"VALTUUS_TEAMS_TENANT_RPS="+strconv.Itoa(o.tenantRPS),
		"VALTUUS_LOG_LEVEL=warn",
		"VALTUUS_LOG_FORMAT=json",
	)
	var logs bytes.Buffer
	cmd.Stdout = io.Discard
	cmd.Stderr = &logs
	if o.keepLogs {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		return false, fmt.Errorf("start %s: %w", o.bin, err)
	}
	rig.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	base := "http://" + addr
	if err := waitReady(base, 30*time.Second); err != nil {
		return false, fmt.Errorf("%w; service log:\n%s", err, tail(logs.String(), 20))
	}

	auth := idp.AuthHeader(fakeidp.TokenOptions{ServiceURL: conn.URL})
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: 90 * time.Second, DisableCompression: true}}
	var seq atomic.Int64
	runID := strconv.FormatInt(time.Now().UnixNano(), 36)
	res := &result{statuses: map[int]int{}}

	send := func() {
		n := seq.Add(1)
		id := fmt.Sprintf("lt-%s-%d", runID, n)
		person := fmt.Sprintf("1a000000-0000-4000-8000-%012d", 1)
		if o.newPeople {
			person = fmt.Sprintf("1a%06x-0000-4000-8000-%012d", n>>40, n&0xffffffffff)
		}
		body, _ := json.Marshal(map[string]any{
			"type": "message", "id": id, "timestamp": time.Now().UTC().Format(time.RFC3339Nano),
			"serviceUrl": conn.URL, "channelId": "msteams",
			"from":         map[string]any{"id": "29:" + person, "name": "Kuormitus Testaaja", "aadObjectId": person},
			"conversation": map[string]any{"id": "a:lt-" + person, "conversationType": "personal", "tenantId": rigTenant},
			"recipient":    map[string]any{"id": "28:" + fakeidp.DefaultAppID, "name": "Valtuusbotti"},
			"locale":       "fi-FI", "text": o.text,
			"channelData": map[string]any{"tenant": map[string]any{"id": rigTenant}},
		})
		req, _ := http.NewRequest(http.MethodPost, base+"/api/messages", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		start := time.Now()
		tr.sent(id, start)
		resp, err := client.Do(req)
		took := time.Since(start)
		res.mu.Lock()
		defer res.mu.Unlock()
		if err != nil {
			res.errs++
			if res.firstErr == "" {
				res.firstErr = err.Error()
			}
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if !res.inWindow {
			return
		}
		res.statuses[resp.StatusCode]++
		res.answered = append(res.answered, took)
		if took > o.answerSLO {
			res.slow++
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	if o.rate > 0 {
		wg.Go(func() {
			interval := time.Duration(float64(time.Second) / o.rate)
			sem := make(chan struct{}, o.maxWorkers)
			next := time.Now()
			for ctx.Err() == nil {
				next = next.Add(interval)
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
				select {
				case sem <- struct{}{}:
					wg.Go(func() { send(); <-sem })
				default: // more in flight than allowed: the service is not keeping up; counted as not sent
				}
			}
		})
	} else {
		for range o.clients {
			wg.Go(func() {
				for ctx.Err() == nil {
					send()
				}
			})
		}
	}

	time.Sleep(o.warmup)
	load0 := loadavg()
	cpu0, err := cpuTicks(cmd.Process.Pid)
	if err != nil {
		cancel()
		return false, err
	}
	res.mu.Lock()
	res.inWindow = true
	res.mu.Unlock()
	tr.window.Store(true)
	t0 := time.Now()
	time.Sleep(o.duration)
	tr.window.Store(false)
	res.mu.Lock()
	res.inWindow = false
	res.mu.Unlock()
	elapsed := time.Since(t0)
	cpu1, err := cpuTicks(cmd.Process.Pid)
	if err != nil {
		cancel()
		return false, err
	}
	load1 := loadavg()
	cancel()
	wg.Wait()
	rss, _ := peakRSS(cmd.Process.Pid)

	// Let the outbox deliver what the limits held back, then check every activity's replies.
	deadline := time.Now().Add(o.drain)
	var missing, doubled int
	for {
		tr.mu.Lock()
		missing, doubled = 0, 0
		for id := range tr.sentAt {
			switch n := tr.replies[id]; {
			case n == 0:
				missing++
			case n > 1:
				doubled++
			}
		}
		tr.mu.Unlock()
		if missing == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}

	tr.mu.Lock()
	lat := slices.Clone(tr.lat)
	sentTotal := len(tr.sentAt)
	tr.mu.Unlock()
	slices.Sort(lat)
	res.mu.Lock()
	defer res.mu.Unlock()
	slices.Sort(res.answered)
	replies := tr.inWin.Load()
	ticks := cpu1 - cpu0
	mode := fmt.Sprintf("closed loop, %d clients", o.clients)
	if o.rate > 0 {
		mode = fmt.Sprintf("open loop, %.0f activities/s offered", o.rate)
	}
	people := "one returning person"
	if o.newPeople {
		people = "a new person every activity"
	}
	dbName := "SQLite"
	if strings.HasPrefix(db, "postgres") {
		dbName = "PostgreSQL"
	}
	fmt.Printf("mode:              %s, %s, %q, %s, tenant budget %s\n", mode, people, o.text, dbName, budget(o.tenantRPS))
	fmt.Printf("load average:      %s at start, %s at end (other work on the machine)\n", load0, load1)
	fmt.Printf("measured:          %s\n", elapsed.Round(time.Millisecond))
	fmt.Printf("replies/s:         %.0f (%d replies)\n", float64(replies)/elapsed.Seconds(), replies)
	fmt.Printf("send→reply:        p50 %s  p99 %s  max %s\n", pct(lat, 50), pct(lat, 99), pct(lat, 100))
	fmt.Printf("send→answer:       p50 %s  p99 %s  max %s; %d of %d later than %s\n",
		pct(res.answered, 50), pct(res.answered, 99), pct(res.answered, 100), res.slow, len(res.answered), o.answerSLO)
	if replies > 0 {
		fmt.Printf("CPU per reply:     %.3f ms (service: %d ticks of 10 ms over %s)\n",
			float64(ticks)*10/float64(replies), ticks, elapsed.Round(time.Millisecond))
	}
	if n := len(res.answered); n > 0 {
		fmt.Printf("CPU per turn:      %.3f ms (%d turns answered in the window)\n", float64(ticks)*10/float64(n), n)
	}
	fmt.Printf("peak RSS:          %.1f MiB\n", float64(rss)/1024)
	fmt.Printf("answers:           %s; transport errors %d %s\n", statusLine(res.statuses), res.errs, res.firstErr)
	fmt.Printf("delivery:          %d activities sent in all, %d without a reply after %s of drain, %d with more than one\n",
		sentTotal, missing, o.drain, doubled)
	ok := res.errs == 0 && doubled == 0 && missing == 0
	for s := range res.statuses {
		if s >= 500 {
			ok = false
		}
	}
	if !ok {
		fmt.Println("CHECK FAILED: a 5xx or transport error, a lost reply or a doubled one")
		if !o.keepLogs {
			fmt.Fprintln(os.Stderr, tail(logs.String(), 20))
		}
	}
	return ok, nil
}

func budget(rps int) string {
	if rps == 0 {
		return "lifted (VALTUUS_TEAMS_TENANT_RPS=0)"
	}
	return fmt.Sprintf("%d/s", rps)
}

func statusLine(m map[int]int) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d×%d", m[k], k))
	}
	return strings.Join(parts, " ")
}

func pct(sorted []time.Duration, p int) string {
	if len(sorted) == 0 {
		return "-"
	}
	i := min(len(sorted)-1, len(sorted)*p/100)
	return sorted[i].Round(10 * time.Microsecond).String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitReady(base string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return errors.New("the service did not become ready")
}

// cpuTicks is the process's user+system CPU time in clock ticks (10 ms on Linux), from /proc/<pid>/stat.
func cpuTicks(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; the fields after its closing parenthesis are fixed.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	return utime + stime, errors.Join(err1, err2)
}

// peakRSS is VmHWM in KiB.
func peakRSS(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, errors.New("no VmHWM")
}

func loadavg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(raw))
	return strings.Join(f[:min(3, len(f))], " ")
}

// startAuthority serves an Entra ID tenant's OpenID configuration and token endpoint over TLS with a certificate
// made here, written to certFile for the service to trust (SSL_CERT_FILE). Every client-credentials request gets a
// token for an hour.
func startAuthority(rig *rigTB, dir string) (authority, certFile string, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "loadtest authority"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", err
	}
	certFile = filepath.Join(dir, "authority.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		return "", "", err
	}
	mux := http.NewServeMux()
	var base string
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		t := r.PathValue("tenant")
		writeJSON(w, map[string]any{
			"token_endpoint":         base + t + "/oauth2/v2.0/token",
			"authorization_endpoint": base + t + "/oauth2/v2.0/authorize",
			"issuer":                 base + t + "/v2.0",
		})
	})
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600,
			"access_token": "load-test-rig-token"})
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	rig.Cleanup(srv.Close)
	base = srv.URL + "/"
	return base, certFile, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
