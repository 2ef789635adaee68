package graphdir

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/wait"
)

const (
	// installRetries is how many times InstallApp retries a throttled (429) or unavailable (503, 504) answer,
	// as many as the SDK's own retry handler.
	installRetries = 3
	// installBackoff is the first wait when Graph gives no Retry-After; it doubles on each retry, plus jitter.
	installBackoff = time.Second
	// maxInstallWait is the longest single wait InstallApp accepts; when Graph asks for more, it gives up with
	// domain.EUnavailable and leaves the retry to the caller (who can schedule it without holding a goroutine).
	maxInstallWait = 30 * time.Second
)

// InstallApp installs the Teams app with the catalog id in the personal scope of the user:
// POST /users/{userID}/teamwork/installedApps with {"teamsApp@odata.bind": "<base>/appCatalogs/teamsApps/{id}"}.
// Once installed, Teams sends the bot an installationUpdate (and a conversationUpdate) for the user's personal chat,
// after which the bot can message them proactively.
//
// catalogAppID is the app's id in the organisation's app catalog (GET /appCatalogs/teamsApps?$filter=externalId eq
// '<manifest id>'), which differs from the manifest id unless the app comes from the public Teams Store. Installing
// an app the user already has (Graph answers 409 Conflict) counts as success, so callers may simply retry.
//
// Errors: domain.EInvalid for ids that are not GUIDs (nothing is sent); domain.ENotFound when Graph knows no such
// user or catalog app; domain.EUnavailable when Graph stays busy or down (429, 5xx) or the context ends;
// domain.EInternal otherwise. A 403 means the application permission TeamsAppInstallation.ReadWriteSelfForUser.All
// lacks admin consent or the app is not published to the organisation's catalog.
func (g *Graph) InstallApp(ctx context.Context, userID, catalogAppID string) error {
	return g.installApp(ctx, userID, catalogAppID, wait.Sleep)
}

// installApp is InstallApp with the wait between retries injected, so tests need not sleep.
//
// It retries by itself instead of leaving it to the SDK's retry handler: that handler rewinds and resends the
// request body of the first attempt, which races with net/http still reading it (go test -race reports it) and,
// when the compression handler ran inside the retry handler, resends it uncompressed under Content-Encoding: gzip.
// Both make the retry reach Graph with an empty or garbled body. Here every attempt builds a fresh request.
func (g *Graph) installApp(ctx context.Context, userID, catalogAppID string, wait func(context.Context, time.Duration) error) error {
	const op = "graphdir.InstallApp"
	uid, ok := directory.CanonicalID(userID)
	if !ok {
		return directory.InvalidID(op)
	}
	appID, ok := directory.CanonicalID(catalogAppID)
	if !ok {
		return &domain.Error{Code: domain.EInvalid, Op: op, Message: "not a Teams app catalog id"}
	}
	// The bind must name the Graph endpoint we were configured with (national clouds have their own host).
	bind := g.base.String() + "/appCatalogs/teamsApps/" + appID
	builder := g.users.ByUserId(uid).Teamwork().InstalledApps()

	for attempt := 0; ; attempt++ {
		cfg := &users.ItemTeamworkInstalledAppsRequestBuilderPostRequestConfiguration{
			Options: []abs.RequestOption{&khttp.RetryHandlerOptions{ShouldRetry: noRetry}},
		}
		if attempt > 0 {
			// The header kiota's retry handler sets, so that Graph's logs tell retries apart.
			cfg.Headers = abs.NewRequestHeaders()
			cfg.Headers.Add("Retry-Attempt", strconv.Itoa(attempt))
		}
		_, err := builder.Post(ctx, installBody(bind), cfg)
		if err == nil {
			return nil
		}
		var apiErr abs.ApiErrorable
		if !errors.As(err, &apiErr) {
			return installError(op, err)
		}
		status := apiErr.GetStatusCode()
		if status == http.StatusConflict {
			return nil // already installed for this user
		}
		if !retryable(status) || attempt >= installRetries {
			return installError(op, err)
		}
		var retryAfter []string
		if h := apiErr.GetResponseHeaders(); h != nil {
			retryAfter = h.Get("Retry-After")
		}
		d := retryDelay(retryAfter, attempt+1, time.Now())
		if d > maxInstallWait {
			return installError(op, err)
		}
		if err := wait(ctx, d); err != nil {
			return mapError(op, err, nil)
		}
	}
}

// installBody is the request body. The SDK has no typed setter for an OData bind: it goes in the additional data,
// which the serialiser writes as given, next to the model's @odata.type.
func installBody(bind string) models.UserScopeTeamsAppInstallationable {
	body := models.NewUserScopeTeamsAppInstallation()
	body.SetAdditionalData(map[string]any{"teamsApp@odata.bind": bind})
	return body
}

// installError maps a failed install into the domain's vocabulary, naming what to fix for a 403.
func installError(op string, err error) error {
	err = mapError(op, err, &domain.Error{Code: domain.ENotFound, Op: op,
		Message: "Microsoft Graph knows no such user, or no such app in the organisation's Teams app catalog"})
	var cause *APIError
	var de *domain.Error
	if errors.As(err, &cause) && cause.Status == http.StatusForbidden && errors.As(err, &de) {
		c := *de
		c.Message = "the bot may not install its Teams app for users (HTTP 403): grant the application permission " +
			"TeamsAppInstallation.ReadWriteSelfForUser.All with admin consent, and publish the app to the organisation's app catalog"
		return &c
	}
	return err
}

func noRetry(time.Duration, int, *http.Request, *http.Response) bool { return false }

// retryable reports the statuses Graph asks clients to retry, as the SDK's retry handler does.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// retryDelay is the wait before retry number n (1, 2, …): Graph's Retry-After (seconds or an HTTP date) when it
// sent one, else installBackoff doubled per retry plus up to half of it again as jitter.
func retryDelay(retryAfter []string, n int, now time.Time) time.Duration {
	if len(retryAfter) > 0 {
		if d, ok := wait.RetryAfter(retryAfter[0], now); ok {
			return d
		}
	}
	d := wait.Backoff(installBackoff, maxInstallWait, n)
	return d + rand.N(d/2+1)
}
