package fakegraph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

const (
	tiina  = "7c1e4a52-0000-4000-8000-000000000007"
	pekka  = "7c1e4a52-0000-4000-8000-000000000008"
	helena = "7c1e4a52-0000-4000-8000-000000000003"
	oskar  = "7c1e4a52-0000-4000-8000-000000000006"
)

func demo(t *testing.T) *Server {
	t.Helper()
	f, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	return FromDirectory(t, f)
}

// get fetches path (relative to the Graph base URL) and decodes the JSON body.
func get(t *testing.T, s *Server, path, token string) (int, http.Header, map[string]any) {
	t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = s.URL() + path
	}
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("GET %s: body is not JSON: %v", path, err)
	}
	return resp.StatusCode, resp.Header, body
}

const sel = "?$select=id,displayName,mail,userPrincipalName,department,companyName,jobTitle,accountEnabled,employeeLeaveDateTime"

func TestUserWithSelect(t *testing.T) {
	s := demo(t)
	status, h, body := get(t, s, "/users/"+pekka+sel, "")
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("request-id") == "" {
		t.Fatalf("status %d, headers %v", status, h)
	}
	want := map[string]any{
		"@odata.context":        s.URL() + "/$metadata#users(id,displayName,mail,userPrincipalName,department,companyName,jobTitle,accountEnabled,employeeLeaveDateTime)/$entity",
		"id":                    pekka,
		"displayName":           "Pekka Lahti",
		"mail":                  "pekka.lahti@porvoo.example",
		"userPrincipalName":     "pekka.lahti@porvoo.example",
		"department":            "Sivistyspalvelut",
		"companyName":           "Porvoon kaupunki",
		"jobTitle":              "Hallintopäällikkö",
		"accountEnabled":        false,
		"employeeLeaveDateTime": "2026-10-31T00:00:00Z",
	}
	assertBody(t, body, want)
}

func TestUserWithoutSelectLacksExtendedProperties(t *testing.T) {
	s := demo(t)
	_, _, body := get(t, s, "/users/"+pekka, "")
	for _, p := range []string{"accountEnabled", "department", "companyName", "employeeLeaveDateTime"} {
		if _, ok := body[p]; ok {
			t.Errorf("%s returned without $select", p)
		}
	}
	if body["displayName"] != "Pekka Lahti" || body["jobTitle"] != "Hallintopäällikkö" {
		t.Errorf("default properties missing: %v", body)
	}
}

func TestUnknownSelectAndRoutes(t *testing.T) {
	s := demo(t)
	status, _, body := get(t, s, "/users/"+pekka+"?$select=id,shoeSize", "")
	if status != http.StatusBadRequest || graphCode(body) != "Request_BadRequest" {
		t.Errorf("unknown $select: %d %v", status, body)
	}
	status, _, body = get(t, s, "/groups/x", "")
	if status != http.StatusBadRequest || graphCode(body) != "BadRequest" {
		t.Errorf("unknown route: %d %v", status, body)
	}
}

func TestNotFoundBodies(t *testing.T) {
	s := demo(t)
	for _, path := range []string{"/users/7c1e4a52-0000-4000-8000-0000000000ff", "/users/" + oskar + "/manager"} {
		status, _, body := get(t, s, path, "")
		errObj, _ := body["error"].(map[string]any)
		inner, _ := errObj["innerError"].(map[string]any)
		if status != http.StatusNotFound || errObj["code"] != "Request_ResourceNotFound" || errObj["message"] == "" || inner["request-id"] == "" {
			t.Errorf("GET %s = %d %v, want Graph's 404 body", path, status, body)
		}
	}
}

func TestManager(t *testing.T) {
	s := demo(t)
	status, _, body := get(t, s, "/users/"+tiina+"/manager"+sel, "")
	if status != http.StatusOK {
		t.Fatalf("status %d: %v", status, body)
	}
	assertBody(t, body, map[string]any{
		"@odata.context": s.URL() + "/$metadata#directoryObjects/$entity",
		"@odata.type":    "#microsoft.graph.user",
		"id":             pekka,
		"accountEnabled": false,
	})
}

