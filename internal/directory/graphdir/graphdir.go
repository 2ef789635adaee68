// Package graphdir implements directory.Directory over Microsoft Graph v1.0 with the msgraph-sdk-go SDK.
//
// It is the only package that imports the Graph SDK: the SDK costs minutes and gigabytes to build, so everything
// else depends on the directory.Directory interface and is tested against directory.File or the fake Graph in
// internal/testfakes/fakegraph. Only the SDK's users and models packages are linked, not its root client package.
//
// Graph also implements directory.DeltaSource (delta.go): users/delta for the directory sync (internal/dirsync).
//
// Application permissions the bot's app registration needs: User.Read.All (users, managers, direct reports, the
// users delta, and finding people by e-mail or name for the import of main users' lists),
// User-LifeCycleInfo.Read.All (employeeLeaveDateTime) and, for InstallApp, TeamsAppInstallation.ReadWriteSelfForUser.All.
package graphdir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
	"unicode"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	abs "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	kiotaauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

const (
	// DefaultBaseURL is Microsoft Graph v1.0 in the global cloud.
	DefaultBaseURL = "https://graph.microsoft.com/v1.0"
	// DefaultScope is the token scope for DefaultBaseURL; national clouds need their own (Config.Scopes).
	DefaultScope = "https://graph.microsoft.com/.default"
	// DefaultTimeout bounds one call including the SDK's retries when Config.HTTPClient sets no timeout.
	DefaultTimeout = 60 * time.Second
	// maxReportPages stops a server that keeps sending next links.
	maxReportPages = 1000
	sdkModule      = "github.com/microsoftgraph/msgraph-sdk-go"
)

// Config configures New.
type Config struct {
	// Credential gets the app-only token for Graph (azidentity client secret, certificate, managed identity…).
	Credential azcore.TokenCredential
	// BaseURL is the Graph endpoint with its version; default DefaultBaseURL. Plain http is accepted only for
	// loopback hosts (tests).
	BaseURL string
	// HTTPClient supplies the transport (and the timeout, if set); it is not changed. The SDK's middleware (retry
	// with Retry-After on 429/503/504, telemetry) is layered on top of it. Redirects are never followed: a 3xx
	// fails the call with ErrRedirect, so the token and the request go nowhere but BaseURL.
	HTTPClient *http.Client
	// Scopes default to ScopeFor(BaseURL): the endpoint's own cloud.
	Scopes []string
	// Observe, when set, is told the status of every HTTP attempt to Graph (0 when no answer came), the SDK's own
	// retries of 429s and 5xx included: metrics of Graph calls and throttling.
	Observe func(status int)
}

// Graph is a directory.Directory reading users, managers and direct reports from Microsoft Graph. Safe for
// concurrent use.
type Graph struct {
	users *users.UsersRequestBuilder
	base  *url.URL
}

var (
	_ directory.Directory = (*Graph)(nil)
	_ directory.Finder    = (*Graph)(nil)
)

// maxNameMatches bounds UsersByName: more people of one name than this is as uncertain as two.
const maxNameMatches = 10

