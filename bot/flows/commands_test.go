package flows

import (
	"encoding/json"
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
