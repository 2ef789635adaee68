package fakegraph

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxBody bounds the request bodies the fake reads; Graph's own limit is 4 MB.
const maxBody = 4 << 20

// Install is one installation of a Teams app in a user's personal scope, with lower-case ids.
type Install struct {
	UserID string // the user's object id
	AppID  string // the app's id in the org catalog
}

// AllowCatalogApp puts a Teams app into the fake org catalog, so that it can be installed for users.
func (s *Server) AllowCatalogApp(catalogAppID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalog[strings.ToLower(catalogAppID)] = true
}

// Installs returns the installations made so far, oldest first; a repeated install (409) adds nothing.
func (s *Server) Installs() []Install {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Install(nil), s.installs...)
}

// installApp serves POST /users/{id}/teamwork/installedApps: 201 with no body the first time, 409 when the user
// already has the app, 404 for an unknown user or an app not in the catalog, 400 for a body Graph would refuse.
func (s *Server) installApp(a *answer, rec Request, userID string) {
	u, ok := s.users[strings.ToLower(userID)]
	if !ok {
		a.error(http.StatusNotFound, "Request_ResourceNotFound",
			fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", userID))
		return
	}
	if mt, _, err := mime.ParseMediaType(a.r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		a.error(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "The request body must be application/json.")
		return
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body, &body); err != nil || body == nil {
		a.error(http.StatusBadRequest, "BadRequest", "Empty Payload. JSON content expected.")
		return
	}
	var bind string
	for k, v := range body {
		switch k {
		case "teamsApp@odata.bind":
			bind, _ = v.(string)
		case "@odata.type":
			if t, _ := v.(string); t != "#microsoft.graph.userScopeTeamsAppInstallation" && t != "#microsoft.graph.teamsAppInstallation" {
				a.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("A type named '%v' could not be resolved by the model.", v))
				return
			}
		default:
			a.error(http.StatusBadRequest, "BadRequest",
				fmt.Sprintf("The property '%s' does not exist on type 'microsoft.graph.userScopeTeamsAppInstallation'.", k))
			return
		}
	}
	if bind == "" {
		a.error(http.StatusBadRequest, "BadRequest", "Bind property 'teamsApp@odata.bind' is required.")
		return
	}
	appID, ok := strings.CutPrefix(bind, s.URL()+"/appCatalogs/teamsApps/")
	if !ok || appID == "" || strings.ContainsAny(appID, "/?#") {
		a.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid odata.bind URL '%s'.", bind))
		return
	}
	appID = strings.ToLower(appID)
	if !s.catalog[appID] {
		a.error(http.StatusNotFound, "NotFound", fmt.Sprintf("App with id '%s' not found in the app catalog.", appID))
		return
	}
	in := Install{UserID: strings.ToLower(u.ID), AppID: appID}
	if s.installed[in] {
		a.error(http.StatusConflict, "Conflict", "The app is already installed for the user.")
		return
	}
	s.installed[in] = true
	s.installs = append(s.installs, in)
	a.empty(http.StatusCreated)
}

// readBody reads the request body, undoing the gzip encoding the SDK's compression middleware applies.
func readBody(r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil || len(raw) == 0 {
		return raw, err
	}
	if !strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return io.ReadAll(io.LimitReader(zr, maxBody))
}
