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
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := svc.body(sender(tc.shape, elina), "myMandates", []byte(`{}`), "hei", []byte(tc.patch))
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