func TestDirectReportsPaging(t *testing.T) {
	s := demo(t)
	s.SetPageSize(1)
	s.AddOrgContactReport(helena, "11111111-0000-4000-8000-000000000001", "External auditor")

	var got []string
	next := s.URL() + "/users/" + helena + "/directReports" + sel
	pages := 0
	for next != "" {
		pages++
		status, _, body := get(t, s, next, "")
		if status != http.StatusOK {
			t.Fatalf("page %d: %d %v", pages, status, body)
		}
		if ctx, _ := body["@odata.context"].(string); !strings.Contains(ctx, "$metadata#directoryObjects") {
			t.Errorf("page %d context %q", pages, ctx)
		}
		for _, v := range body["value"].([]any) {
			o := v.(map[string]any)
			got = append(got, o["@odata.type"].(string)+" "+o["displayName"].(string))
		}
		next, _ = body["@odata.nextLink"].(string)
		if next != "" && !strings.Contains(next, "%24select=") {
			t.Errorf("nextLink %q drops $select", next)
		}
	}
	want := "#microsoft.graph.user Sami Virtanen|#microsoft.graph.user Mikael Nordström|#microsoft.graph.orgContact External auditor"
	if strings.Join(got, "|") != want || pages != 3 {
		t.Errorf("reports over %d pages = %q, want %q over 3", pages, strings.Join(got, "|"), want)
	}
}

func TestThrottleFailAndBearer(t *testing.T) {
	s := demo(t)
	s.RequireBearer("tok")
	if status, _, body := get(t, s, "/users/"+pekka, ""); status != http.StatusUnauthorized || graphCode(body) != "InvalidAuthenticationToken" {
		t.Errorf("no token: %d %v", status, body)
	}
	if status, _, _ := get(t, s, "/users/"+pekka, "wrong"); status != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", status)
	}
	s.Throttle(1, 2*time.Second)
	s.FailNext(1, http.StatusServiceUnavailable)
	status, h, body := get(t, s, "/users/"+pekka, "tok")
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "2" || graphCode(body) != "TooManyRequests" {
		t.Errorf("throttled: %d Retry-After %q %v", status, h.Get("Retry-After"), body)
	}
	if status, _, body := get(t, s, "/users/"+pekka, "tok"); status != http.StatusServiceUnavailable || graphCode(body) != "serviceNotAvailable" {
		t.Errorf("failing: %d %v", status, body)
	}
	if status, _, _ := get(t, s, "/users/"+pekka, "tok"); status != http.StatusOK {
		t.Errorf("after the failures: %d", status)
	}

	reqs := s.Requests()
	var statuses []int
	for _, r := range reqs {
		statuses = append(statuses, r.Status)
	}
	if len(reqs) != 5 || reqs[0].Bearer != "" || reqs[1].Bearer != "wrong" || reqs[4].Bearer != "tok" ||
		reqs[4].Path != "/v1.0/users/"+pekka || statuses[4] != http.StatusOK || statuses[2] != http.StatusTooManyRequests {
		t.Errorf("recorded %+v", reqs)
	}
}

func TestPutAndMissingMail(t *testing.T) {
	s := New(t, User{User: directoryUser("00000000-0000-4000-8000-00000000000a", "Ann", ""), UserPrincipalName: "ann@tenant.example"})
	_, _, body := get(t, s, "/users/00000000-0000-4000-8000-00000000000A"+sel, "")
	assertBody(t, body, map[string]any{"mail": nil, "userPrincipalName": "ann@tenant.example", "accountEnabled": true})
	if u, err := url.Parse(s.URL()); err != nil || u.Hostname() != s.Host() || strings.Contains(s.Host(), ":") {
		t.Errorf("Host() = %q for %q", s.Host(), s.URL())
	}
}

func TestCredential(t *testing.T) {
	c := &Credential{Token: "tok"}
	tok, err := c.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil || tok.Token != "tok" {
		t.Fatalf("GetToken = %v, %v", tok, err)
	}
	if sc := c.Scopes(); len(sc) != 1 || sc[0][0] != "https://graph.microsoft.com/.default" {
		t.Errorf("Scopes = %v", sc)
	}
}

func graphCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func assertBody(t *testing.T, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok || g != w {
			t.Errorf("%s = %#v (present %v), want %#v", k, g, ok, w)
		}
	}
}

func directoryUser(id, name, mail string) domain.User {
	return domain.User{ID: id, DisplayName: name, Mail: mail, AccountEnabled: true}
}