// New builds the Graph client. It does not contact Graph.
func New(cfg Config) (*Graph, error) {
	const op = "graphdir.New"
	if cfg.Credential == nil {
		return nil, &domain.Error{Code: domain.EInvalid, Op: op, Message: "a token credential is required"}
	}
	raw := strings.TrimRight(cfg.BaseURL, "/")
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(raw)
	if err != nil || base.Hostname() == "" || base.RawQuery != "" || base.Fragment != "" {
		return nil, &domain.Error{Code: domain.EInvalid, Op: op, Message: fmt.Sprintf("bad Graph base URL %q", cfg.BaseURL)}
	}
	if base.Scheme != "https" && (base.Scheme != "http" || !isLoopback(base.Hostname())) {
		return nil, &domain.Error{Code: domain.EInvalid, Op: op, Message: fmt.Sprintf("Graph base URL %q must use https", cfg.BaseURL)}
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{ScopeFor(base)}
	}
	// The token goes only to the base URL's host. The validator compares host names without the port, so a
	// test server on 127.0.0.1:NNNN is "127.0.0.1"; a host missing here makes kiota silently send no token.
	auth, err := kiotaauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cfg.Credential, scopes, []string{base.Hostname()})
	if err != nil {
		return nil, &domain.Error{Code: domain.EInvalid, Op: op, Message: "cannot set up Graph authentication", Err: err}
	}

	// Our own serializer registries instead of the SDK's process-wide defaults; JSON is all these calls use.
	parsers := absser.NewParseNodeFactoryRegistry()
	parsers.ContentTypeAssociatedFactories["application/json"] = jsonser.NewJsonParseNodeFactory()
	writers := absser.NewSerializationWriterFactoryRegistry()
	writers.ContentTypeAssociatedFactories["application/json"] = jsonser.NewJsonSerializationWriterFactory()

	opts := core.GraphClientOptions{GraphServiceLibraryVersion: sdkVersion()}
	adapter, err := core.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, opts, parsers, writers, httpClient(cfg.HTTPClient, &opts, cfg.Observe))
	if err != nil {
		return nil, &domain.Error{Code: domain.EInternal, Op: op, Message: "cannot set up the Graph client", Err: err}
	}
	adapter.SetBaseUrl(base.String())
	adapter.EnableBackingStore(nil) // as the SDK's own client does; nil keeps the process-wide store factory
	return &Graph{
		users: users.NewUsersRequestBuilderInternal(map[string]string{"baseurl": base.String()}, adapter),
		base:  base,
	}, nil
}

// ErrRedirect is the cause of a call Microsoft Graph answered with a redirect (3xx), which is not followed. The
// calls made here are never redirected by Graph, so one means a wrong BaseURL or something in between.
var ErrRedirect = errors.New("graph: redirect not followed")

// refuseRedirects turns a redirect answer into ErrRedirect below the SDK's middleware. Its redirect handler would
// otherwise follow it, dropping the token for another host but sending the request (an install's body too) there
// all the same; and the http.Client's CheckRedirect never sees a redirect the middleware has followed.
type refuseRedirects struct{ next http.RoundTripper }

func (t refuseRedirects) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode < 300 || resp.StatusCode >= 400 {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	_ = resp.Body.Close()
	return nil, fmt.Errorf("%w (HTTP %d from %s)", ErrRedirect, resp.StatusCode, req.URL.Host)
}

// httpClient layers the Graph middleware (kiota's retry handler among it) over the caller's transport, with
// redirects refused underneath; c itself is not changed.
// ScopeFor is the app-only token scope of the Graph endpoint base: its own host's ".default", so a national cloud's
// endpoint (https://graph.microsoft.us, https://dod-graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn)
// gets its own cloud's scope; DefaultScope for a plain-http test server.
func ScopeFor(base *url.URL) string {
	if base.Scheme != "https" {
		return DefaultScope
	}
	return "https://" + base.Host + "/.default"
}

// newTransport is Go's default transport with a pool sized for the bursts of a directory sync and a busy turn
// load (Go keeps only two idle connections per host by default, so the rest pay a TLS handshake each).
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 128
	t.MaxIdleConnsPerHost = 32
	t.IdleConnTimeout = 90 * time.Second
	return t
}

