package manifest

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

var update = flag.Bool("update", false, "rewrite the golden manifest and the icons")

const sampleAppID = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"

func sampleParams() Params {
	return Params{AppID: sampleAppID, ValidDomains: []string{"valtuusbotti.porvoo.example"}, TabHost: "valtuusbotti.porvoo.example"}
}

// ecmaRegexp runs the schemas' patterns as ECMAScript regular expressions (JSON Schema's dialect): the
// localisation schema has a negative look-ahead that Go's regexp package cannot compile.
type ecmaRegexp regexp2.Regexp

func (re *ecmaRegexp) MatchString(s string) bool {
	ok, err := (*regexp2.Regexp)(re).MatchString(s)
	return err == nil && ok
}

func (re *ecmaRegexp) String() string { return (*regexp2.Regexp)(re).String() }

func compileECMA(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return (*ecmaRegexp)(re), nil
}

// loadSchema compiles one of Microsoft's schemas from testdata, registered under its public URL so that nothing is
// fetched.
func loadSchema(t *testing.T, file string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "schema", "v"+SchemaVersion, file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	id := "https://developer.microsoft.com/json-schemas/teams/v" + SchemaVersion + "/" + file
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(compileECMA)
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("compile %s: %v", file, err)
	}
	return sch
}

func decodeInstance(t *testing.T, b []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return v
}

func mustRender(t *testing.T, p Params) []byte {
	t.Helper()
	b, err := Render(p)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return b
}

func TestRenderGolden(t *testing.T) {
	got := mustRender(t, sampleParams())
	golden := filepath.Join("testdata", "manifest.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./manifest/ -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("manifest.json differs from %s (run go test ./manifest/ -update and review the diff)\n got:\n%s", golden, got)
	}
}

func TestRenderValidatesAgainstMicrosoftSchema(t *testing.T) {
	sch := loadSchema(t, "MicrosoftTeams.schema.json")
	for name, p := range map[string]Params{
		"defaults":                       {AppID: sampleAppID},
		"sample":                         sampleParams(),
		"tab host not among the domains": {AppID: sampleAppID, TabHost: "Valtuusbotti.Borga.example"},
		"all fields": {
			AppID: strings.ToUpper(sampleAppID), Version: "2.13.0", PackageName: "fi.porvoo.valtuusbotti",
			DeveloperName: "Kaupunki <&> \"Stad\"", WebsiteURL: "https://www.porvoo.fi/valtuudet?x=1&y=2",
			PrivacyURL: "https://www.porvoo.fi/tietosuoja", TermsURL: "https://www.porvoo.fi/ehdot",
			ValidDomains: []string{"valtuusbotti.porvoo.fi", "*.porvoo.fi"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			b := mustRender(t, p)
			if err := sch.Validate(decodeInstance(t, b)); err != nil {
				t.Fatalf("manifest.json is not valid against schema v%s:\n%v\n%s", SchemaVersion, err, b)
			}
		})
	}
}

// TestSchemaCheckCanFail guards the test above: the compiled schema must reject broken manifests.
func TestSchemaCheckCanFail(t *testing.T) {
	sch := loadSchema(t, "MicrosoftTeams.schema.json")
	for name, mutate := range map[string]func(m map[string]any){
		"no developer":     func(m map[string]any) { delete(m, "developer") },
		"long short name":  func(m map[string]any) { m["name"].(map[string]any)["short"] = strings.Repeat("x", 31) },
		"unknown property": func(m map[string]any) { m["packageName"] = "fi.porvoo.valtuusbotti" },
		"bad bot id":       func(m map[string]any) { m["bots"].([]any)[0].(map[string]any)["botId"] = "not-a-guid" },
		"bad scope":        func(m map[string]any) { m["bots"].([]any)[0].(map[string]any)["scopes"] = []any{"groupchat"} },
	} {
		t.Run(name, func(t *testing.T) {
			m := decodeInstance(t, mustRender(t, sampleParams())).(map[string]any)
			mutate(m)
			if err := sch.Validate(m); err == nil {
				t.Fatal("schema accepted a broken manifest")
			}
		})
	}
}

