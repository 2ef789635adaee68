// Package fakeconnector is an in-process fake of the Bot Framework Connector REST API (the
// service behind an activity's serviceUrl) for tests. It records every request, assigns
// activity and conversation ids, answers with the JSON shapes Teams uses, and can inject
// failures (a number of failed calls, an outage window, or a per-call rule) so retry and
// error paths can be exercised without a network.
//
// Routes served (all under the server root, which is the serviceUrl):
//
//	POST   /v3/conversations                                → 201 {"id", "activityId"?}
//	POST   /v3/conversations/{conversationId}/activities    → 201 {"id"}
//	POST   /v3/conversations/{conversationId}/activities/{replyToId} → 201 {"id"}
//	PUT    /v3/conversations/{conversationId}/activities/{activityId} → 200 {"id"}
//	DELETE /v3/conversations/{conversationId}/activities/{activityId} → 200
//
// Anything else answers 404. Error bodies follow the connector's
// {"error":{"code","message"}} shape.
package fakeconnector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// Call is one request the fake received.
type Call struct {
	Method string
	Path   string // decoded request path
	// ConversationID is the conversation path segment without any ";messageid=" suffix.
	ConversationID string
	// RootMessageID is the ";messageid=" suffix of the conversation segment, set for replies
	// inside a channel thread.
	RootMessageID string
	// ActivityID is the id the fake assigned to a posted activity, or the target of PUT/DELETE.
	ActivityID string
	// ReplyToID is the {replyToId} of POST .../activities/{replyToId}.
	ReplyToID string
	// Activity is the decoded body of activity calls, and the first message of a created
	// conversation.
	Activity schema.Activity
	// Params is the decoded body of POST /v3/conversations.
	Params *schema.ConversationParameters
	Raw    []byte // request body as received
	Auth   string // Authorization header as received
	Status int    // status the fake answered
}

// Fault is a failure the fake answers instead of handling a call.
type Fault struct {
	Status     int
	RetryAfter string // Retry-After header value; empty = none
	Code       string // error.code in the body; empty = derived from Status
	Message    string // error.message in the body; empty = status text
}

type callKind int

const (
	kindUnknown callKind = iota
	kindCreate
	kindSend
	kindReply
	kindUpdate
	kindDelete
)

// Server is the fake connector. All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to use as the activities' serviceUrl.
	URL string

	srv *httptest.Server

	mu         sync.Mutex
	calls      []Call
	kinds      []callKind
	nextAct    int
	nextChat   int
	nextThread int
	failN      int
	failFault  Fault
	outage     *Fault
	failWhen   func(Call) *Fault
	token      string
	lean       atomic.Bool   // decode only an activity's type and replyToId (Lean)
	changed    chan struct{} // closed and replaced whenever a call is recorded
}

