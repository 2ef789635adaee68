// Package fakegraph is an in-process fake of the slice of Microsoft Graph v1.0 that the bot uses:
// GET /users/{id}, /users/{id}/manager and /users/{id}/directReports, GET /users?$filter= on mail, user principal name
// and display name, GET /users/delta (see delta.go), answering with Graph's JSON shapes
// (@odata.context, @odata.type, @odata.nextLink paging, $select, Graph error bodies), and
// POST /users/{id}/teamwork/installedApps, installing a Teams app from a fake org catalog for a user.
//
// It can demand a bearer token, throttle or fail the next requests, and records every request, so tests of a
// Graph client (the real SDK included) can check what was sent. It deliberately does not import the Graph SDK, so
// tests that use it do not link the SDK.
package fakegraph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// DefaultPageSize is how many direct reports one page holds unless SetPageSize or $top says otherwise (Graph's
// default for directReports is 100).
const DefaultPageSize = 100

// User is a person in the fake directory.
type User struct {
	domain.User
	ManagerID string // object id of the manager; "" for none
	// UserPrincipalName defaults to Mail. Mail "" makes Graph's mail null (then clients fall back to the UPN).
	UserPrincipalName string
	// UserType is Graph's userType: "" (Member) or "Guest".
	UserType string
}

// Request is one request the fake received.
type Request struct {
	Method       string
	Path         string     // e.g. /v1.0/users/{id}/manager
	Query        url.Values // decoded: "$select", "$skiptoken"…
	Bearer       string     // the token of the Authorization: Bearer header; "" when none
	RetryAttempt string     // the Retry-Attempt header kiota's retry handler sets on a retry
	Body         []byte     // the request body, gunzipped when it came with Content-Encoding: gzip
	Status       int        // the status the fake answered
}

// Server is the fake Graph. Its methods are safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	users     map[string]*User // by lower-case object id
	order     []string         // object ids in the order they were added: the order of direct reports
	contacts  map[string][]orgContact
	bearer    string
	failures  []failure
	pageSize  int
	requests  []Request
	requestNo int

	catalog   map[string]bool // Teams app catalog ids (lower case) that can be installed
	installed map[Install]bool
	installs  []Install

	delta deltaState // users/delta: the change log, the delta tokens issued and the rounds being paged
}

type orgContact struct{ id, displayName string }

type failure struct {
	status     int
	retryAfter string
}

// New starts a fake Graph with the given people; it is closed when the test ends.
func New(tb testing.TB, users ...User) *Server {
	tb.Helper()
	s := &Server{
		users:     make(map[string]*User),
		contacts:  make(map[string][]orgContact),
		pageSize:  DefaultPageSize,
		catalog:   make(map[string]bool),
		installed: make(map[Install]bool),
	}
	for _, u := range users {
		s.Put(u)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.srv.Close)
	return s
}

// FromDirectory starts a fake Graph holding the people of a directory file (e.g. directory.LoadDemo()).
func FromDirectory(tb testing.TB, f *directory.File) *Server {
	tb.Helper()
	var users []User
	for _, e := range f.Entries() {
		users = append(users, User{User: e.User, ManagerID: e.ManagerID})
	}
	return New(tb, users...)
}

// URL returns the Graph base URL, like https://graph.microsoft.com/v1.0.
func (s *Server) URL() string { return s.srv.URL + "/v1.0" }

// Host returns the server's host name without the port ("127.0.0.1"): what a Graph client must list as an
// allowed host for its token to be sent.
func (s *Server) Host() string {
	u, _ := url.Parse(s.srv.URL)
	return u.Hostname()
}

// Close stops the server early (it is closed at the end of the test anyway), e.g. to test an unreachable Graph.
func (s *Server) Close() { s.srv.Close() }

// Put adds or replaces a person.
func (s *Server) Put(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := strings.ToLower(u.ID)
	old, ok := s.users[id]
	if !ok {
		s.order = append(s.order, id)
	}
	u.ManagerID = strings.ToLower(u.ManagerID)
	s.users[id] = &u
	s.track(id, old, &u)
}

// AddOrgContactReport makes an organisational contact (not a user) a direct report of the manager, as Entra
// allows: clients must skip it.
func (s *Server) AddOrgContactReport(managerID, contactID, displayName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := strings.ToLower(managerID)
	s.contacts[m] = append(s.contacts[m], orgContact{id: contactID, displayName: displayName})
}

// RequireBearer makes every later request without "Authorization: Bearer <token>" fail with 401, as Graph does.
func (s *Server) RequireBearer(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bearer = token
}

// Throttle answers the next n requests with 429 Too Many Requests and the Retry-After header (whole seconds).
func (s *Server) Throttle(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.failures = append(s.failures, failure{status: http.StatusTooManyRequests, retryAfter: strconv.Itoa(int(retryAfter / time.Second))})
	}
}

