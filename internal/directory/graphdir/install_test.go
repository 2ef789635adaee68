package graphdir

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakegraph"
)

// Teams app catalog ids: the bot's app, in the org catalog, and one that is not.
const (
	catalogApp = "b1c5353a-7aca-41b3-830f-27d5218fe0e5"
	strayApp   = "b1c5353a-7aca-41b3-830f-27d5218fe0ff"
)

func setupInstall(t *testing.T) (*Graph, *fakegraph.Server) {
	t.Helper()
	g, fake, _ := setup(t)
	fake.AllowCatalogApp(catalogApp)
	return g, fake
}

func TestInstallApp(t *testing.T) {
	g, fake := setupInstall(t)
	if err := g.InstallApp(context.Background(), strings.ToUpper(sami), strings.ToUpper(catalogApp)); err != nil {
		t.Fatalf("InstallApp: %v", err)
	}
	want := []fakegraph.Install{{UserID: sami, AppID: catalogApp}}
	if got := fake.Installs(); len(got) != 1 || got[0] != want[0] {
		t.Errorf("installs = %+v, want %+v", got, want)
	}

	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %+v, want 1", reqs)
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.Path != "/v1.0/users/"+sami+"/teamwork/installedApps" || r.Status != http.StatusCreated {
		t.Errorf("request %s %s → %d", r.Method, r.Path, r.Status)
	}
	if r.Bearer != token {
		t.Errorf("bearer %q, want the credential's token", r.Bearer)
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	if bind := body["teamsApp@odata.bind"]; bind != fake.URL()+"/appCatalogs/teamsApps/"+catalogApp {
		t.Errorf("bind = %v, want the configured base URL's catalog app", bind)
	}
}

func TestInstallAppTwiceIsFine(t *testing.T) {
	g, fake := setupInstall(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := g.InstallApp(ctx, elina, catalogApp); err != nil {
			t.Fatalf("install %d: %v", i+1, err)
		}
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Status != http.StatusCreated || reqs[1].Status != http.StatusConflict {
		t.Errorf("requests %+v, want 201 then 409", reqs)
	}
	if n := len(fake.Installs()); n != 1 {
		t.Errorf("%d installs, want 1", n)
	}
}

func TestInstallAppNotFound(t *testing.T) {
	g, fake := setupInstall(t)
	ctx := context.Background()
	for name, ids := range map[string][2]string{
		"unknown user": {unknown, catalogApp},
		"unknown app":  {elina, strayApp},
	} {
		err := g.InstallApp(ctx, ids[0], ids[1])
		if !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("%s: error = %v, want not found", name, err)
		}
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || apiErr.RequestID == "" {
			t.Errorf("%s: cause = %+v, want Graph's 404 details", name, apiErr)
		}
	}
	if n := len(fake.Installs()); n != 0 {
		t.Errorf("%d installs, want none", n)
	}
}

func TestInstallAppForbiddenNamesThePermission(t *testing.T) {
	g, fake := setupInstall(t)
	fake.FailNext(1, http.StatusForbidden)
	err := g.InstallApp(context.Background(), elina, catalogApp)
	if !domain.IsCode(err, domain.EInternal) || !strings.Contains(domain.ErrorMessage(err), "TeamsAppInstallation.ReadWriteSelfForUser.All") {
		t.Errorf("error = %v, want internal naming TeamsAppInstallation.ReadWriteSelfForUser.All", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "Authorization_RequestDenied" {
		t.Errorf("cause = %+v, want Graph's 403", apiErr)
	}
	if n := len(fake.Installs()); n != 0 {
		t.Errorf("%d installs, want none", n)
	}
}

func TestInstallAppThrottledThenSuccess(t *testing.T) {
	g, fake := setupInstall(t)
	fake.Throttle(1, 0)
	if err := g.InstallApp(context.Background(), mikael, catalogApp); err != nil {
		t.Fatalf("InstallApp after 429: %v", err)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Status != http.StatusTooManyRequests || reqs[1].Status != http.StatusCreated {
		t.Fatalf("requests %+v, want 429 then 201", reqs)
	}
	// The retry must resend the whole body, not an exhausted reader.
	if reqs[1].RetryAttempt != "1" || reqs[1].Bearer != token || string(reqs[1].Body) != string(reqs[0].Body) {
		t.Errorf("retry: Retry-Attempt %q, bearer %q, body %q (first %q)", reqs[1].RetryAttempt, reqs[1].Bearer, reqs[1].Body, reqs[0].Body)
	}
	if got := fake.Installs(); len(got) != 1 || got[0].UserID != mikael {
		t.Errorf("installs = %+v", got)
	}
}

func TestInstallAppUnavailable(t *testing.T) {
	g, fake := setupInstall(t)
	fake.FailNext(1, http.StatusInternalServerError)
	if err := g.InstallApp(context.Background(), elina, catalogApp); !domain.IsCode(err, domain.EUnavailable) {
		t.Errorf("500: error = %v, want unavailable", err)
	}
	fake.Throttle(100, 0)
	if err := g.InstallApp(context.Background(), elina, catalogApp); !domain.IsCode(err, domain.EUnavailable) {
		t.Errorf("429 throughout: error = %v, want unavailable", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.InstallApp(ctx, elina, catalogApp); !domain.IsCode(err, domain.EUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error = %v, want unavailable wrapping context.Canceled", err)
	}
}

func TestInstallAppInvalidIDsSendNothing(t *testing.T) {
	g, fake := setupInstall(t)
	ctx := context.Background()
	for _, ids := range [][2]string{
		{"", catalogApp},
		{"elina", catalogApp},
		{"../groups", catalogApp},
		{sami + "/teamwork", catalogApp},
		{sami, ""},
		{sami, "com.porvoo.valtuusbotti"},
		{sami, catalogApp + "/x"},
		{sami, "../../groups/" + catalogApp[:23]},
	} {
		if err := g.InstallApp(ctx, ids[0], ids[1]); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("InstallApp(%q, %q) error = %v, want invalid", ids[0], ids[1], err)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("%d requests sent for invalid ids", n)
	}
}

func TestInstallAppBindFollowsBaseURL(t *testing.T) {
	// A trailing slash in the configured base URL must not leak into the bind ("…/v1.0//appCatalogs").
	fake := fakegraph.New(t, fakegraph.User{User: domain.User{ID: elina, DisplayName: "Elina Lindholm", AccountEnabled: true}})
	fake.AllowCatalogApp(catalogApp)
	g, err := New(Config{Credential: &fakegraph.Credential{Token: token}, BaseURL: fake.URL() + "/"})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.InstallApp(context.Background(), elina, catalogApp); err != nil {
		t.Fatalf("InstallApp: %v", err)
	}
	if n := len(fake.Installs()); n != 1 {
		t.Errorf("%d installs, want 1", n)
	}
}

// waits records the waits installApp asks for instead of sleeping; err, when set, is what every wait returns.
type waits struct {
	got []time.Duration
	err error
}

func (w *waits) wait(_ context.Context, d time.Duration) error {
	w.got = append(w.got, d)
	return w.err
}

func TestInstallAppRetries(t *testing.T) {
	ctx := context.Background()

	t.Run("Retry-After is honoured", func(t *testing.T) {
		g, fake := setupInstall(t)
		fake.Throttle(2, 7*time.Second)
		var w waits
		if err := g.installApp(ctx, sami, catalogApp, w.wait); err != nil {
			t.Fatalf("installApp: %v", err)
		}
		if len(w.got) != 2 || w.got[0] != 7*time.Second || w.got[1] != 7*time.Second {
			t.Errorf("waits = %v, want [7s 7s]", w.got)
		}
		reqs := fake.Requests()
		if len(reqs) != 3 || reqs[2].Status != http.StatusCreated || reqs[1].RetryAttempt != "1" || reqs[2].RetryAttempt != "2" || reqs[0].RetryAttempt != "" {
			t.Errorf("requests %+v, want 429, 429, 201 with Retry-Attempt 1 and 2 on the retries", reqs)
		}
	})

	t.Run("503 backs off exponentially", func(t *testing.T) {
		g, fake := setupInstall(t)
		fake.FailNext(1, http.StatusServiceUnavailable)
		fake.FailNext(1, http.StatusGatewayTimeout)
		var w waits
		if err := g.installApp(ctx, sami, catalogApp, w.wait); err != nil {
			t.Fatalf("installApp: %v", err)
		}
		if len(w.got) != 2 || w.got[0] < installBackoff || w.got[0] > installBackoff*3/2 ||
			w.got[1] < 2*installBackoff || w.got[1] > 3*installBackoff {
			t.Errorf("waits = %v, want about 1s then 2s", w.got)
		}
		if n := len(fake.Installs()); n != 1 {
			t.Errorf("%d installs, want 1", n)
		}
	})

	t.Run("gives up after the retries", func(t *testing.T) {
		g, fake := setupInstall(t)
		fake.FailNext(10, http.StatusServiceUnavailable)
		var w waits
		err := g.installApp(ctx, sami, catalogApp, w.wait)
		if !domain.IsCode(err, domain.EUnavailable) {
			t.Errorf("error = %v, want unavailable", err)
		}
		if n := len(fake.Requests()); n != installRetries+1 || len(w.got) != installRetries {
			t.Errorf("%d requests and %d waits, want %d and %d", n, len(w.got), installRetries+1, installRetries)
		}
	})

	t.Run("a long Retry-After is left to the caller", func(t *testing.T) {
		g, fake := setupInstall(t)
		fake.Throttle(1, time.Hour)
		var w waits
		err := g.installApp(ctx, sami, catalogApp, w.wait)
		var apiErr *APIError
		if !domain.IsCode(err, domain.EUnavailable) || !errors.As(err, &apiErr) || apiErr.Status != http.StatusTooManyRequests {
			t.Errorf("error = %v, want unavailable caused by the 429", err)
		}
		if n := len(fake.Requests()); n != 1 || len(w.got) != 0 {
			t.Errorf("%d requests, waits %v; want 1 and none", n, w.got)
		}
	})

	t.Run("context ends while waiting", func(t *testing.T) {
		g, fake := setupInstall(t)
		fake.Throttle(1, time.Second)
		w := waits{err: context.DeadlineExceeded}
		err := g.installApp(ctx, sami, catalogApp, w.wait)
		if !domain.IsCode(err, domain.EUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error = %v, want unavailable wrapping the deadline", err)
		}
		if n := len(fake.Requests()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})

	t.Run("other errors are not retried", func(t *testing.T) {
		g, fake := setupInstall(t)
		fake.FailNext(1, http.StatusInternalServerError)
		var w waits
		if err := g.installApp(ctx, sami, catalogApp, w.wait); !domain.IsCode(err, domain.EUnavailable) {
			t.Errorf("error = %v, want unavailable", err)
		}
		if n := len(fake.Requests()); n != 1 || len(w.got) != 0 {
			t.Errorf("%d requests, waits %v; want 1 and none", n, w.got)
		}
	})
}

func TestRetryDelay(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		header []string
		want   time.Duration
	}{
		{[]string{"0"}, 0},
		{[]string{" 12 "}, 12 * time.Second},
		{[]string{"1.5"}, 1500 * time.Millisecond},
		{[]string{"-3"}, 0},
		{[]string{"99999999999999999999"}, 24 * time.Hour},
		{[]string{"Mon, 02 Mar 2026 10:00:20 GMT"}, 20 * time.Second},
		{[]string{"Mon, 02 Mar 2026 09:59:00 GMT"}, 0},
	} {
		if got := retryDelay(tt.header, 1, now); got != tt.want {
			t.Errorf("Retry-After %q: %v, want %v", tt.header, got, tt.want)
		}
	}
	for n, lo := range map[int]time.Duration{1: installBackoff, 2: 2 * installBackoff, 3: 4 * installBackoff} {
		for _, h := range [][]string{nil, {"soon"}} {
			if got := retryDelay(h, n, now); got < lo || got > lo*3/2 {
				t.Errorf("retry %d without a usable Retry-After (%q): %v, want %v…%v", n, h, got, lo, lo*3/2)
			}
		}
	}
}