func TestManifestContent(t *testing.T) {
	var m struct {
		Schema          string `json:"$schema"`
		ManifestVersion string `json:"manifestVersion"`
		Version         string `json:"version"`
		ID              string `json:"id"`
		Developer       struct {
			Name string `json:"name"`
		} `json:"developer"`
		Icons struct {
			Color   string `json:"color"`
			Outline string `json:"outline"`
		} `json:"icons"`
		AccentColor string `json:"accentColor"`
		Bots        []struct {
			BotID         string   `json:"botId"`
			Scopes        []string `json:"scopes"`
			SupportsFiles *bool    `json:"supportsFiles"`
			CommandLists  []struct {
				Scopes []string `json:"scopes"`
			} `json:"commandLists"`
		} `json:"bots"`
		WebApplicationInfo struct {
			ID       string `json:"id"`
			Resource string `json:"resource"`
		} `json:"webApplicationInfo"`
		ValidDomains     []string `json:"validDomains"`
		LocalizationInfo struct {
			DefaultLanguageTag  string `json:"defaultLanguageTag"`
			AdditionalLanguages []struct {
				LanguageTag string `json:"languageTag"`
				File        string `json:"file"`
			} `json:"additionalLanguages"`
		} `json:"localizationInfo"`
	}
	if err := json.Unmarshal(mustRender(t, sampleParams()), &m); err != nil {
		t.Fatal(err)
	}
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("$schema", m.Schema, "https://developer.microsoft.com/json-schemas/teams/v"+SchemaVersion+"/MicrosoftTeams.schema.json")
	check("manifestVersion", m.ManifestVersion, SchemaVersion)
	check("version", m.Version, DefaultVersion)
	check("id", m.ID, sampleAppID)
	check("developer.name", m.Developer.Name, DefaultDeveloperName)
	check("icons.color", m.Icons.Color, colorIcon)
	check("icons.outline", m.Icons.Outline, outlineIcon)
	check("accentColor", m.AccentColor, accentColor)
	check("webApplicationInfo.id", m.WebApplicationInfo.ID, sampleAppID)
	check("webApplicationInfo.resource", m.WebApplicationInfo.Resource, "api://valtuusbotti.porvoo.example/botid-"+sampleAppID)
	check("localizationInfo.defaultLanguageTag", m.LocalizationInfo.DefaultLanguageTag, "en")
	if len(m.Bots) != 1 {
		t.Fatalf("%d bots, want 1", len(m.Bots))
	}
	bot := m.Bots[0]
	check("bots[0].botId", bot.BotID, sampleAppID)
	if !slices.Equal(bot.Scopes, []string{"personal", "team", "groupChat"}) {
		t.Errorf("bot scopes = %v", bot.Scopes)
	}
	// Main users send their lists to the bot and get exports back as files in the 1:1 chat (issue 9).
	if bot.SupportsFiles == nil || !*bot.SupportsFiles {
		t.Errorf("supportsFiles = %v, want true", bot.SupportsFiles)
	}
	var listScopes []string
	for _, l := range bot.CommandLists {
		listScopes = append(listScopes, l.Scopes...)
	}
	if !slices.Equal(listScopes, []string{"personal", "team", "groupChat"}) {
		t.Errorf("command lists cover scopes %v, want one list per scope", listScopes)
	}
	if !slices.Equal(m.ValidDomains, []string{"valtuusbotti.porvoo.example"}) {
		t.Errorf("validDomains = %v", m.ValidDomains)
	}
	var langs []string
	for _, l := range m.LocalizationInfo.AdditionalLanguages {
		langs = append(langs, l.LanguageTag+"="+l.File)
	}
	if !slices.Equal(langs, []string{"fi=" + finnishFile, "sv=" + swedishFile}) {
		t.Errorf("additionalLanguages = %v", langs)
	}

	// The app id is written trimmed and in lower case everywhere.
	if b := mustRender(t, Params{AppID: " " + strings.ToUpper(sampleAppID) + " "}); strings.Count(string(b), sampleAppID) != 4 {
		t.Errorf("an upper-case app id was not normalised into id, botId, webApplicationInfo.id and resource:\n%s", b)
	}

	// Defaults: no domains renders an empty list, not null.
	var noDomains struct {
		ValidDomains []string `json:"validDomains"`
	}
	b := mustRender(t, Params{AppID: sampleAppID})
	if err := json.Unmarshal(b, &noDomains); err != nil || noDomains.ValidDomains == nil {
		t.Errorf("validDomains without domains = %v (%v), want []", noDomains.ValidDomains, err)
	}
}

