package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestMalformedActivitiesGet4xx replays the inputs the fuzz target found answered with a 5xx: each is now refused
// with a 4xx whose body says why.
func TestMalformedActivitiesGet4xx(t *testing.T) {
	svc := newFuzzService(t)
	for _, tc := range []struct {
		name   string
		shape  int
		patch  string
		status int
		body   string // part of the answer
	}{
		{"invoke other than a Universal Action", fuzzInvoke, `{"name":"task/fetch"}`, http.StatusBadRequest, "unsupported invoke"},
		{"invoke without a name", fuzzInvoke, `{"name":null}`, http.StatusBadRequest, "unsupported invoke"},
		{"reply to a serviceUrl path the connector does not serve", fuzzMessage, `{"serviceUrl":"http://127.0.0.1:3979/nope/"}`,
			http.StatusBadRequest, "refused a reply into the activity's conversation (404)"},
		{"reply to a serviceUrl that redirects", fuzzMessage, `{"serviceUrl":"http://127.0.0.1:3979/x/../"}`,
			http.StatusBadRequest, "serviceUrl redirected the reply"},
		{"conversation id that is a dot segment", fuzzMessage, `{"conversation":{"id":".."}}`, http.StatusBadRequest,
			"invalid conversation id"},
		{"NUL character (PostgreSQL refuses it)", fuzzMessage, `{"from":{"id":"29:x","name":"a\u0000b","aadObjectId":"` + elina + `"}}`,
			http.StatusBadRequest, "NUL character"},
		{"NUL character in card data", fuzzInvoke, `{"value":{"action":{"type":"Action.Execute","verb":"requestSubmit",` +
			`"data":{"taskIds":["palkkatietojen-ilmoittaminen"],"validUntil":"2027-06-30","justification":"a\u0000"}}}}`,
			http.StatusBadRequest, "NUL character"},
		{"aadObjectId no Entra object id could be (PostgreSQL cannot index it)", fuzzMessage,
			`{"from":{"id":"29:x","aadObjectId":"` + strings.Repeat("x", 129) + `"}}`, http.StatusBadRequest, "too long"},
		{"no type", fuzzMessage, `{"type":null}`, http.StatusBadRequest, "activity has no type"},
		{"field of the wrong type", fuzzMessage, `{"from":{"id":1}}`, http.StatusBadRequest, `field \"from.id\" has the wrong type`},
		{"no conversation", fuzzMessage, `{"conversation":null}`, http.StatusBadRequest, "no serviceUrl or conversation id"},
		{"not JSON", fuzzRaw, `{"type":`, http.StatusBadRequest, "malformed activity JSON: unexpected end"},
		{"serviceUrl not loopback", fuzzMessage, `{"serviceUrl":"https://example.com/"}`, http.StatusForbidden, "only loopback serviceUrls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := svc.body(fuzzInput{shape: sender(tc.shape, elina), verb: "myMandates", data: []byte(`{}`), text: "hei",
				patch: []byte(tc.patch)})
			rec, err := svc.turn(body)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
				t.Fatalf("status %d %s, want %d with %q\nlogs: %s", rec.Code, rec.Body, tc.status, tc.body, svc.logs)
			}
		})
	}
}