func httpClient(c *http.Client, opts *core.GraphClientOptions, observe func(status int)) *http.Client {
	var parent http.RoundTripper = newTransport()
	timeout := DefaultTimeout
	var jar http.CookieJar
	if c != nil {
		if c.Transport != nil {
			parent = c.Transport
		}
		if c.Timeout > 0 {
			timeout = c.Timeout
		}
		jar = c.Jar
	}
	if observe != nil {
		parent = observed{parent, observe}
	}
	return &http.Client{
		Transport: khttp.NewCustomTransportWithParentTransport(refuseRedirects{parent}, core.GetDefaultMiddlewaresWithOptions(opts)...),
		Timeout:   timeout,
		Jar:       jar,
		// refuseRedirects answers every redirect with an error first; this is the second lock on the same door.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// observed tells observe the status of every attempt; it sits below the SDK's retry middleware, so each retry counts.
type observed struct {
	next    http.RoundTripper
	observe func(status int)
}

func (o observed) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := o.next.RoundTrip(r)
	status := 0
	if err == nil {
		status = resp.StatusCode
	}
	o.observe(status)
	return resp, err
}

// sdkVersion is the SDK's version for Graph's telemetry header, read from the build so it follows go.mod.
func sdkVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == sdkModule {
				return strings.TrimPrefix(m.Version, "v")
			}
		}
	}
	return ""
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// selectFields are the user properties the bot needs ($select); accountEnabled, department, companyName and
// employeeLeaveDateTime are not returned without it.
func selectFields() []string {
	return []string{"id", "displayName", "mail", "userPrincipalName", "department", "companyName", "jobTitle",
		"accountEnabled", "employeeLeaveDateTime"}
}

// User implements directory.Directory: GET /users/{id}.
func (g *Graph) User(ctx context.Context, id string) (domain.User, error) {
	const op = "graphdir.User"
	cid, ok := directory.CanonicalID(id)
	if !ok {
		return domain.User{}, directory.InvalidID(op)
	}
	u, err := g.users.ByUserId(cid).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: selectFields()},
	})
	if err != nil {
		return domain.User{}, mapError(op, err, directory.UserNotFound(op))
	}
	return toUser(op, u)
}

// Manager implements directory.Directory: GET /users/{id}/manager. A manager that is not a user account (an
// organisational contact) counts as no manager.
func (g *Graph) Manager(ctx context.Context, id string) (domain.User, error) {
	const op = "graphdir.Manager"
	cid, ok := directory.CanonicalID(id)
	if !ok {
		return domain.User{}, directory.InvalidID(op)
	}
	obj, err := g.users.ByUserId(cid).Manager().Get(ctx, &users.ItemManagerRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.ItemManagerRequestBuilderGetQueryParameters{Select: selectFields()},
	})
	if err != nil {
		// Graph answers 404 both for an unknown user and for a user without a manager; only the message differs.
		notFound := directory.UserNotFound(op)
		if strings.Contains(graphMessage(err), "'manager'") {
			notFound = directory.NoManager(op)
		}
		return domain.User{}, mapError(op, err, notFound)
	}
	m, ok := obj.(models.Userable)
	if !ok {
		return domain.User{}, &domain.Error{Code: domain.ENotFound, Op: op, Message: "the user's manager is not a user account"}
	}
	return toUser(op, m)
}

// DirectReports implements directory.Directory: GET /users/{id}/directReports, following @odata.nextLink and
// keeping only user accounts (reports can also be organisational contacts).
func (g *Graph) DirectReports(ctx context.Context, id string) ([]domain.User, error) {
	const op = "graphdir.DirectReports"
	cid, ok := directory.CanonicalID(id)
	if !ok {
		return nil, directory.InvalidID(op)
	}
	reports := g.users.ByUserId(cid).DirectReports()
	page, err := reports.Get(ctx, &users.ItemDirectReportsRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.ItemDirectReportsRequestBuilderGetQueryParameters{Select: selectFields()},
	})
	out := []domain.User{}
	for n := 1; ; n++ {
		if err != nil {
			return nil, mapError(op, err, directory.UserNotFound(op))
		}
		for _, obj := range page.GetValue() {
			u, ok := obj.(models.Userable)
			if !ok {
				continue
			}
			du, err := toUser(op, u)
			if err != nil {
				return nil, err
			}
			out = append(out, du)
		}
		next := page.GetOdataNextLink()
		if next == nil || *next == "" {
			return out, nil
		}
		if n >= maxReportPages {
			return nil, &domain.Error{Code: domain.EInternal, Op: op, Message: fmt.Sprintf("Microsoft Graph sent more than %d pages of direct reports", maxReportPages)}
		}
		if err := g.checkNextLink(*next); err != nil {
			return nil, &domain.Error{Code: domain.EInternal, Op: op, Message: "Microsoft Graph sent a bad next-page link", Err: err}
		}
		// The next link carries the query ($select, $skiptoken) itself.
		page, err = reports.WithUrl(*next).Get(ctx, nil)
	}
}

