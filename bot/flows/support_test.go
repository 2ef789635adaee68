package flows

import (
	"context"
	"strings"
	"testing"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/support"
)

// A question that only names a mandate gets the FAQ's answer; one that asks for a mandate still opens the intake;
// other free text is a question too; commands keep working.
func TestFreeTextIsAQuestionAndCommandsKeepWorking(t *testing.T) {
	f := newFlows(t)
	f.Support = &support.Service{Store: sqltest.Open(t).Support(), Catalog: f.Catalog, Directory: f.Directory, Now: f.Now}
	ctx := context.Background()
	say := func(text string) string {
		res, err := f.Message(ctx, turn(f, elina, "personal", schema.Activity{Type: "message", Text: text}))
		if err != nil || len(res.Replies) != 1 {
			t.Fatalf("%q: %v %+v", text, err, res)
		}
		return strings.Join([]string{res.Replies[0].Text, res.Replies[0].Summary}, " ")
	}
	for text, want := range map[string]string{
		"miten käytän valtuutta omaverossa":   "Löysin nämä vastaukset",
		"valtuus ei näy palvelussa":           "Löysin nämä vastaukset",
		"tarvitsen valtuuksia kelaan":         "Mitä valtuuksia tarvitsen",
		"omat valtuudet":                      "Omat valtuuteni",
		"miten saan kaupungin auton avaimet?": "En ole varma vastauksesta",
	} {
		if got := say(text); !strings.Contains(strings.ToLower(got), strings.ToLower(want)) {
			t.Errorf("%q answered %q, want %q", text, got, want)
		}
	}
}
