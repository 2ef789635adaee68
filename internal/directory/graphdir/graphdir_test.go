package graphdir

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakegraph"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeredirect"
)

// Demo people (docs/demo-people.md).
const (
	elina   = "7c1e4a52-0000-4000-8000-000000000001"
	sami    = "7c1e4a52-0000-4000-8000-000000000002"
	helena  = "7c1e4a52-0000-4000-8000-000000000003"
	mikael  = "7c1e4a52-0000-4000-8000-000000000004"
	oskar   = "7c1e4a52-0000-4000-8000-000000000006"
	tiina   = "7c1e4a52-0000-4000-8000-000000000007"
	pekka   = "7c1e4a52-0000-4000-8000-000000000008"
	unknown = "7c1e4a52-0000-4000-8000-0000000000ff"

	token = "fake-graph-token"
)

// setup starts the fake Graph with the demo people, demanding our token, and a Graph client on it through the
// real SDK.
func setup(t *testing.T) (*Graph, *fakegraph.Server, *fakegraph.Credential) {
	t.Helper()
	demo, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	fake := fakegraph.FromDirectory(t, demo)
	fake.RequireBearer(token)
	cred := &fakegraph.Credential{Token: token}
	g, err := New(Config{Credential: cred, BaseURL: fake.URL(), HTTPClient: &http.Client{Timeout: 30 * time.Second}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g, fake, cred
}

func TestUserAllFields(t *testing.T) {
	g, fake, cred := setup(t)
	u, err := g.User(context.Background(), strings.ToUpper(pekka))
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	want := domain.User{
		ID: pekka, DisplayName: "Pekka Lahti", Mail: "pekka.lahti@porvoo.example",
		Department: "Sivistyspalvelut", CompanyName: "Porvoon kaupunki", JobTitle: "Hallintopäällikkö", AccountEnabled: false,
	}
	leave := time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	if u.LeaveDate == nil || !u.LeaveDate.Equal(leave) {
		t.Errorf("LeaveDate = %v, want %v", u.LeaveDate, leave)
	}
	u.LeaveDate = nil
	if u != want {
		t.Errorf("User = %+v\nwant   %+v", u, want)
	}

	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %+v, want 1", reqs)
	}
	r := reqs[0]
	if r.Method != http.MethodGet || r.Path != "/v1.0/users/"+pekka {
		t.Errorf("request %s %s", r.Method, r.Path)
	}
	if r.Bearer != token {
		t.Errorf("bearer token %q, want the credential's token", r.Bearer)
	}
	sel := strings.Split(r.Query.Get("$select"), ",")
	for _, f := range selectFields() {
		if !contains(sel, f) {
			t.Errorf("$select %v lacks %s", sel, f)
		}
	}
	if sc := cred.Scopes(); len(sc) == 0 || len(sc[0]) != 1 || sc[0][0] != DefaultScope {
		t.Errorf("token scopes = %v, want [%s]", sc, DefaultScope)
	}

	// An enabled user without a leave date.
	e, err := g.User(context.Background(), elina)
	if err != nil || !e.AccountEnabled || e.LeaveDate != nil || e.DisplayName != "Elina Lindholm" {
		t.Errorf("User(elina) = %+v, %v", e, err)
	}
}

func TestManager(t *testing.T) {
	g, fake, _ := setup(t)
	ctx := context.Background()
	m, err := g.Manager(ctx, tiina)
	if err != nil {
		t.Fatalf("Manager(tiina): %v", err)
	}
	if m.ID != pekka || m.AccountEnabled || m.LeaveDate == nil || m.Department != "Sivistyspalvelut" {
		t.Errorf("Manager(tiina) = %+v", m)
	}
	if r := fake.Requests()[0]; r.Path != "/v1.0/users/"+tiina+"/manager" || !strings.Contains(r.Query.Get("$select"), "employeeLeaveDateTime") {
		t.Errorf("request %s ?%v", r.Path, r.Query)
	}

	_, err = g.Manager(ctx, oskar)
	if !domain.IsCode(err, domain.ENotFound) || !strings.Contains(domain.ErrorMessage(err), "no manager") {
		t.Errorf("Manager(oskar) error = %v, want not found: no manager", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || apiErr.Code != "Request_ResourceNotFound" || apiErr.RequestID == "" {
		t.Errorf("cause = %+v, want Graph's 404 details", apiErr)
	}

	_, err = g.Manager(ctx, unknown)
	if !domain.IsCode(err, domain.ENotFound) || strings.Contains(domain.ErrorMessage(err), "no manager") {
		t.Errorf("Manager(unknown) error = %v, want not found: user", err)
	}
}

func TestUnknownUser(t *testing.T) {
	g, _, _ := setup(t)
	ctx := context.Background()
	if _, err := g.User(ctx, unknown); !domain.IsCode(err, domain.ENotFound) {
		t.Errorf("User(unknown) error = %v, want not found", err)
	}
	if _, err := g.DirectReports(ctx, unknown); !domain.IsCode(err, domain.ENotFound) {
		t.Errorf("DirectReports(unknown) error = %v, want not found", err)
	}
}

func TestInvalidIDSendsNothing(t *testing.T) {
	g, fake, _ := setup(t)
	ctx := context.Background()
	for _, id := range []string{"", "elina", "../groups", pekka + "/manager"} {
		if _, err := g.User(ctx, id); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("User(%q) error = %v, want invalid", id, err)
		}
		if _, err := g.Manager(ctx, id); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("Manager(%q) error = %v, want invalid", id, err)
		}
		if _, err := g.DirectReports(ctx, id); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("DirectReports(%q) error = %v, want invalid", id, err)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for invalid ids", n)
	}
}

func TestDirectReportsPaging(t *testing.T) {
	g, fake, _ := setup(t)
	fake.SetPageSize(1)
	fake.AddOrgContactReport(helena, "11111111-0000-4000-8000-000000000001", "External auditor")

	reports, err := g.DirectReports(context.Background(), helena)
	if err != nil {
		t.Fatalf("DirectReports: %v", err)
	}
	var got []string
	for _, u := range reports {
		got = append(got, u.ID)
		if u.Department == "" || !u.AccountEnabled || u.Mail == "" {
			t.Errorf("report %+v lacks selected fields", u)
		}
	}
	if strings.Join(got, ",") != sami+","+mikael {
		t.Errorf("reports = %v, want Sami and Mikael (the contact skipped)", got)
	}
	reqs := fake.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 pages", len(reqs))
	}
	for i, r := range reqs {
		if r.Path != "/v1.0/users/"+helena+"/directReports" || r.Bearer != token || !strings.Contains(r.Query.Get("$select"), "accountEnabled") {
			t.Errorf("page %d: %s ?%v bearer %q", i+1, r.Path, r.Query, r.Bearer)
		}
		if (i == 0) != (r.Query.Get("$skiptoken") == "") {
			t.Errorf("page %d skiptoken %q", i+1, r.Query.Get("$skiptoken"))
		}
	}

	none, err := g.DirectReports(context.Background(), elina)
	if err != nil || none == nil || len(none) != 0 {
		t.Errorf("DirectReports(elina) = %#v, %v; want empty", none, err)
	}
}

