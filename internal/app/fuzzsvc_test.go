package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
)

// fuzzServiceURL is the serviceUrl of the fuzz activities. It is loopback, so the anonymous service accepts it; the
// service's outbound transport sends every request to the fake connector whatever its host and port, which keeps
// the corpus independent of the port the fake happens to get.
const fuzzServiceURL = "http://127.0.0.1:3979/"

// fuzzRebuildEvery bounds how long one service lives: its database, its ephemeral state and how far its clock has
// run. The clock steps past the de-duplication window on every turn, so an entry expires before the next turn and
// memory stays flat; a rebuild every few thousand turns keeps the dates near today's and the database small.
const fuzzRebuildEvery = 3000

// fuzzService is the real service in local anonymous mode (no app id, SQLite, in-memory state), answering in
// process: the fuzz target calls its handler with a recorder, not over TCP. With VALTUUS_FUZZ_POSTGRES=1 it runs on
// PostgreSQL instead (VALTUUS_TEST_POSTGRES_DSN), where text has limits SQLite does not have.
type fuzzService struct {
	conn *fakeconnector.Server
	dir  string
	hc   *http.Client
	logs *syncBuffer

	mu      sync.Mutex // one turn at a time; a rebuild replaces the app
	app     *app.App
	db      string
	dsn     string // a database other than the SQLite file (PostgreSQL); the service is then never rebuilt
	turns   int
	step    atomic.Int64
	seq     atomic.Int64
	builds  int
	fixture fuzzFixture
}

// fuzzFixture is what the set-up turns left in the register: requests the seeds can name.
type fuzzFixture struct {
	pending int64 // Elina's request, waiting for Sami
}

func newFuzzService(tb testing.TB) *fuzzService {
	tb.Helper()
	conn := fakeconnector.New(tb)
	addr := strings.TrimPrefix(conn.URL, "http://")
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", addr)
		},
		MaxIdleConnsPerHost: 8,
	}
	tb.Cleanup(transport.CloseIdleConnections)
	s := &fuzzService{conn: conn, dir: tb.TempDir(), hc: &http.Client{Transport: transport, Timeout: 10 * time.Second},
		logs: &syncBuffer{}}
	if os.Getenv("VALTUUS_FUZZ_POSTGRES") == "1" {
		// Production's database: a fresh schema on VALTUUS_TEST_POSTGRES_DSN's server.
		s.dsn = sqltest.PostgresDSN(tb)
	}
	if err := s.build(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.mu.Lock(); defer s.mu.Unlock(); s.close() })
	return s
}

// now is the service's clock: 61 minutes further on every turn, past the de-duplication window and the turn limit.
func (s *fuzzService) now() time.Time {
	return clock.Start.Add(time.Duration(s.step.Load()) * 61 * time.Minute)
}

// build boots a fresh service (new database, new state, the clock back at its start) and runs the set-up turns.
func (s *fuzzService) build() error {
	s.builds++
	s.db = filepath.Join(s.dir, fmt.Sprintf("bot-%d.db", s.builds))
	s.step.Store(0)
	env := map[string]string{
		"VALTUUS_LISTEN_ADDR":  "127.0.0.1:3978",
		"VALTUUS_DATABASE_URL": "sqlite:" + s.db,
	}
	if s.dsn != "" {
		env["VALTUUS_DATABASE_URL"] = s.dsn
	}
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return err
	}
	if !cfg.Anonymous() {
		return errors.New("fuzz service is not in anonymous mode")
	}
	opts := app.Options{
		Logger:         slog.New(slog.NewJSONHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
		Now:            s.now,
		HTTPClient:     s.hc,
		TurnsPerMinute: 1 << 30,
		Outbox:         app.OutboxTuning{Paused: true},
		Connector:      app.ConnectorTuning{MaxAttempts: 2, BaseBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond},
	}
	opts.RateLimits.Disabled = true
	if s.app, err = app.New(context.Background(), cfg, opts); err != nil {
		return err
	}
	s.turns = 0
	return s.setUp()
}

// close releases the current service and its database file.
func (s *fuzzService) close() {
	if s.app == nil {
		return
	}
	s.app.Close()
	s.app = nil
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(s.db + suffix)
	}
}

// setUp makes the people known and leaves a pending request, so that verbs naming a request reach the rules.
func (s *fuzzService) setUp() error {
	for _, who := range []string{elina, sami, helena, mikael, oskar, leo} {
		if _, err := s.setUpTurn(s.activity(fuzzMessage, who, "hei")); err != nil {
			return err
		}
	}
	inv := s.activity(fuzzInvoke, elina, "")
	setAction(inv, "intakeSubmit", json.RawMessage(`{"tasks_palkat-henkilosto":"palkkatietojen-ilmoittaminen"}`))
	if _, err := s.setUpTurn(inv); err != nil {
		return err
	}
	inv = s.activity(fuzzInvoke, elina, "")
	setAction(inv, "requestSubmit", json.RawMessage(`{"taskIds":["palkkatietojen-ilmoittaminen"],`+
		`"justification":"Vastaan palkkailmoituksista.","validUntil":"2027-06-30"}`))
	body, err := s.setUpTurn(inv)
	if err != nil {
		return err
	}
	if !bytes.Contains(body, []byte(`"requestId":`)) {
		return fmt.Errorf("set-up request not submitted: %s", body)
	}
	s.fixture.pending = 1
	s.conn.Reset()
	return nil
}

