package app_test

import (
	"net/http"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

// With VALTUUS_TAB_APP_ID (the tab's own app registration, for a bot whose identity cannot expose an API) the tab
// accepts Teams SSO tokens for that app's resource and no longer those for the bot's.
func TestTabWithItsOwnAppRegistration(t *testing.T) {
	const tabApp = "0f5d2c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
	h := newHarness(t, withTabSSO, func(env map[string]string, _ *app.Options) { env["VALTUUS_TAB_APP_ID"] = tabApp })
	get := func(aud string) int {
		t.Helper()
		tok := h.idp.Token(fakeidp.TokenOptions{Issuer: entraV2 + tenant + "/v2.0", AppID: fakeidp.DefaultAppID,
			OmitServiceURL: true, ExtraClaims: map[string]any{"tid": tenant, "scp": tabScope, "oid": mikael,
				"ver": "2.0", "aud": aud}})
		req, err := http.NewRequest(http.MethodGet, h.url+"/tab/api/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := get("api://" + tabHost + "/" + tabApp); code != http.StatusOK {
		t.Errorf("a token for the tab's app: %d", code)
	}
	if code := get("api://" + tabHost + "/botid-" + fakeidp.DefaultAppID); code != http.StatusUnauthorized {
		t.Errorf("a token for the bot's app: %d, want 401", code)
	}
}