// FailNext answers the next n requests with the status (e.g. 503, 403) and a Graph error body.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < n; i++ {
		s.failures = append(s.failures, failure{status: status})
	}
}

// SetPageSize sets how many direct reports one page holds.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(n, 1)
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestNo++
	rec := Request{
		Method:       r.Method,
		Path:         r.URL.Path,
		Query:        r.URL.Query(),
		Bearer:       bearerToken(r.Header.Get("Authorization")),
		RetryAttempt: r.Header.Get("Retry-Attempt"),
	}
	a := &answer{w: w, r: r, requestID: fmt.Sprintf("00000000-0000-4000-a000-%012d", s.requestNo)}
	body, err := readBody(r)
	rec.Body = body
	if err != nil {
		a.error(http.StatusBadRequest, "BadRequest", "Cannot read the request body.")
	} else {
		s.route(a, rec)
	}
	rec.Status = a.status
	s.requests = append(s.requests, rec)
}

func (s *Server) route(a *answer, rec Request) {
	switch {
	case s.bearer != "" && rec.Bearer == "":
		a.error(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return
	case s.bearer != "" && rec.Bearer != s.bearer:
		a.error(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure.")
		return
	}
	if len(s.failures) > 0 {
		f := s.failures[0]
		s.failures = s.failures[1:]
		if f.retryAfter != "" {
			a.w.Header().Set("Retry-After", f.retryAfter)
		}
		code, msg := errorFor(f.status)
		a.error(f.status, code, msg)
		return
	}
	rest, ok := strings.CutPrefix(rec.Path, "/v1.0/")
	if !ok {
		a.error(http.StatusBadRequest, "BadRequest", "Invalid version.")
		return
	}
	seg := strings.Split(rest, "/")
	if len(seg) == 4 && seg[0] == "users" && seg[2] == "teamwork" && seg[3] == "installedApps" {
		if rec.Method != http.MethodPost {
			a.error(http.StatusMethodNotAllowed, "Request_BadRequest", "The fake Graph serves POST only on installedApps.")
			return
		}
		s.installApp(a, rec, seg[1])
		return
	}
	if rec.Method != http.MethodGet {
		a.error(http.StatusMethodNotAllowed, "Request_BadRequest", "The fake Graph serves GET only.")
		return
	}
	if len(seg) == 2 && seg[0] == "users" && (seg[1] == "delta" || seg[1] == "delta()") {
		s.serveDelta(a, rec)
		return
	}
	if len(seg) == 1 && seg[0] == "users" {
		s.listUsers(a, rec)
		return
	}
	if seg[0] != "users" || len(seg) < 2 || len(seg) > 3 || seg[1] == "" {
		a.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", seg[len(seg)-1]))
		return
	}
	fields, unknown := selected(rec.Query.Get("$select"))
	if unknown != "" {
		a.error(http.StatusBadRequest, "Request_BadRequest",
			fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.user'.", unknown))
		return
	}
	u, ok := s.users[strings.ToLower(seg[1])]
	if !ok {
		a.error(http.StatusNotFound, "Request_ResourceNotFound",
			fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", seg[1]))
		return
	}
	if len(seg) == 2 {
		body := userJSON(u, fields)
		body["@odata.context"] = s.URL() + "/$metadata#users" + selectSuffix(rec.Query.Get("$select")) + "/$entity"
		a.json(body)
		return
	}
	switch seg[2] {
	case "manager":
		m, ok := s.users[u.ManagerID]
		if u.ManagerID == "" || !ok {
			a.error(http.StatusNotFound, "Request_ResourceNotFound",
				"Resource 'manager' does not exist or one of its queried reference-property objects are not present.")
			return
		}
		body := userJSON(m, fields)
		body["@odata.context"] = s.URL() + "/$metadata#directoryObjects/$entity"
		body["@odata.type"] = "#microsoft.graph.user"
		a.json(body)
	case "directReports":
		s.directReports(a, rec, u, fields)
	default:
		a.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", seg[2]))
	}
}

// listUsers answers GET /users?$filter=…: the fake understands clauses "prop eq 'value'" joined by "or", over mail,
// userPrincipalName and displayName, compared in any case as Graph does; quotes in values are doubled (”).
func (s *Server) listUsers(a *answer, rec Request) {
	fields, unknown := selected(rec.Query.Get("$select"))
	if unknown != "" {
		a.error(http.StatusBadRequest, "Request_BadRequest",
			fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.user'.", unknown))
		return
	}
	clauses, ok := parseFilter(rec.Query.Get("$filter"))
	if !ok {
		a.error(http.StatusBadRequest, "Request_UnsupportedQuery", "Invalid filter clause.")
		return
	}
	top := 100
	if t := rec.Query.Get("$top"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 || n > 999 {
			a.error(http.StatusBadRequest, "Request_BadRequest", "Invalid page size specified: '"+t+"'.")
			return
		}
		top = n
	}
	value := []map[string]any{}
	for _, id := range s.order {
		u := s.users[id]
		upn := u.UserPrincipalName
		if upn == "" {
			upn = u.Mail
		}
		props := map[string]string{"mail": u.Mail, "userprincipalname": upn, "displayname": u.DisplayName}
		for _, c := range clauses {
			if len(value) < top && strings.EqualFold(props[c.prop], c.value) {
				value = append(value, userJSON(u, fields))
				break
			}
		}
	}
	a.json(map[string]any{"@odata.context": s.URL() + "/$metadata#users" + selectSuffix(rec.Query.Get("$select")), "value": value})
}

type filterClause struct{ prop, value string }

// parseFilter reads "p eq 'v' or p eq 'v'…"; ok is false for anything else, and for a value whose quotes are not
// doubled (what an unescaped value would send).
func parseFilter(f string) (out []filterClause, ok bool) {
	rest := strings.TrimSpace(f)
	for {
		prop, after, found := strings.Cut(rest, " eq '")
		prop = strings.ToLower(strings.TrimSpace(prop))
		if !found || (prop != "mail" && prop != "userprincipalname" && prop != "displayname") {
			return nil, false
		}
		var b strings.Builder
		i := 0
		for ; i < len(after); i++ {
			if after[i] == '\'' {
				if i+1 < len(after) && after[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				break
			}
			b.WriteByte(after[i])
		}
		if i >= len(after) {
			return nil, false
		}
		out = append(out, filterClause{prop: prop, value: b.String()})
		rest = strings.TrimSpace(after[i+1:])
		if rest == "" {
			return out, true
		}
		var more bool
		if rest, more = strings.CutPrefix(rest, "or "); !more {
			return nil, false
		}
	}
}

func (s *Server) directReports(a *answer, rec Request, manager *User, fields []string) {
	var all []map[string]any
	for _, id := range s.order {
		if u := s.users[id]; u.ManagerID == strings.ToLower(manager.ID) {
			o := userJSON(u, fields)
			o["@odata.type"] = "#microsoft.graph.user"
			all = append(all, o)
		}
	}
	for _, c := range s.contacts[strings.ToLower(manager.ID)] {
		all = append(all, map[string]any{"@odata.type": "#microsoft.graph.orgContact", "id": c.id, "displayName": c.displayName, "mail": nil})
	}
	size := s.pageSize
	if top := rec.Query.Get("$top"); top != "" {
		n, err := strconv.Atoi(top)
		if err != nil || n < 1 || n > 999 {
			a.error(http.StatusBadRequest, "Request_BadRequest", "Invalid page size specified: '"+top+"'. Must be between 1 and 999 inclusive.")
			return
		}
		size = n
	}
	start := 0
	if tok := rec.Query.Get("$skiptoken"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "fake-"))
		if err != nil || n < 0 || n > len(all) {
			a.error(http.StatusBadRequest, "Request_BadRequest", "Invalid skip token.")
			return
		}
		start = n
	}
	end := min(start+size, len(all))
	body := map[string]any{
		"@odata.context": s.URL() + "/$metadata#directoryObjects" + selectSuffix(rec.Query.Get("$select")),
		"value":          append([]map[string]any{}, all[start:end]...),
	}
	if end < len(all) {
		q := url.Values{}
		for k, v := range rec.Query {
			q[k] = v
		}
		q.Set("$skiptoken", "fake-"+strconv.Itoa(end))
		body["@odata.nextLink"] = s.URL() + "/users/" + manager.ID + "/directReports?" + q.Encode()
	}
	a.json(body)
}

// User properties the fake knows, by lower-case name; Graph matches $select case-insensitively.
var userProps = func() map[string]string {
	m := map[string]string{}
	for _, p := range []string{"id", "displayName", "mail", "userPrincipalName", "department", "companyName", "jobTitle",
		"accountEnabled", "employeeLeaveDateTime", "givenName", "surname", "businessPhones", "mobilePhone",
		"officeLocation", "preferredLanguage", "userType"} {
		m[strings.ToLower(p)] = p
	}
	return m
}()

// defaultProps are what Graph returns for a user without $select: notably not accountEnabled, department,
// companyName or employeeLeaveDateTime, so a client that forgets $select sees them missing.
var defaultProps = []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone",
	"officeLocation", "preferredLanguage", "surname", "userPrincipalName", "id"}

// selected returns the properties $select asks for, or the first one the fake does not know.
func selected(sel string) (fields []string, unknown string) {
	if sel == "" {
		return defaultProps, ""
	}
	for _, p := range strings.Split(sel, ",") {
		p = strings.TrimSpace(p)
		name, ok := userProps[strings.ToLower(p)]
		if !ok {
			return nil, p
		}
		fields = append(fields, name)
	}
	return fields, ""
}

func selectSuffix(sel string) string {
	if sel == "" {
		return ""
	}
	return "(" + sel + ")"
}

func userJSON(u *User, fields []string) map[string]any {
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	given, surname, _ := strings.Cut(u.DisplayName, " ")
	upn := u.UserPrincipalName
	if upn == "" {
		upn = u.Mail
	}
	o := map[string]any{"id": u.ID}
	for _, f := range fields {
		switch f {
		case "displayName":
			o[f] = null(u.DisplayName)
		case "mail":
			o[f] = null(u.Mail)
		case "userPrincipalName":
			o[f] = null(upn)
		case "department":
			o[f] = null(u.Department)
		case "companyName":
			o[f] = null(u.CompanyName)
		case "jobTitle":
			o[f] = null(u.JobTitle)
		case "accountEnabled":
			o[f] = u.AccountEnabled
		case "employeeLeaveDateTime":
			if u.LeaveDate != nil {
				o[f] = u.LeaveDate.UTC().Format(time.RFC3339)
			} else {
				o[f] = nil
			}
		case "givenName":
			o[f] = null(given)
		case "surname":
			o[f] = null(surname)
		case "businessPhones":
			o[f] = []string{}
		case "userType":
			o[f] = "Member"
			if u.UserType != "" {
				o[f] = u.UserType
			}
		case "mobilePhone", "officeLocation", "preferredLanguage":
			o[f] = nil
		}
	}
	return o
}

// graphErrors are Graph's error code and message for the statuses the fake answers with.
var graphErrors = map[int][2]string{
	http.StatusTooManyRequests:    {"TooManyRequests", "Too many requests."},
	http.StatusUnauthorized:       {"InvalidAuthenticationToken", "Access token validation failure."},
	http.StatusForbidden:          {"Authorization_RequestDenied", "Insufficient privileges to complete the operation."},
	http.StatusNotFound:           {"Request_ResourceNotFound", "Resource does not exist."},
	http.StatusConflict:           {"Conflict", "The entity already exists."},
	http.StatusServiceUnavailable: {"serviceNotAvailable", "The service is temporarily unavailable."},
	http.StatusGatewayTimeout:     {"gatewayTimeout", "The gateway timed out."},
}

func errorFor(status int) (code, message string) {
	if e, ok := graphErrors[status]; ok {
		return e[0], e[1]
	}
	return "generalException", "An unexpected error occurred."
}

func bearerToken(h string) string {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// answer writes one response with Graph's headers.
type answer struct {
	w         http.ResponseWriter
	r         *http.Request
	requestID string
	status    int
}

func (a *answer) json(body any) { a.write(http.StatusOK, body) }

// empty answers with a status and no body, as Graph does for 201 Created on installedApps.
func (a *answer) empty(status int) {
	h := a.w.Header()
	h.Set("request-id", a.requestID)
	if id := a.r.Header.Get("client-request-id"); id != "" {
		h.Set("client-request-id", id)
	}
	h.Set("Content-Length", "0")
	a.status = status
	a.w.WriteHeader(status)
}

func (a *answer) error(status int, code, message string) {
	a.write(status, map[string]any{"error": map[string]any{
		"code":    code,
		"message": message,
		"innerError": map[string]any{
			"date":              time.Now().UTC().Format("2006-01-02T15:04:05"),
			"request-id":        a.requestID,
			"client-request-id": a.r.Header.Get("client-request-id"),
		},
	}})
}

func (a *answer) write(status int, body any) {
	h := a.w.Header()
	h.Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	h.Set("request-id", a.requestID)
	if id := a.r.Header.Get("client-request-id"); id != "" {
		h.Set("client-request-id", id)
	}
	a.status = status
	a.w.WriteHeader(status)
	_ = json.NewEncoder(a.w).Encode(body)
}

// Credential is an azcore.TokenCredential that hands out a fixed token, for pointing a Graph client at the fake
// (azidentity refuses plain-http authorities). It records the scopes asked for.
type Credential struct {
	Token string

	mu     sync.Mutex
	scopes [][]string
}

var _ azcore.TokenCredential = (*Credential)(nil)

// GetToken implements azcore.TokenCredential.
func (c *Credential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if err := ctx.Err(); err != nil {
		return azcore.AccessToken{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.scopes = append(c.scopes, append([]string(nil), opts.Scopes...))
	return azcore.AccessToken{Token: c.Token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// Scopes returns the scopes of every token request so far.
func (c *Credential) Scopes() [][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([][]string(nil), c.scopes...)
}