func (s *fuzzService) setUpTurn(act map[string]any) ([]byte, error) {
	raw, _ := json.Marshal(act)
	rec := s.serve(raw)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("set-up turn: status %d: %s\n%s", rec.Code, rec.Body, s.logs)
	}
	return rec.Body.Bytes(), nil
}

// turn posts body to /api/messages; it rebuilds the service first when the current one has served its share.
func (s *fuzzService) turn(body []byte) (*httptest.ResponseRecorder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.turns >= fuzzRebuildEvery && s.dsn == "" {
		s.close()
		if err := s.build(); err != nil {
			return nil, err
		}
	}
	s.turns++
	if s.turns%100 == 0 {
		s.conn.Reset()
	}
	s.logs.Reset()
	return s.serve(body), nil
}

func (s *fuzzService) serve(body []byte) *httptest.ResponseRecorder {
	s.step.Add(1)
	req := httptest.NewRequest(http.MethodPost, "/api/messages", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.app.Handler.ServeHTTP(rec, req)
	return rec
}

// The shapes of structured fuzz activities: the low three bits of the shape byte; the next three pick the sender.
const (
	fuzzMessage = iota
	fuzzInvoke
	fuzzBotAdded
	fuzzInstall
	fuzzChannelMessage
	fuzzGroupInvoke
	fuzzUninstall
	fuzzRaw // the patch is the whole body
)

// fuzzPeople are the senders: demo people, a stranger the directory does not know, and nobody (no aadObjectId).
var fuzzPeople = []string{elina, sami, helena, mikael, oskar, leo, "0badc0de-0000-4000-8000-00000000dead", ""}

// activity builds a Teams-shaped activity of the given shape from who, with a fresh id.
func (s *fuzzService) activity(shape int, who, text string) map[string]any {
	n := s.seq.Add(1)
	from := map[string]any{"id": "29:" + who, "name": "Teams User"}
	if who != "" {
		from["aadObjectId"] = who
	}
	act := map[string]any{
		"type": "message", "id": fmt.Sprintf("fuzz-%d", n), "timestamp": "2026-11-25T08:00:00.000Z",
		"serviceUrl": fuzzServiceURL, "channelId": "msteams", "from": from, "locale": "fi-FI", "text": text,
		"conversation": map[string]any{"id": "a:personal-" + who, "conversationType": "personal", "tenantId": tenant},
		"recipient":    map[string]any{"id": botName, "name": "Valtuusbotti"},
		"channelData":  map[string]any{"tenant": map[string]any{"id": tenant}},
	}
	channel := map[string]any{"id": "19:general@thread.tacv2", "conversationType": "channel", "isGroup": true,
		"tenantId": tenant}
	switch shape {
	case fuzzInvoke, fuzzGroupInvoke:
		act["type"], act["name"], act["replyToId"] = "invoke", "adaptiveCard/action", "card-msg-1"
		setAction(act, "", nil)
		if shape == fuzzGroupInvoke {
			act["conversation"] = map[string]any{"id": "19:group@thread.v2", "conversationType": "groupChat",
				"isGroup": true, "tenantId": tenant}
		}
	case fuzzBotAdded:
		act["type"] = "conversationUpdate"
		act["membersAdded"] = []any{map[string]any{"id": botName}}
	case fuzzInstall, fuzzUninstall:
		act["type"], act["action"] = "installationUpdate", "add"
		if shape == fuzzUninstall {
			act["action"] = "remove"
		}
	case fuzzChannelMessage:
		act["conversation"] = channel
		act["channelData"] = map[string]any{"tenant": map[string]any{"id": tenant},
			"team": map[string]any{"id": "19:team@thread.tacv2"}, "channel": map[string]any{"id": "19:general@thread.tacv2"}}
		act["text"] = "<at>Valtuusbotti</at> " + text
		act["entities"] = []any{map[string]any{"type": "mention", "text": "<at>Valtuusbotti</at>",
			"mentioned": map[string]any{"id": botName, "name": "Valtuusbotti"}}}
	}
	return act
}

// setAction makes act's value the Action.Execute of verb with data (raw JSON; nil leaves data out).
func setAction(act map[string]any, verb string, data json.RawMessage) {
	action := map[string]any{"type": "Action.Execute", "verb": verb}
	if data != nil {
		action["data"] = data
	}
	act["value"] = map[string]any{"action": action, "trigger": "manual"}
}
