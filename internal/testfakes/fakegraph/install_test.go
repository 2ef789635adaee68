package fakegraph

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

const catalogApp = "b1c5353a-7aca-41b3-830f-27d5218fe0e5"

// post sends a JSON body to path (relative to the Graph base URL), gzipped if asked, and returns the status and
// the decoded body (nil when there is none).
func post(t *testing.T, s *Server, path, body string, gz bool, hdr map[string]string) (int, map[string]any) {
	t.Helper()
	payload := []byte(body)
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(payload); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		payload = buf.Bytes()
	}
	req, err := http.NewRequest(http.MethodPost, s.URL()+path, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil && resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s: %d with a body that is not JSON: %v", path, resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

func bindBody(s *Server, appID string) string {
	b, _ := json.Marshal(map[string]string{
		"@odata.type":         "#microsoft.graph.userScopeTeamsAppInstallation",
		"teamsApp@odata.bind": s.URL() + "/appCatalogs/teamsApps/" + appID,
	})
	return string(b)
}

func TestInstallApp(t *testing.T) {
	s := demo(t)
	s.AllowCatalogApp(strings.ToUpper(catalogApp))
	path := "/users/" + strings.ToUpper(tiina) + "/teamwork/installedApps"

	status, body := post(t, s, path, bindBody(s, catalogApp), true, nil)
	if status != http.StatusCreated || body != nil {
		t.Fatalf("first install: %d %v, want 201 without a body", status, body)
	}
	status, body = post(t, s, path, bindBody(s, strings.ToUpper(catalogApp)), false, nil)
	if status != http.StatusConflict || graphCode(body) != "Conflict" {
		t.Errorf("second install: %d %v, want 409 Conflict", status, body)
	}
	// Another user gets their own installation.
	if status, body := post(t, s, "/users/"+pekka+"/teamwork/installedApps", bindBody(s, catalogApp), false, nil); status != http.StatusCreated {
		t.Errorf("install for Pekka: %d %v", status, body)
	}

	want := []Install{{UserID: tiina, AppID: catalogApp}, {UserID: pekka, AppID: catalogApp}}
	got := s.Installs()
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Installs() = %+v, want %+v", got, want)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].Method != http.MethodPost || !strings.Contains(string(reqs[0].Body), `"teamsApp@odata.bind"`) {
		t.Errorf("recorded %+v, want the gunzipped body of the first install", reqs)
	}
}

func TestInstallAppRefusals(t *testing.T) {
	s := demo(t)
	s.AllowCatalogApp(catalogApp)
	path := "/users/" + tiina + "/teamwork/installedApps"
	tests := []struct {
		name   string
		path   string
		body   string
		hdr    map[string]string
		status int
		code   string
	}{
		{"unknown user", "/users/7c1e4a52-0000-4000-8000-0000000000ff/teamwork/installedApps", bindBody(s, catalogApp), nil, http.StatusNotFound, "Request_ResourceNotFound"},
		{"app not in the catalog", path, bindBody(s, "b1c5353a-7aca-41b3-830f-27d5218fe0ff"), nil, http.StatusNotFound, "NotFound"},
		{"bind to another host", path, `{"teamsApp@odata.bind":"https://graph.microsoft.com/v1.0/appCatalogs/teamsApps/` + catalogApp + `"}`, nil, http.StatusBadRequest, "BadRequest"},
		{"bind to another collection", path, `{"teamsApp@odata.bind":"` + s.URL() + `/teams/` + catalogApp + `"}`, nil, http.StatusBadRequest, "BadRequest"},
		{"no bind", path, `{"@odata.type":"#microsoft.graph.userScopeTeamsAppInstallation"}`, nil, http.StatusBadRequest, "BadRequest"},
		{"the snippet generator's odataBind key", path, `{"odataBind":"` + s.URL() + `/appCatalogs/teamsApps/` + catalogApp + `"}`, nil, http.StatusBadRequest, "BadRequest"},
		{"wrong @odata.type", path, `{"@odata.type":"#microsoft.graph.user","teamsApp@odata.bind":"` + s.URL() + `/appCatalogs/teamsApps/` + catalogApp + `"}`, nil, http.StatusBadRequest, "BadRequest"},
		{"not JSON", path, `teamsApp=1`, nil, http.StatusBadRequest, "BadRequest"},
		{"not labelled JSON", path, bindBody(s, catalogApp), map[string]string{"Content-Type": "text/plain"}, http.StatusUnsupportedMediaType, "UnsupportedMediaType"},
		{"bad gzip", path, bindBody(s, catalogApp), map[string]string{"Content-Encoding": "gzip"}, http.StatusBadRequest, "BadRequest"},
	}
	for _, tt := range tests {
		status, body := post(t, s, tt.path, tt.body, false, tt.hdr)
		if status != tt.status || graphCode(body) != tt.code {
			t.Errorf("%s: %d %v, want %d %s", tt.name, status, body, tt.status, tt.code)
		}
	}
	if got := s.Installs(); len(got) != 0 {
		t.Errorf("Installs() = %+v, want none", got)
	}
	// Only POST is served there.
	if status, _, body := get(t, s, "/users/"+tiina+"/teamwork/installedApps", ""); status != http.StatusMethodNotAllowed {
		t.Errorf("GET installedApps: %d %v", status, body)
	}
}

func TestInstallAppThrottleFailAndBearer(t *testing.T) {
	s := demo(t)
	s.AllowCatalogApp(catalogApp)
	s.RequireBearer("tok")
	path := "/users/" + tiina + "/teamwork/installedApps"
	auth := map[string]string{"Authorization": "Bearer tok"}

	if status, _ := post(t, s, path, bindBody(s, catalogApp), false, nil); status != http.StatusUnauthorized {
		t.Errorf("no token: %d", status)
	}
	s.Throttle(1, time.Second)
	if status, body := post(t, s, path, bindBody(s, catalogApp), false, auth); status != http.StatusTooManyRequests || graphCode(body) != "TooManyRequests" {
		t.Errorf("throttled: %d %v", status, body)
	}
	s.FailNext(1, http.StatusForbidden)
	if status, body := post(t, s, path, bindBody(s, catalogApp), false, auth); status != http.StatusForbidden || graphCode(body) != "Authorization_RequestDenied" {
		t.Errorf("forbidden: %d %v", status, body)
	}
	if got := s.Installs(); len(got) != 0 {
		t.Errorf("Installs() after refusals = %+v", got)
	}
	if status, body := post(t, s, path, bindBody(s, catalogApp), false, auth); status != http.StatusCreated {
		t.Errorf("after the failures: %d %v", status, body)
	}
	if got := s.Installs(); len(got) != 1 {
		t.Errorf("Installs() = %+v, want one", got)
	}
}