// UserByMail implements directory.Finder: GET /users?$filter=mail eq '…' or userPrincipalName eq '…'. Two accounts
// with the address are domain.EConflict.
func (g *Graph) UserByMail(ctx context.Context, mail string) (domain.User, error) {
	const op = "graphdir.UserByMail"
	mail = strings.TrimSpace(mail)
	if mail == "" || strings.ContainsFunc(mail, unicode.IsControl) {
		return domain.User{}, directory.UserNotFound(op)
	}
	q := odataString(mail)
	us, err := g.findUsers(ctx, op, "mail eq "+q+" or userPrincipalName eq "+q, 2)
	switch {
	case err != nil:
		return domain.User{}, err
	case len(us) == 0:
		return domain.User{}, directory.UserNotFound(op)
	case len(us) > 1:
		return domain.User{}, directory.MailNotUnique(op)
	}
	return us[0], nil
}

// UsersByName implements directory.Finder: GET /users?$filter=displayName eq '…' (Graph compares in any case).
func (g *Graph) UsersByName(ctx context.Context, name string) ([]domain.User, error) {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || strings.ContainsFunc(name, unicode.IsControl) {
		return []domain.User{}, nil
	}
	return g.findUsers(ctx, "graphdir.UsersByName", "displayName eq "+odataString(name), maxNameMatches)
}

// findUsers lists the users an OData filter selects, at most top of them (one page).
func (g *Graph) findUsers(ctx context.Context, op, filter string, top int32) ([]domain.User, error) {
	page, err := g.users.Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: &filter, Select: selectFields(), Top: &top},
	})
	if err != nil {
		return nil, mapError(op, err, directory.UserNotFound(op))
	}
	out := []domain.User{}
	for _, u := range page.GetValue() {
		du, err := toUser(op, u)
		if err != nil {
			return nil, err
		}
		out = append(out, du)
	}
	return out, nil
}

// odataString quotes s as an OData string literal: single quotes around it, and each quote inside doubled, so a
// name such as O'Brien stays a value and never becomes part of the filter.
func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// checkNextLink refuses a next-page link that leaves the Graph endpoint we were configured with.
func (g *Graph) checkNextLink(next string) error {
	u, err := url.Parse(next)
	if err != nil {
		return err
	}
	if u.Scheme != g.base.Scheme || !strings.EqualFold(u.Host, g.base.Host) {
		return fmt.Errorf("next link points to %s://%s, not %s://%s", u.Scheme, u.Host, g.base.Scheme, g.base.Host)
	}
	return nil
}

// toUser maps a Graph user. Mail falls back to the user principal name. A missing accountEnabled (it should
// always come with $select) counts as disabled, so that nobody is routed work on an account we cannot vouch for.
func toUser(op string, u models.Userable) (domain.User, error) {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	id, ok := directory.CanonicalID(str(u.GetId()))
	if !ok {
		return domain.User{}, &domain.Error{Code: domain.EInternal, Op: op, Message: "Microsoft Graph returned a user without a valid id"}
	}
	out := domain.User{
		ID:          id,
		DisplayName: str(u.GetDisplayName()),
		Mail:        str(u.GetMail()),
		Department:  str(u.GetDepartment()),
		CompanyName: str(u.GetCompanyName()),
		JobTitle:    str(u.GetJobTitle()),
	}
	if out.Mail == "" {
		out.Mail = str(u.GetUserPrincipalName())
	}
	if e := u.GetAccountEnabled(); e != nil {
		out.AccountEnabled = *e
	}
	if t := u.GetEmployeeLeaveDateTime(); t != nil {
		leave := t.UTC()
		out.LeaveDate = &leave
	}
	return out, nil
}

