package flows

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/manifest"
)

// Every command in the Teams command menu, in every language, must do something: picking a suggested command that
// the bot then does not understand is the worst first impression.
func TestManifestCommandsAreUnderstood(t *testing.T) {
	for _, l := range domain.Langs {
		cmds, err := manifest.Commands(l)
		if err != nil {
			t.Fatal(err)
		}
		if len(cmds) == 0 {
			t.Fatalf("%s: no commands", l)
		}
		for _, c := range cmds {
			text := normalise(c.Title)
			_, help := helpWords[text]
			_, lang := languageCommand(text)
			cmd, _ := matchCommand(text)
			if !help && !lang && cmd == cmdNone {
				t.Errorf("%s: command %q is not understood", l, c.Title)
			}
		}
	}
}

func TestMatchCommand(t *testing.T) {
	cases := map[string]command{
		"mitä valtuuksia tarvitsen":                 cmdIntake,
		"tarvitsen valtuuksia kelaan":               cmdIntake,
		"which mandates do i need":                  cmdIntake,
		"jag behöver fullmakt för inkomstregistret": cmdIntake,
		"omat valtuudet":                            cmdMine,
		"my mandates":                               cmdMine,
		"översikt":                                  cmdOverview,
		"tehtävät":                                  cmdGrantTasks,
		"hyväksyttävät":                             cmdApprovals,
		"mikä on säätila":                           cmdNone,
	}
	for in, want := range cases {
		if got, _ := matchCommand(normalise(in)); got != want {
			t.Errorf("%q: got %v, want %v", in, got, want)
		}
	}
}

func TestDecodeActionRefusesTampering(t *testing.T) {
	var d cards.DecideData
	good := `{"requestId":7,"decision":"approveAll","reason":"ok","item_12":"true"}`
	in, err := decodeAction(json.RawMessage(good), &d, []string{cards.ReasonInput}, []string{cards.ItemInputPrefix})
	if err != nil || d.RequestID != 7 || d.Decision != "approveAll" || in["reason"] != "ok" || in["item_12"] != "true" {
		t.Fatalf("good data: %+v %v %v", d, in, err)
	}
	for _, bad := range []string{
		`{"requestId":7,"decision":"approveAll","actorId":"someone-else"}`, // a field the bot never writes
		`{"requestId":"7"}`,                // wrong type
		`{"requestId":7,"reason":{"x":1}}`, // input that is not text
		`{"requestId":7,"item_":"true"}`,   // prefix without an id
		`[1,2]`,                            // not an object
	} {
		var d cards.DecideData
		if _, err := decodeAction(json.RawMessage(bad), &d, []string{cards.ReasonInput}, []string{cards.ItemInputPrefix}); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	if _, err := toggles(map[string]string{"item_x": "true"}); err == nil {
		t.Error("non-numeric item id accepted")
	}
	if _, err := toggles(map[string]string{"item_3": "yes"}); err == nil {
		t.Error("odd toggle value accepted")
	}
}

// A text that tells people what to type must name something the bot understands, in the language of the text: a
// refusal that says "type 'valtuudet'" when only "omat valtuudet" works sends people into a dead end. A quoted
// phrase is a typed command, a help word, or the label of a button (another message of the same language).
func TestQuotedCommandsInTextsExist(t *testing.T) {
	files, err := filepath.Glob("../../internal/i18n/messages/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no message files: %v", err)
	}
	quoted := regexp.MustCompile(`"([^"{}]+)"`)
	texts := map[domain.Lang]map[string]string{}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		l := domain.Lang(base[strings.LastIndex(base, ".")+1:])
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if texts[l] == nil {
			texts[l] = map[string]string{}
		}
		for k, v := range m {
			texts[l][k] = v
		}
	}
	checked := 0
	for l, m := range texts {
		labels := map[string]bool{}
		for _, v := range m {
			labels[v] = true
		}
		for k, v := range m {
			for _, q := range quoted.FindAllStringSubmatch(v, -1) {
				phrase := normalise(q[1])
				cmd, cmdLang := matchCommand(phrase)
				helpLang, help := helpWords[phrase]
				switch {
				case cmd != cmdNone && cmdLang == l, help && helpLang == l, labels[q[1]]:
					checked++
				default:
					t.Errorf("%s %q tells people to type %q, which the bot does not understand in %s", l, k, q[1], l)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no quoted command found in any text")
	}
}