// localisable collects the manifest's strings that a localisation file may translate, under the localisation keys
// ("name.short", "bots[0].commandLists[1].commands[2].title", ...).
func localisable(t *testing.T, manifestJSON []byte) map[string]string {
	t.Helper()
	var m struct {
		Name        map[string]string `json:"name"`
		Description map[string]string `json:"description"`
		StaticTabs  []struct {
			Name string `json:"name"`
		} `json:"staticTabs"`
		Bots []struct {
			CommandLists []struct {
				Commands []map[string]string `json:"commands"`
			} `json:"commandLists"`
		} `json:"bots"`
	}
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for k, v := range m.Name {
		keys["name."+k] = v
	}
	for k, v := range m.Description {
		keys["description."+k] = v
	}
	for i, tab := range m.StaticTabs {
		keys[fmt.Sprintf("staticTabs[%d].name", i)] = tab.Name
	}
	for b, bot := range m.Bots {
		for l, list := range bot.CommandLists {
			for c, cmd := range list.Commands {
				for _, f := range []string{"title", "description"} {
					if v, ok := cmd[f]; ok {
						keys[fmt.Sprintf("bots[%d].commandLists[%d].commands[%d].%s", b, l, c, f)] = v
					}
				}
			}
		}
	}
	return keys
}

func TestLocalisationFiles(t *testing.T) {
	sch := loadSchema(t, "MicrosoftTeams.Localization.schema.json")
	english := localisable(t, mustRender(t, sampleParams()))
	wantSchema := "https://developer.microsoft.com/json-schemas/teams/v" + SchemaVersion + "/MicrosoftTeams.Localization.schema.json"
	for _, file := range []string{finnishFile, swedishFile} {
		t.Run(file, func(t *testing.T) {
			raw := mustAsset(file)
			if err := sch.Validate(decodeInstance(t, raw)); err != nil {
				t.Fatalf("%s is not valid against the localisation schema v%s:\n%v", file, SchemaVersion, err)
			}
			var loc map[string]string
			if err := json.Unmarshal(raw, &loc); err != nil {
				t.Fatal(err)
			}
			// Teams requires the manifest and its localisation files to use the same schema version.
			if loc["$schema"] != wantSchema {
				t.Errorf("$schema = %q, want %q", loc["$schema"], wantSchema)
			}
			delete(loc, "$schema")
			// Every key translates a string that exists in manifest.json, and every string is translated.
			for k := range loc {
				if _, ok := english[k]; !ok {
					t.Errorf("key %q has no counterpart in manifest.json", k)
				}
			}
			for k, en := range english {
				v, ok := loc[k]
				switch {
				case !ok:
					t.Errorf("missing translation of %q (%q)", k, en)
				case v == en && k != "name.short":
					t.Errorf("%q is not translated: %q", k, v)
				}
			}
		})
	}
}

