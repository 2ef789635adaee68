package connector

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// Every action of a card, however deep, comes back with the stamp; the card's own keys win; other attachments and
// a card without actions are untouched.
func TestStampActivity(t *testing.T) {
	card := map[string]any{"type": "AdaptiveCard", "body": []any{map[string]any{"type": "TextBlock", "text": "x"}},
		"actions": []any{
			map[string]any{"type": "Action.Execute", "verb": "approve", "data": map[string]any{"request": "r1"}},
			map[string]any{"type": "Action.Submit"},
			map[string]any{"type": "Action.ShowCard", "card": map[string]any{"type": "AdaptiveCard",
				"actions": []any{map[string]any{"type": "Action.Execute", "verb": "x", "data": map[string]any{"_org": "own"}}}}},
			map[string]any{"type": "Action.OpenUrl", "url": "https://example.org"},
		},
		"refresh": map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "refresh"}}}
	in := schema.Activity{Attachments: []schema.Attachment{{ContentType: adaptiveCardType, Content: card},
		{ContentType: "text/plain", Content: "Action.Execute"}}}
	out := stampActivity(in, map[string]string{"_org": "1061512-1"})
	raw, err := json.Marshal(out.Attachments[0].Content)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	if n := strings.Count(s, `"_org":"1061512-1"`); n != 3 {
		t.Errorf("%d actions stamped, want 3 (execute, submit, refresh): %s", n, s)
	}
	if !strings.Contains(s, `"_org":"own"`) || !strings.Contains(s, `"request":"r1"`) {
		t.Errorf("the card's own data changed: %s", s)
	}
	if strings.Contains(s, `"url":"https://example.org","data"`) {
		t.Errorf("an open-url action got data: %s", s)
	}
	if out.Attachments[1].Content != "Action.Execute" {
		t.Error("a non-card attachment changed")
	}
	if _, ok := in.Attachments[0].Content.(map[string]any); !ok {
		t.Error("the caller's activity changed")
	}
	if got := stampActivity(in, nil); got.Attachments[0].Content == nil {
		t.Error("no stamp must leave the activity as it is")
	}
}
