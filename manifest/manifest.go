// Package manifest builds Valtuusbotti's Microsoft Teams app package: manifest.json (schema v1.30, rendered from an
// embedded template), the two icons and the Finnish and Swedish localisation files, zipped at the root as Teams
// expects for an upload to the org catalog or a sideload.
//
// manifest.json itself is in English (localizationInfo.defaultLanguageTag "en"): Teams shows the default language
// to every client whose language has no file of its own, so English is the safer fallback for a bilingual city's
// guests and international staff; Finnish and Swedish clients get fi.json and sv.json.
package manifest

import (
	"archive/zip"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// SchemaVersion is the Teams app manifest schema version the package is written for (manifestVersion).
const SchemaVersion = "1.30"

// Defaults applied by Render and Build to empty Params fields.
const (
	DefaultVersion       = "1.0.0"
	DefaultDeveloperName = "Porvoon kaupunki / Borgå stad"
	DefaultWebsiteURL    = "https://www.porvoo.fi/"
)

// accentColor is the background of color.png and the manifest's accentColor; keep them equal.
const accentColor = "#1D4F91"

// Files in the package, at the zip root, in the order they are written.
const (
	manifestFile = "manifest.json"
	colorIcon    = "color.png"
	outlineIcon  = "outline.png"
	finnishFile  = "fi.json"
	swedishFile  = "sv.json"
)

//go:embed assets/manifest.json.tmpl assets/color.png assets/outline.png assets/fi.json assets/sv.json
var assets embed.FS

// Params are the deployment-specific values of the app package. Only AppID is required.
type Params struct {
	// AppID is the bot's Microsoft Entra application (client) id, a GUID (surrounding space is trimmed and it is
	// written in lower case). It is the Teams app id, bots[0].botId and webApplicationInfo.id.
	AppID string
	// Version is the app package version, MAJOR.MINOR.PATCH; default "1.0.0". Teams only accepts an updated
	// package whose version is higher than the installed one.
	Version string
	// PackageName is accepted for compatibility and ignored: manifest schema v1.17 and later have no packageName.
	PackageName string
	// DeveloperName is shown as the publisher (at most 32 characters); default "Porvoon kaupunki / Borgå stad".
	DeveloperName string
	// WebsiteURL, PrivacyURL and TermsURL must be https URLs. WebsiteURL defaults to https://www.porvoo.fi/;
	// PrivacyURL and TermsURL default to WebsiteURL. Set real privacy and terms pages before publishing.
	WebsiteURL, PrivacyURL, TermsURL string
	// ValidDomains are host names (a leading "*." wildcard is allowed) that the app may open inside Teams, for
	// example the bot's public host. Empty is fine for a bot without tabs.
	ValidDomains []string
	// TabHost is the public host name the service is reached at (VALTUUS_TAB_HOST): with it the package has the
	// dashboard tab (https://<TabHost>/tab/, personal scope), TabHost among the valid domains, and the SSO resource
	// api://<TabHost>/botid-<AppID>. Empty: no tab, and the bot's own resource api://botid-<AppID>.
	TabHost string
	// TabAppID is the Entra app registration the tab's Teams SSO tokens are for, when it is not the bot's own
	// (VALTUUS_TAB_APP_ID; e.g. a bot whose identity is a managed identity, which cannot expose an API): it is then
	// webApplicationInfo.id and the resource is api://<TabHost>/<TabAppID>. Empty: the bot's app id.
	TabAppID string
}

// withDefaults returns p with empty fields filled in.
func (p Params) withDefaults() Params {
	if p.Version == "" {
		p.Version = DefaultVersion
	}
	if p.DeveloperName == "" {
		p.DeveloperName = DefaultDeveloperName
	}
	if p.WebsiteURL == "" {
		p.WebsiteURL = DefaultWebsiteURL
	}
	if p.PrivacyURL == "" {
		p.PrivacyURL = p.WebsiteURL
	}
	if p.TermsURL == "" {
		p.TermsURL = p.WebsiteURL
	}
	// Entra shows app ids in lower case; Teams compares them case-insensitively, but logs and diffs read better.
	p.AppID = strings.ToLower(strings.TrimSpace(p.AppID))
	p.TabHost = strings.ToLower(strings.TrimSpace(p.TabHost))
	p.TabAppID = strings.ToLower(strings.TrimSpace(p.TabAppID))
	return p
}

var (
	guidRE   = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	semverRE = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`)
	// A DNS name of letters, digits and hyphens, optionally starting with a "*." wildcard label.
	domainRE = regexp.MustCompile(`^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// Validate reports the first problem that would make the package invalid, as a domain.EInvalid error. Empty
// optional fields are checked with their defaults.
func (p Params) Validate() error {
	q := p.withDefaults()
	if q.AppID == "" {
		return invalid("the app id is required")
	}
	if !guidRE.MatchString(q.AppID) {
		return invalid("the app id %q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", q.AppID)
	}
	if strings.Trim(q.AppID, "0-") == "" {
		return invalid("the app id must not be the nil GUID")
	}
	if !semverRE.MatchString(q.Version) {
		return invalid("the version %q is not MAJOR.MINOR.PATCH", q.Version)
	}
	if n := utf8.RuneCountInString(q.DeveloperName); n > 32 || strings.TrimSpace(q.DeveloperName) == "" {
		return invalid("the developer name must have 1 to 32 characters, not %d", n)
	}
	for _, u := range []struct{ name, value string }{
		{"website URL", q.WebsiteURL}, {"privacy URL", q.PrivacyURL}, {"terms of use URL", q.TermsURL},
	} {
		if err := checkHTTPS(u.name, u.value); err != nil {
			return err
		}
	}
	if len(q.ValidDomains) > 100 {
		return invalid("at most 100 valid domains are allowed, not %d", len(q.ValidDomains))
	}
	seen := make(map[string]bool, len(q.ValidDomains))
	for _, d := range q.ValidDomains {
		if len(d) > 253 || !domainRE.MatchString(d) {
			return invalid("the valid domain %q is not a lower-case host name (no scheme, port or path)", d)
		}
		if seen[d] {
			return invalid("the valid domain %q is listed twice", d)
		}
		seen[d] = true
	}
	if q.TabAppID != "" && (!guidRE.MatchString(q.TabAppID) || q.TabHost == "") {
		return invalid("the tab's app id %q needs to be a GUID, and a tab host beside it", q.TabAppID)
	}
	if q.TabHost != "" && (len(q.TabHost) > 253 || strings.HasPrefix(q.TabHost, "*") || !domainRE.MatchString(q.TabHost)) {
		return invalid("the tab host %q is not a lower-case host name (no wildcard, scheme, port or path)", q.TabHost)
	}
	return nil
}

func checkHTTPS(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || len(raw) > 2048 {
		return invalid("the %s %q is not an absolute https URL", name, raw)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return domain.Errorf(domain.EInvalid, format, args...)
}

// templateData is what assets/manifest.json.tmpl sees.
type templateData struct {
	Params
	SchemaVersion string
	AccentColor   string
	Resource      string
	WebAppID      string // webApplicationInfo.id: the tab's app registration, else the bot's app id
}

// Render returns manifest.json for p: validated, indented with two spaces, ending in a newline.
func Render(p Params) (out []byte, err error) {
	defer func() { err = domain.Wrap("manifest.Render", err) }()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return render(p.withDefaults())
}

// render executes the template for q, which must already be validated and defaulted.
func render(q Params) ([]byte, error) {
	if q.ValidDomains == nil {
		q.ValidDomains = []string{}
	}
	resource, webAppID := "api://botid-"+q.AppID, q.AppID
	if q.TabHost != "" {
		resource = "api://" + q.TabHost + "/botid-" + q.AppID
		if q.TabAppID != "" && q.TabAppID != q.AppID {
			resource, webAppID = "api://"+q.TabHost+"/"+q.TabAppID, q.TabAppID
		}
		if !slices.Contains(q.ValidDomains, q.TabHost) {
			q.ValidDomains = append(slices.Clone(q.ValidDomains), q.TabHost)
		}
	}
	tmpl, err := template.New("manifest.json.tmpl").Funcs(template.FuncMap{"json": jsonValue}).
		ParseFS(assets, "assets/manifest.json.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	var raw bytes.Buffer
	if err := tmpl.Execute(&raw, templateData{
		Params:        q,
		SchemaVersion: SchemaVersion,
		AccentColor:   accentColor,
		Resource:      resource,
		WebAppID:      webAppID,
	}); err != nil {
		return nil, fmt.Errorf("execute template: %w", err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, raw.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("template produced invalid JSON: %w", err)
	}
	pretty.WriteByte('\n')
	return pretty.Bytes(), nil
}

// jsonValue encodes v as a JSON value for the template, without escaping <, > and & (the manifest is not HTML).
func jsonValue(v any) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// packageTime is the modification time of every zip entry, so that equal Params give byte-identical packages.
var packageTime = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// Build writes the app package for p to w: a zip with manifest.json, color.png, outline.png, fi.json and sv.json at
// its root. Nothing is written when p is invalid.
func Build(w io.Writer, p Params) (err error) {
	defer func() { err = domain.Wrap("manifest.Build", err) }()
	withTab := p.withDefaults().TabHost != ""
	manifestJSON, err := Render(p)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{
		{manifestFile, manifestJSON},
		{colorIcon, mustAsset(colorIcon)},
		{outlineIcon, mustAsset(outlineIcon)},
		{finnishFile, localisation(finnishFile, withTab)},
		{swedishFile, localisation(swedishFile, withTab)},
	} {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: packageTime})
		if err != nil {
			return fmt.Errorf("zip %s: %w", f.name, err)
		}
		if _, err := fw.Write(f.data); err != nil {
			return fmt.Errorf("zip %s: %w", f.name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write package: %w", err)
	}
	return nil
}

// localisation returns a localisation file; without the tab, its lines for staticTabs are left out (each is one
// line of the file, never the last), as a file may only translate what manifest.json has.
func localisation(name string, withTab bool) []byte {
	b := mustAsset(name)
	if withTab {
		return b
	}
	var out []byte
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if !bytes.Contains(line, []byte(`"staticTabs[`)) {
			out = append(out, line...)
		}
	}
	return out
}

// mustAsset returns an embedded file; the names are constants checked by the tests, so a miss is a build defect.
func mustAsset(name string) []byte {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(fmt.Sprintf("manifest: embedded asset %s missing: %v", name, err))
	}
	return b
}
