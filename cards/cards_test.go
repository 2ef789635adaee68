package cards

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var bundle = i18n.MustLoad()

var porvoo = domain.Text{FI: "Porvoon kaupunki", SV: "Borgå stad", EN: "City of Porvoo"}

// goldenSets holds every card with the inputs its golden files are made from. Each feature's test file registers
// its own set in an init function, so features never edit the same list.
var goldenSets = []func() map[string]func(p i18n.Printer) *Card{welcomeGolden}

func goldenCards() map[string]func(p i18n.Printer) *Card {
	all := map[string]func(p i18n.Printer) *Card{}
	for _, set := range goldenSets {
		for name, build := range set() {
			if _, dup := all[name]; dup {
				panic("two golden cards named " + name)
			}
			all[name] = build
		}
	}
	return all
}

func welcomeGolden() map[string]func(p i18n.Printer) *Card {
	return map[string]func(p i18n.Printer) *Card{
		"welcome": func(p i18n.Printer) *Card {
			return Welcome(p, WelcomeInput{FirstName: "Elina", OrgName: porvoo})
		},
		"welcome-noname": func(p i18n.Printer) *Card { return Welcome(p, WelcomeInput{OrgName: porvoo}) },
		"welcome-employee": func(p i18n.Printer) *Card {
			return Welcome(p, WelcomeInput{FirstName: "Elina", OrgName: porvoo, Flow: true})
		},
		"welcome-mainuser": func(p i18n.Printer) *Card {
			return Welcome(p, WelcomeInput{FirstName: "Mikael", OrgName: porvoo, Flow: true, Approver: true, MainUser: true})
		},
	}
}

func TestGolden(t *testing.T) {
	for name, build := range goldenCards() {
		for _, l := range domain.Langs {
			file := filepath.Join("testdata", name+"."+string(l)+".json")
			t.Run(name+"."+string(l), func(t *testing.T) {
				c := build(bundle.Printer(l))
				raw, err := c.JSON()
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := json.Indent(&buf, raw, "", "  "); err != nil {
					t.Fatal(err)
				}
				buf.WriteByte('\n')
				if *update {
					if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatalf("%v (run go test ./cards -update to create it)", err)
				}
				if !bytes.Equal(want, buf.Bytes()) {
					t.Errorf("%s differs from the built card; if the change is intended run go test ./cards -update\n got: %s", file, buf.String())
				}
				checkCard(t, c, raw, l)
			})
		}
	}
}

// checkCard holds the rules every card follows whatever its content.
func checkCard(t *testing.T, c *Card, raw []byte, l domain.Lang) {
	t.Helper()
	if c.Version != "1.5" || c.Type != "AdaptiveCard" {
		t.Errorf("version %q type %q", c.Version, c.Type)
	}
	if len(raw) > MaxBytes {
		t.Errorf("card is %d bytes", len(raw))
	}
	if c.Lang != string(l) {
		t.Errorf("lang %q, want %q", c.Lang, l)
	}
	s := string(raw)
	for _, bad := range []string{"Action.Submit", "{org}", "{name}", "\"text\":\"\""} {
		if strings.Contains(s, bad) {
			t.Errorf("card contains %q", bad)
		}
	}
	// An untranslated message key would show as the key itself, e.g. "welcome.intro".
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, vv := range x {
				if k == "text" || k == "title" {
					if str, ok := vv.(string); ok && !strings.Contains(str, " ") && strings.Count(str, ".") >= 1 && strings.ToLower(str) == str {
						t.Errorf("text %q looks like an untranslated key", str)
					}
				}
				walk(vv)
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		}
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	walk(v)
}

func TestWelcomeOffersOtherLanguages(t *testing.T) {
	c := Welcome(bundle.Printer(domain.Swedish), WelcomeInput{OrgName: porvoo})
	raw, _ := c.JSON()
	s := string(raw)
	if !strings.Contains(s, "Borgå stad") || strings.Contains(s, "Porvoon kaupunki") {
		t.Errorf("Swedish card should name the city in Swedish: %s", s)
	}
	if !strings.Contains(s, `"lang":"fi"`) || !strings.Contains(s, `"lang":"en"`) || strings.Contains(s, `{"lang":"sv"}`) {
		t.Errorf("Swedish card should offer Finnish and English only: %s", s)
	}
}

func TestOversizedCardRefused(t *testing.T) {
	c := New("fi")
	c.Body = []Element{Text(strings.Repeat("x", MaxBytes))}
	if _, err := c.JSON(); err == nil {
		t.Fatal("expected an error for an oversized card")
	}
}

// The welcome card offers only what works for its reader: no approvals list for someone with nothing to approve,
// main users' views only to main users.
func TestWelcomeOffersOnlyWhatTheReaderCanUse(t *testing.T) {
	p := bundle.Printer(domain.Finnish)
	verbs := func(c *Card) string { raw, _ := c.JSON(); return string(raw) }
	emp := verbs(Welcome(p, WelcomeInput{OrgName: porvoo, Flow: true}))
	if !strings.Contains(emp, VerbIntakeOpen) || !strings.Contains(emp, VerbMyMandates) ||
		strings.Contains(emp, VerbApprovalList) || strings.Contains(emp, VerbOverview) || strings.Contains(emp, VerbGrantList) {
		t.Errorf("employee's welcome: %s", emp)
	}
	mu := verbs(Welcome(p, WelcomeInput{OrgName: porvoo, Flow: true, Approver: true, MainUser: true}))
	for _, v := range []string{VerbApprovalList, VerbOverview, VerbGrantList} {
		if !strings.Contains(mu, v) {
			t.Errorf("main user's welcome lacks %s", v)
		}
	}
	if off := verbs(Welcome(p, WelcomeInput{OrgName: porvoo})); strings.Contains(off, VerbIntakeOpen) {
		t.Error("without the flow the welcome must not offer it")
	}
}