// APIError describes a failed Graph response without any of its body beyond Graph's error code, so it is safe to
// log. It is the cause (Err) inside the *domain.Error the Directory methods return.
type APIError struct {
	Status    int    // HTTP status
	Code      string // Graph's error code, e.g. Request_ResourceNotFound, Authorization_RequestDenied
	RequestID string // Graph's request-id header, for Microsoft support
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("graph: HTTP %d", e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.RequestID != "" {
		s += " (request-id " + e.RequestID + ")"
	}
	return s
}

// mapError turns an SDK error into the domain's vocabulary; notFound is returned (with the cause attached) for 404.
func mapError(op string, err error, notFound error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &domain.Error{Code: domain.EUnavailable, Op: op, Message: "Microsoft Graph did not answer in time", Err: err}
	}
	if errors.Is(err, ErrRedirect) {
		return &domain.Error{Code: domain.EInternal, Op: op, Err: err,
			Message: "Microsoft Graph answered with a redirect, which is not followed so that the bot's token goes nowhere else: check the Graph base URL and any proxy"}
	}
	var apiErr abs.ApiErrorable
	if !errors.As(err, &apiErr) {
		var netErr net.Error
		if errors.As(err, &netErr) {
			return &domain.Error{Code: domain.EUnavailable, Op: op, Message: "cannot reach Microsoft Graph", Err: err}
		}
		// Token acquisition failures and unreadable responses end here.
		return &domain.Error{Code: domain.EInternal, Op: op, Message: "Microsoft Graph request failed", Err: err}
	}
	cause := &APIError{Status: apiErr.GetStatusCode(), Code: graphCode(err)}
	if h := apiErr.GetResponseHeaders(); h != nil {
		if v := h.Get("request-id"); len(v) > 0 {
			cause.RequestID = v[0]
		}
	}
	switch s := cause.Status; {
	case s == http.StatusNotFound:
		var de *domain.Error
		if errors.As(notFound, &de) {
			c := *de
			c.Err = cause
			return &c
		}
		return notFound
	case s == http.StatusUnauthorized:
		return &domain.Error{Code: domain.EInternal, Op: op, Err: cause,
			Message: "Microsoft Graph rejected the bot's access token (HTTP 401): check the app registration, tenant and credential"}
	case s == http.StatusForbidden:
		return &domain.Error{Code: domain.EInternal, Op: op, Err: cause,
			Message: "the bot may not read the directory (HTTP 403): grant the application permissions User.Read.All and User-LifeCycleInfo.Read.All with admin consent"}
	case s == http.StatusTooManyRequests || s >= 500:
		return &domain.Error{Code: domain.EUnavailable, Op: op, Err: cause,
			Message: "Microsoft Graph is busy or unavailable, try again later"}
	default:
		return &domain.Error{Code: domain.EInternal, Op: op, Err: cause,
			Message: fmt.Sprintf("Microsoft Graph refused the request (HTTP %d)", s)}
	}
}

// graphMainError returns the "error" object of a Graph error body, or nil. ODataError.Error() dereferences the
// message without a nil check, so nothing here calls it.
func graphMainError(err error) odataerrors.MainErrorable {
	var oe *odataerrors.ODataError
	if errors.As(err, &oe) {
		return oe.GetErrorEscaped()
	}
	return nil
}

func graphCode(err error) string {
	if m := graphMainError(err); m != nil && m.GetCode() != nil {
		return *m.GetCode()
	}
	return ""
}

func graphMessage(err error) string {
	if m := graphMainError(err); m != nil && m.GetMessage() != nil {
		return *m.GetMessage()
	}
	return ""
}