// TestLocalisationSchemaCheckCanFail guards TestLocalisationFiles: a broken file must be rejected.
func TestLocalisationSchemaCheckCanFail(t *testing.T) {
	sch := loadSchema(t, "MicrosoftTeams.Localization.schema.json")
	for name, doc := range map[string]string{
		"missing description.full": `{"name.short":"x","description.short":"y"}`,
		"null as a value":          `{"name.short":"null","description.short":"y","description.full":"z"}`,
		"unknown key":              `{"name.short":"x","description.short":"y","description.full":"z","bots[0].commandLists[3].commands[0].title":"t"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if err := sch.Validate(decodeInstance(t, []byte(doc))); err == nil {
				t.Fatal("localisation schema accepted a broken file")
			}
		})
	}
}

func readZip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if _, dup := files[f.Name]; dup {
			t.Errorf("%s twice in the zip", f.Name)
		}
		files[f.Name] = buf.Bytes()
	}
	return files
}

func TestBuild(t *testing.T) {
	var zipped bytes.Buffer
	if err := Build(&zipped, sampleParams()); err != nil {
		t.Fatalf("Build: %v", err)
	}
	files := readZip(t, zipped.Bytes())
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	if want := []string{colorIcon, finnishFile, manifestFile, outlineIcon, swedishFile}; !slices.Equal(names, want) {
		t.Fatalf("zip holds %v, want exactly %v at the root", names, want)
	}
	if !bytes.Equal(files[manifestFile], mustRender(t, sampleParams())) {
		t.Error("manifest.json in the zip differs from Render")
	}
	for _, n := range []string{colorIcon, outlineIcon, finnishFile, swedishFile} {
		if !bytes.Equal(files[n], mustAsset(n)) {
			t.Errorf("%s in the zip differs from the embedded asset", n)
		}
	}
	// Every file the manifest names is in the package.
	var m struct {
		Icons            map[string]string `json:"icons"`
		LocalizationInfo struct {
			AdditionalLanguages []struct {
				File string `json:"file"`
			} `json:"additionalLanguages"`
		} `json:"localizationInfo"`
	}
	if err := json.Unmarshal(files[manifestFile], &m); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{m.Icons["color"], m.Icons["outline"]} {
		if _, ok := files[ref]; !ok {
			t.Errorf("manifest names %q, which is not in the zip", ref)
		}
	}
	for _, l := range m.LocalizationInfo.AdditionalLanguages {
		if _, ok := files[l.File]; !ok {
			t.Errorf("manifest names %q, which is not in the zip", l.File)
		}
	}
	// Reproducible: the same Params give the same bytes.
	var again bytes.Buffer
	if err := Build(&again, sampleParams()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(zipped.Bytes(), again.Bytes()) {
		t.Error("two builds with the same Params differ")
	}
}

func TestBuildRejectsBadParamsWithoutWriting(t *testing.T) {
	var out bytes.Buffer
	err := Build(&out, Params{AppID: "botti"})
	if !domain.IsCode(err, domain.EInvalid) {
		t.Fatalf("Build with a bad app id: err = %v, want an %s error", err, domain.EInvalid)
	}
	if out.Len() != 0 {
		t.Errorf("Build wrote %d bytes for invalid Params", out.Len())
	}
	if _, err := Render(Params{}); !domain.IsCode(err, domain.EInvalid) {
		t.Errorf("Render without an app id: err = %v, want %s", err, domain.EInvalid)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestBuildReportsWriteError(t *testing.T) {
	err := Build(failingWriter{}, sampleParams())
	if err == nil || !strings.Contains(err.Error(), "manifest.Build") {
		t.Fatalf("err = %v, want a manifest.Build error", err)
	}
}

func TestValidate(t *testing.T) {
	good := []Params{
		{AppID: sampleAppID},
		{AppID: strings.ToUpper(sampleAppID), Version: "0.0.1"},
		{AppID: " " + sampleAppID + "\n"}, // pasted with whitespace
		{AppID: sampleAppID, Version: "10.20.30", DeveloperName: strings.Repeat("ä", 32)},
		{AppID: sampleAppID, ValidDomains: []string{"a.example", "*.b.example", "localhost"}},
		{AppID: sampleAppID, PackageName: "anything: ignored"},
	}
	for i, p := range good {
		if err := p.Validate(); err != nil {
			t.Errorf("good[%d] %+v: %v", i, p, err)
		}
	}
	bad := map[string]Params{
		"empty app id":        {},
		"not a guid":          {AppID: "valtuusbotti"},
		"guid in braces":      {AppID: "{" + sampleAppID + "}"},
		"guid without dashes": {AppID: strings.ReplaceAll(sampleAppID, "-", "")},
		"guid too long":       {AppID: sampleAppID + "0"},
		"non-hex guid":        {AppID: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4g"},
		"nil guid":            {AppID: "00000000-0000-0000-0000-000000000000"},
		"two-part version":    {AppID: sampleAppID, Version: "1.0"},
		"v prefix":            {AppID: sampleAppID, Version: "v1.0.0"},
		"pre-release":         {AppID: sampleAppID, Version: "1.0.0-beta"},
		"leading zero":        {AppID: sampleAppID, Version: "01.0.0"},
		"long developer":      {AppID: sampleAppID, DeveloperName: strings.Repeat("x", 33)},
		"blank developer":     {AppID: sampleAppID, DeveloperName: "   "},
		"http website":        {AppID: sampleAppID, WebsiteURL: "http://www.porvoo.fi/"},
		"relative privacy":    {AppID: sampleAppID, PrivacyURL: "/privacy"},
		"terms without host":  {AppID: sampleAppID, TermsURL: "https://"},
		"domain with scheme":  {AppID: sampleAppID, ValidDomains: []string{"https://a.example"}},
		"domain with path":    {AppID: sampleAppID, ValidDomains: []string{"a.example/bot"}},
		"domain with port":    {AppID: sampleAppID, ValidDomains: []string{"a.example:443"}},
		"upper-case domain":   {AppID: sampleAppID, ValidDomains: []string{"A.example"}},
		"duplicate domain":    {AppID: sampleAppID, ValidDomains: []string{"a.example", "a.example"}},
		"empty domain":        {AppID: sampleAppID, ValidDomains: []string{""}},
		"too many domains":    {AppID: sampleAppID, ValidDomains: manyDomains(101)},
	}
	for name, p := range bad {
		t.Run(name, func(t *testing.T) {
			err := p.Validate()
			if !domain.IsCode(err, domain.EInvalid) {
				t.Fatalf("Validate(%+v) = %v, want an %s error", p, err, domain.EInvalid)
			}
		})
	}
}

func manyDomains(n int) []string {
	d := make([]string, n)
	for i := range d {
		d[i] = "d" + strconv.Itoa(i) + ".example"
	}
	return d
}

func TestCommands(t *testing.T) {
	want := map[domain.Lang][]string{
		domain.English: {"help", "Which mandates do I need?", "my mandates", "overview", "language", "my team"},
		domain.Finnish: {"apua", "Mitä valtuuksia tarvitsen?", "omat valtuudet", "yleiskuva", "kieli", "tiimini"},
		domain.Swedish: {"hjälp", "Vilka fullmakter behöver jag?", "mina fullmakter", "översikt", "språk", "mitt team"},
	}
	for lang, titles := range want {
		t.Run(string(lang), func(t *testing.T) {
			cmds, err := Commands(lang)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cmds {
				got = append(got, c.Title)
				if c.Description == "" {
					t.Errorf("%q has no description", c.Title)
				}
			}
			if !slices.Equal(got, titles) {
				t.Fatalf("titles = %q, want %q", got, titles)
			}
			// help, the needs question and the language switch are offered everywhere; the personal views only in
			// the personal chat, where nobody else reads the answer.
			for i, c := range cmds {
				wantScopes := []string{"personal"}
				if i == 0 || i == 1 || i == 4 {
					wantScopes = []string{"personal", "team", "groupChat"}
				}
				if !slices.Equal(c.Scopes, wantScopes) {
					t.Errorf("%q scopes = %v, want %v", c.Title, c.Scopes, wantScopes)
				}
			}
		})
	}
	if _, err := Commands("de"); !domain.IsCode(err, domain.EInvalid) {
		t.Errorf("Commands(de) err = %v, want %s", err, domain.EInvalid)
	}
}

// TestCommandTitlesFit checks the titles stay short enough for Teams' command menu and contain nothing that the
// bot's text matching would trip over.
func TestCommandTitlesFit(t *testing.T) {
	clean := regexp.MustCompile(`^[\p{L}\p{N} ?]+$`)
	for _, lang := range domain.Langs {
		cmds, err := Commands(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cmds {
			if len([]rune(c.Title)) > 32 || !clean.MatchString(c.Title) {
				t.Errorf("%s: title %q is too long or has unusual characters", lang, c.Title)
			}
		}
	}
}

// The dashboard tab is in the package exactly when a tab host is given: a personal static tab on that host, the
// host among the valid domains, the SSO resource on it, and the tab's name in the localisation files.
func TestDashboardTab(t *testing.T) {
	type tabJSON struct {
		EntityID   string   `json:"entityId"`
		Name       string   `json:"name"`
		ContentURL string   `json:"contentUrl"`
		Scopes     []string `json:"scopes"`
	}
	var m struct {
		StaticTabs         []tabJSON `json:"staticTabs"`
		ValidDomains       []string  `json:"validDomains"`
		WebApplicationInfo struct {
			ID       string `json:"id"`
			Resource string `json:"resource"`
		} `json:"webApplicationInfo"`
	}
	if err := json.Unmarshal(mustRender(t, Params{AppID: sampleAppID, TabHost: " Tab.Porvoo.Example "}), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.StaticTabs) != 1 || m.StaticTabs[0].EntityID != "dashboard" || m.StaticTabs[0].ContentURL != "https://tab.porvoo.example/tab/?locale={locale}" ||
		!slices.Equal(m.StaticTabs[0].Scopes, []string{"personal"}) {
		t.Errorf("staticTabs = %+v", m.StaticTabs)
	}
	if !slices.Equal(m.ValidDomains, []string{"tab.porvoo.example"}) || m.WebApplicationInfo.ID != sampleAppID ||
		m.WebApplicationInfo.Resource != "api://tab.porvoo.example/botid-"+sampleAppID {
		t.Errorf("validDomains %q, webApplicationInfo %+v", m.ValidDomains, m.WebApplicationInfo)
	}
	// A tab app registration apart from the bot's identity (a managed identity cannot expose an API).
	const tabApp = "0f5d2c3a-1b2c-4d5e-8f90-a1b2c3d4e5f6"
	if err := json.Unmarshal(mustRender(t, Params{AppID: sampleAppID, TabHost: "tab.porvoo.example", TabAppID: tabApp}), &m); err != nil {
		t.Fatal(err)
	}
	if m.WebApplicationInfo.ID != tabApp || m.WebApplicationInfo.Resource != "api://tab.porvoo.example/"+tabApp {
		t.Errorf("with a tab app id: webApplicationInfo %+v", m.WebApplicationInfo)
	}
	if _, err := Render(Params{AppID: sampleAppID, TabAppID: tabApp}); err == nil {
		t.Error("a tab app id without a tab host was accepted")
	}
	m.StaticTabs = nil
	if err := json.Unmarshal(mustRender(t, Params{AppID: sampleAppID}), &m); err != nil {
		t.Fatal(err)
	}
	if m.StaticTabs != nil || m.WebApplicationInfo.Resource != "api://botid-"+sampleAppID {
		t.Errorf("without a tab host: staticTabs %+v, resource %q", m.StaticTabs, m.WebApplicationInfo.Resource)
	}
	for _, withTab := range []bool{false, true} {
		p := Params{AppID: sampleAppID}
		if withTab {
			p.TabHost = "tab.porvoo.example"
		}
		var buf bytes.Buffer
		if err := Build(&buf, p); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			if f.Name != finnishFile && f.Name != swedishFile {
				continue
			}
			rc, _ := f.Open()
			var loc map[string]string
			if err := json.NewDecoder(rc).Decode(&loc); err != nil {
				t.Fatalf("%s (tab %v) is not JSON: %v", f.Name, withTab, err)
			}
			rc.Close()
			if _, has := loc["staticTabs[0].name"]; has != withTab {
				t.Errorf("%s with tab %v: staticTabs[0].name present = %v", f.Name, withTab, has)
			}
		}
	}
	if err := (Params{AppID: sampleAppID, TabHost: "https://x.example/tab"}).Validate(); !domain.IsCode(err, domain.EInvalid) {
		t.Errorf("a tab host with a scheme = %v", err)
	}
}
