package connector

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// The direct encoding says the same as the general path, for the activities the bot sends, and the general path
// still serves what the direct one cannot express.
func TestMarshalActivityMatchesMarshal(t *testing.T) {
	card := map[string]any{"type": "AdaptiveCard", "version": "1.5", "body": []any{map[string]any{"type": "TextBlock", "text": "Hei"}},
		"actions": []any{map[string]any{"type": "Action.Execute", "verb": "ok", "data": map[string]any{}}}}
	for name, a := range map[string]schema.Activity{
		"zero":  {},
		"plain": {Type: schema.Message, Text: "hei", TextFormat: "plain"},
		"reply": {Type: schema.Message, ReplyToID: "1", From: schema.ChannelAccount{ID: "28:bot", Name: "Valtuusbotti"},
			Recipient:    schema.ChannelAccount{ID: "29:u", AadObjectID: "aad"},
			Conversation: schema.ConversationAccount{ID: "a:1", ConversationType: "personal", TenantID: "t"},
			ChannelID:    "msteams", ServiceURL: "https://smba/", Summary: "Tervetuloa",
			Attachments: []schema.Attachment{{ContentType: "application/vnd.microsoft.card.adaptive", Content: card}}},
		"timestamps":   {Type: schema.Message, Timestamp: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)},
		"channel data": {Type: schema.Message, ChannelData: map[string]any{"tenant": map[string]any{"id": "t"}, "notification": map[string]any{}}},
		"relates to":   {Type: schema.Message, RelatesTo: schema.ConversationReference{ActivityID: "1"}},
		"entities":     {Type: schema.Message, Entities: []schema.Entity{{Type: "mention"}}},
	} {
		fast, err := MarshalActivity(a)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var f, s any
		if err := json.Unmarshal(fast, &f); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(slow, &s)
		if !reflect.DeepEqual(f, s) {
			t.Errorf("%s:\nfast %s\nslow %s", name, fast, slow)
		}
	}
	if fastActivity(&schema.Activity{RelatesTo: schema.ConversationReference{ActivityID: "1"}}) {
		t.Error("relatesTo took the direct encoding, which would write its empty user and bot")
	}
}