// New starts a fake connector that is shut down when tb's test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{changed: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v3/conversations", func(w http.ResponseWriter, r *http.Request) {
		s.handle(w, r, kindCreate, "", "")
	})
	mux.HandleFunc("POST /v3/conversations/{conv}/activities", func(w http.ResponseWriter, r *http.Request) {
		s.handle(w, r, kindSend, r.PathValue("conv"), "")
	})
	mux.HandleFunc("POST /v3/conversations/{conv}/activities/{act}", func(w http.ResponseWriter, r *http.Request) {
		s.handle(w, r, kindReply, r.PathValue("conv"), r.PathValue("act"))
	})
	mux.HandleFunc("PUT /v3/conversations/{conv}/activities/{act}", func(w http.ResponseWriter, r *http.Request) {
		s.handle(w, r, kindUpdate, r.PathValue("conv"), r.PathValue("act"))
	})
	mux.HandleFunc("DELETE /v3/conversations/{conv}/activities/{act}", func(w http.ResponseWriter, r *http.Request) {
		s.handle(w, r, kindDelete, r.PathValue("conv"), r.PathValue("act"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.handle(w, r, kindUnknown, "", "")
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// RequireToken makes every later call without "Authorization: Bearer <token>" answer 401.
// An empty token turns the check off.
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = token
}

// FailNext makes the next n calls answer status, with a Retry-After header when retryAfter
// is not empty. It replaces any earlier FailNext that has not run out.
func (s *Server) FailNext(n int, status int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN = n
	s.failFault = Fault{Status: status, RetryAfter: retryAfter}
}

// Outage makes every call answer status (with Retry-After when not empty) until the
// returned function is called. Calls made during the outage are recorded with that status.
func (s *Server) Outage(status int, retryAfter string) (end func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &Fault{Status: status, RetryAfter: retryAfter}
	s.outage = f
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.outage == f {
			s.outage = nil
		}
	}
}

// FailWhen installs a rule consulted for every call after RequireToken, FailNext and
// Outage: a non-nil Fault is answered instead of handling the call. The Call passed has
// the request fields filled in but no assigned ids. The rule runs with the server's lock
// held: it must not call the Server. nil removes the rule.
func (s *Server) FailWhen(rule func(Call) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failWhen = rule
}

// Lean makes the server decode only the type and replyToId of the activities it receives (the body must still be
// a JSON object): a load driver sharing the machine with the service then spends its CPU on sending, not on
// decoding every card it gets back. The other fields of a recorded Call.Activity stay empty.
func (s *Server) Lean() { s.lean.Store(true) }

// Reset forgets the recorded calls, so long runs (fuzzing) do not keep every request in memory. Faults, the
// required token and the id counters stay as they are.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls, s.kinds = nil, nil
}

// Calls returns every recorded call, failed ones included, in arrival order.
func (s *Server) Calls() []Call {
	return s.filter(func(callKind, Call) bool { return true })
}

// Sent returns the successful activity posts (new messages, replies and thread replies).
func (s *Server) Sent() []Call {
	return s.filter(func(k callKind, c Call) bool { return (k == kindSend || k == kindReply) && ok(c) })
}

// Updated returns the successful activity updates (PUT).
func (s *Server) Updated() []Call {
	return s.filter(func(k callKind, c Call) bool { return k == kindUpdate && ok(c) })
}

// Deleted returns the successful activity deletions.
func (s *Server) Deleted() []Call {
	return s.filter(func(k callKind, c Call) bool { return k == kindDelete && ok(c) })
}

// Created returns the successful conversation creations (1:1 chats and channel threads).
func (s *Server) Created() []Call {
	return s.filter(func(k callKind, c Call) bool { return k == kindCreate && ok(c) })
}

// WaitForSent waits until at least n activities were sent and returns Sent(). It fails tb
// when timeout passes first. Call it from the test's goroutine.
func (s *Server) WaitForSent(tb testing.TB, n int, timeout time.Duration) []Call {
	tb.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		// Read after taking the channel so that a call recorded in between closes it.
		if sent := s.Sent(); len(sent) >= n {
			return sent
		}
		select {
		case <-changed:
		case <-timer.C:
			sent := s.Sent()
			tb.Fatalf("fakeconnector: %d activities sent within %v, want %d", len(sent), timeout, n)
			return sent
		}
	}
}

func ok(c Call) bool { return c.Status >= 200 && c.Status < 300 }

func (s *Server) filter(keep func(callKind, Call) bool) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for i, c := range s.calls {
		if keep(s.kinds[i], c) {
			out = append(out, c)
		}
	}
	return out
}

// maxBody bounds what the fake reads; Teams refuses much smaller activities anyway.
const maxBody = 4 << 20

func (s *Server) handle(w http.ResponseWriter, r *http.Request, kind callKind, conv, act string) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	c := Call{
		Method: r.Method,
		Path:   r.URL.Path,
		Raw:    raw,
		Auth:   r.Header.Get("Authorization"),
	}
	c.ConversationID, c.RootMessageID, _ = strings.Cut(conv, ";messageid=")
	switch kind {
	case kindReply:
		c.ReplyToID = act
	case kindUpdate, kindDelete:
		c.ActivityID = act
	}

	var fault *Fault
	if err != nil {
		fault = &Fault{Status: http.StatusBadRequest, Code: "BadArgument", Message: "unreadable body"}
	} else {
		fault = decodeBody(kind, raw, &c, s.lean.Load())
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.token != "" && c.Auth != "Bearer "+s.token:
		fault = &Fault{Status: http.StatusUnauthorized, Code: "Unauthorized", Message: "Authorization has been denied for this request."}
	case s.failN > 0:
		s.failN--
		f := s.failFault
		fault = &f
	case s.outage != nil:
		f := *s.outage
		fault = &f
	case fault != nil:
		// The request itself is bad.
	case s.failWhen != nil:
		fault = s.failWhen(c)
	}
	if fault == nil && kind == kindUnknown {
		fault = &Fault{Status: http.StatusNotFound, Code: "NotFound", Message: "no such route in fakeconnector"}
	}

	var status int
	var resp any
	if fault != nil {
		status = fault.Status
		resp = errorBody(*fault)
		if fault.RetryAfter != "" {
			w.Header().Set("Retry-After", fault.RetryAfter)
		}
	} else {
		status, resp = s.answer(kind, &c)
	}
	c.Status = status
	s.calls = append(s.calls, c)
	s.kinds = append(s.kinds, kind)
	close(s.changed)
	s.changed = make(chan struct{})

	if resp == nil {
		w.WriteHeader(status)
		return
	}
	body, _ := json.Marshal(resp)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// decodeBody fills c from the request body and returns a 400 fault for what Teams rejects.