func TestThrottledThenSuccess(t *testing.T) {
	g, fake, _ := setup(t)
	fake.Throttle(1, 0)
	u, err := g.User(context.Background(), sami)
	if err != nil || u.ID != sami {
		t.Fatalf("User after 429 = %+v, %v", u, err)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Status != http.StatusTooManyRequests || reqs[1].Status != http.StatusOK {
		t.Fatalf("requests %+v, want 429 then 200", reqs)
	}
	if reqs[1].RetryAttempt != "1" || reqs[1].Bearer != token {
		t.Errorf("retry: Retry-Attempt %q, bearer %q", reqs[1].RetryAttempt, reqs[1].Bearer)
	}
}

func TestThrottledTooLongIsUnavailable(t *testing.T) {
	g, fake, _ := setup(t)
	fake.Throttle(100, 0)
	_, err := g.User(context.Background(), sami)
	if !domain.IsCode(err, domain.EUnavailable) {
		t.Fatalf("error = %v, want unavailable", err)
	}
	if n := len(fake.Requests()); n != 4 {
		t.Errorf("%d requests, want 4 (kiota's 3 retries)", n)
	}
}

func TestGraphErrors(t *testing.T) {
	tests := []struct {
		status int
		code   string
		msg    string
	}{
		{http.StatusForbidden, domain.EInternal, "User.Read.All"},
		{http.StatusInternalServerError, domain.EUnavailable, "unavailable"},
		{http.StatusBadRequest, domain.EInternal, "HTTP 400"},
	}
	for _, tt := range tests {
		g, fake, _ := setup(t)
		fake.FailNext(1, tt.status)
		_, err := g.Manager(context.Background(), elina)
		if !domain.IsCode(err, tt.code) || !strings.Contains(domain.ErrorMessage(err), tt.msg) {
			t.Errorf("HTTP %d: error = %v, want %s mentioning %q", tt.status, err, tt.code, tt.msg)
		}
	}
}

func TestWrongTokenIsRejected(t *testing.T) {
	_, fake, _ := setup(t)
	g, err := New(Config{Credential: &fakegraph.Credential{Token: "stolen"}, BaseURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.User(context.Background(), elina)
	if !domain.IsCode(err, domain.EInternal) || !strings.Contains(domain.ErrorMessage(err), "401") {
		t.Errorf("error = %v, want internal mentioning 401", err)
	}
	if strings.Contains(err.Error(), "stolen") {
		t.Errorf("error %q shows the token", err)
	}
}

func TestMailFallsBackToUPN(t *testing.T) {
	fake := fakegraph.New(t, fakegraph.User{
		User:              domain.User{ID: elina, DisplayName: "Elina Lindholm", AccountEnabled: true},
		UserPrincipalName: "elina.lindholm@porvoo.onmicrosoft.example",
	})
	g, err := New(Config{Credential: &fakegraph.Credential{Token: token}, BaseURL: fake.URL() + "/"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := g.User(context.Background(), elina)
	if err != nil || u.Mail != "elina.lindholm@porvoo.onmicrosoft.example" {
		t.Errorf("User = %+v, %v; want the UPN as mail", u, err)
	}
}

func TestCancelledContext(t *testing.T) {
	g, _, _ := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := g.User(ctx, elina)
	if !domain.IsCode(err, domain.EUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want unavailable wrapping context.Canceled", err)
	}
}

func TestUnreachable(t *testing.T) {
	fake := fakegraph.New(t)
	url := fake.URL()
	g, err := New(Config{Credential: &fakegraph.Credential{Token: token}, BaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	fake.Close()
	if _, err := g.User(context.Background(), elina); !domain.IsCode(err, domain.EUnavailable) {
		t.Errorf("error = %v, want unavailable", err)
	}
}

func TestNewValidates(t *testing.T) {
	cred := &fakegraph.Credential{Token: token}
	for name, cfg := range map[string]Config{
		"no credential":    {BaseURL: "https://graph.microsoft.com/v1.0"},
		"plain http":       {Credential: cred, BaseURL: "http://graph.example/v1.0"},
		"not a URL":        {Credential: cred, BaseURL: "::"},
		"query in the URL": {Credential: cred, BaseURL: "https://graph.microsoft.com/v1.0?x=1"},
	} {
		if _, err := New(cfg); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("%s: error = %v, want invalid", name, err)
		}
	}
	g, err := New(Config{Credential: cred})
	if err != nil || g.base.String() != DefaultBaseURL {
		t.Errorf("default base = %v, %v", g, err)
	}
}

func TestCheckNextLink(t *testing.T) {
	g, err := New(Config{Credential: &fakegraph.Credential{Token: token}})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.checkNextLink("https://graph.microsoft.com/v1.0/users/x/directReports?$skiptoken=a"); err != nil {
		t.Errorf("Graph's own link refused: %v", err)
	}
	for _, link := range []string{"https://evil.example/v1.0/users", "http://graph.microsoft.com/v1.0/users", "https://graph.microsoft.com:8443/v1.0"} {
		if err := g.checkNextLink(link); err == nil {
			t.Errorf("%s accepted", link)
		}
	}
}

func TestThroughCache(t *testing.T) {
	g, fake, _ := setup(t)
	c := directory.NewCached(g, time.Minute, nil)
	for i := 0; i < 3; i++ {
		if _, err := c.Manager(context.Background(), oskar); !domain.IsCode(err, domain.ENotFound) {
			t.Fatalf("Manager(oskar) = %v", err)
		}
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("%d Graph requests, want 1", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	calls := map[string]func(g *Graph) error{
		"User": func(g *Graph) error { _, err := g.User(t.Context(), pekka); return err },
		"InstallApp": func(g *Graph) error {
			return g.installApp(t.Context(), pekka, "8e1c2f6a-0000-4000-8000-00000000a001", func(ctx context.Context, d time.Duration) error { return nil })
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			r := fakeredirect.New(t)
			caller := &http.Client{Timeout: 30 * time.Second}
			g, err := New(Config{Credential: &fakegraph.Credential{Token: token}, BaseURL: r.URL + "/v1.0", HTTPClient: caller})
			if err != nil {
				t.Fatal(err)
			}
			err = call(g)
			if !errors.Is(err, ErrRedirect) || domain.ErrorCode(err) != domain.EInternal || !strings.Contains(err.Error(), "redirect") {
				t.Fatalf("err = %v, want an EInternal ErrRedirect", err)
			}
			if got := r.TargetAuthorizations(); len(got) != 0 || r.TargetHits() != 0 {
				t.Fatalf("the redirect was followed: %d requests, Authorization %q", r.TargetHits(), got)
			}
			if n := r.Hits(); n != 1 {
				t.Errorf("%d requests to the redirecting server, want 1 (a redirect is not retried)", n)
			}
			if caller.CheckRedirect != nil || caller.Transport != nil {
				t.Error("New changed the caller's http.Client")
			}
		})
	}
}