func decodeBody(kind callKind, raw []byte, c *Call, lean bool) *Fault {
	bad := func(msg string) *Fault {
		return &Fault{Status: http.StatusBadRequest, Code: "BadArgument", Message: msg}
	}
	if lean && (kind == kindSend || kind == kindReply || kind == kindUpdate) {
		var a struct {
			Type      string `json:"type"`
			ReplyToID string `json:"replyToId"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			return bad("invalid activity JSON: " + err.Error())
		}
		c.Activity.Type, c.Activity.ReplyToID = schema.ActivityTypes(a.Type), a.ReplyToID
		if a.Type == "" {
			return bad("activity type is required")
		}
		return nil
	}
	switch kind {
	case kindSend, kindReply, kindUpdate:
		if err := json.Unmarshal(raw, &c.Activity); err != nil {
			return bad("invalid activity JSON: " + err.Error())
		}
		if c.Activity.Type == "" {
			return bad("activity type is required")
		}
	case kindCreate:
		var p schema.ConversationParameters
		if err := json.Unmarshal(raw, &p); err != nil {
			return bad("invalid conversation parameters JSON: " + err.Error())
		}
		c.Params = &p
		c.Activity = p.Activity
		if p.IsGroup {
			if channelID(p.ChannelData) == "" {
				return bad("channelData.channel.id is required for a channel conversation")
			}
		} else {
			if len(p.Members) != 1 || p.Members[0].ID == "" {
				return bad("exactly one member is required for a personal conversation")
			}
			if p.TenantID == "" && tenantID(p.ChannelData) == "" {
				return bad("tenant id is required")
			}
		}
	}
	return nil
}

// answer handles a successful call and assigns ids. Called with s.mu held.
func (s *Server) answer(kind callKind, c *Call) (int, any) {
	switch kind {
	case kindSend, kindReply:
		s.nextAct++
		c.ActivityID = "act-" + strconv.Itoa(s.nextAct)
		return http.StatusCreated, schema.ResourceResponse{ID: c.ActivityID}
	case kindUpdate:
		return http.StatusOK, schema.ResourceResponse{ID: c.ActivityID}
	case kindDelete:
		return http.StatusOK, nil
	case kindCreate:
		res := schema.ConversationResourceResponse{}
		if c.Params.IsGroup {
			s.nextThread++
			res.ID = fmt.Sprintf("19:thread-%d@thread.tacv2", s.nextThread)
		} else {
			s.nextChat++
			res.ID = fmt.Sprintf("a:conv-%d", s.nextChat)
		}
		c.ConversationID = res.ID
		if c.Activity.Type != "" {
			s.nextAct++
			c.ActivityID = "act-" + strconv.Itoa(s.nextAct)
			res.ActivityID = c.ActivityID
		}
		return http.StatusCreated, res
	}
	return http.StatusNotFound, nil
}

func errorBody(f Fault) schema.ErrorResponse {
	code, msg := f.Code, f.Message
	if code == "" {
		code = strings.ReplaceAll(http.StatusText(f.Status), " ", "")
	}
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	return schema.ErrorResponse{Error: schema.Error{Code: code, Message: msg}}
}

func channelID(cd map[string]any) string { return nestedID(cd, "channel") }
func tenantID(cd map[string]any) string  { return nestedID(cd, "tenant") }

func nestedID(cd map[string]any, key string) string {
	m, _ := cd[key].(map[string]any)
	id, _ := m["id"].(string)
	return id
}

// String summarises the server's recorded traffic, for failure messages.
func (s *Server) String() string {
	var b bytes.Buffer
	for _, c := range s.Calls() {
		fmt.Fprintf(&b, "%s %s -> %d\n", c.Method, c.Path, c.Status)
	}
	return b.String()
}
