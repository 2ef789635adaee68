package connector

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

func TestMarshalDropsNoise(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{
			name: "plain message",
			in:   schema.Activity{Type: schema.Message, Text: "hei"},
			want: `{"text":"hei","type":"message"}`,
		},
		{
			name: "zero activity",
			in:   schema.Activity{},
			want: `{}`,
		},
		{
			name: "partly filled nested objects keep only their values",
			in: schema.Activity{
				Type:      schema.Message,
				RelatesTo: schema.ConversationReference{ActivityID: "1"},
				From:      schema.ChannelAccount{ID: "28:bot"},
			},
			want: `{"from":{"id":"28:bot"},"relatesTo":{"activityId":"1"},"type":"message"}`,
		},
		{
			name: "real timestamps are kept",
			in:   schema.Activity{Type: schema.Message, Timestamp: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)},
			want: `{"timestamp":"2025-03-01T12:00:00Z","type":"message"}`,
		},
		{
			name: "free-form content passes through verbatim",
			in: schema.Activity{
				Type: schema.Message,
				Attachments: []schema.Attachment{{
					ContentType: "application/vnd.microsoft.card.adaptive",
					Content:     json.RawMessage(`{"type":"AdaptiveCard","version":"1.5","actions":[{"type":"Action.Execute","verb":"ok","data":{}}],"timestamp":"0001-01-01T00:00:00Z"}`),
				}},
				ChannelData: map[string]any{"tenant": map[string]any{"id": "t1"}, "notification": map[string]any{}},
				Value:       map[string]any{"empty": map[string]any{}},
			},
			want: `{"attachments":[{"content":{"type":"AdaptiveCard","version":"1.5","actions":[{"type":"Action.Execute","verb":"ok","data":{}}],"timestamp":"0001-01-01T00:00:00Z"},"contentType":"application/vnd.microsoft.card.adaptive"}],"channelData":{"notification":{},"tenant":{"id":"t1"}},"type":"message","value":{"empty":{}}}`,
		},
		{
			name: "text equal to the zero time is not a timestamp",
			in:   schema.Activity{Type: schema.Message, Text: "0001-01-01T00:00:00Z"},
			want: `{"text":"0001-01-01T00:00:00Z","type":"message"}`,
		},
		{
			name: "conversation parameters without an activity",
			in: schema.ConversationParameters{
				Bot:      schema.ChannelAccount{ID: "28:bot"},
				Members:  []schema.ChannelAccount{{ID: "29:user"}},
				TenantID: "t1",
			},
			want: `{"bot":{"id":"28:bot"},"members":[{"id":"29:user"}],"tenantId":"t1"}`,
		},
		{
			name: "empty array elements keep their place",
			in:   schema.Activity{Type: schema.Message, MembersAdded: []schema.ChannelAccount{{}, {ID: "29:x"}}},
			want: `{"membersAdded":[{},{"id":"29:x"}],"type":"message"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal:\n got %s\nwant %s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Errorf("invalid JSON: %s", got)
			}
		})
	}
}

// TestMarshalStockNoiseIsReal guards the premise: if encoding/json ever stops emitting these,
// Marshal is redundant but harmless; if the check fails the test tells which noise is gone.
func TestMarshalStockNoiseIsReal(t *testing.T) {
	stock, err := json.Marshal(schema.Activity{Type: schema.Message})
	if err != nil {
		t.Fatal(err)
	}
	for _, noise := range []string{`"timestamp":"0001-01-01T00:00:00Z"`, `"from":{}`, `"relatesTo":{`} {
		if !strings.Contains(string(stock), noise) {
			t.Errorf("stock encoding no longer contains %s", noise)
		}
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	in := schema.Activity{
		Type:         schema.Message,
		Text:         "Valtuutuspyyntö <b>&</b> \u2028",
		Conversation: schema.ConversationAccount{ID: "a:1", TenantID: "t"},
		Entities:     []schema.Entity{{Type: "mention"}},
		Value:        map[string]any{"n": json.Number("12345678901234567890")},
	}
	data, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out schema.Activity
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.Text != in.Text || out.Conversation != in.Conversation || out.Value["n"] != in.Value["n"] || len(out.Entities) != 1 {
		t.Errorf("round trip changed the activity: %+v", out)
	}
}

func BenchmarkMarshal(b *testing.B) {
	a := schema.Activity{
		Type: schema.Message,
		Attachments: []schema.Attachment{{
			ContentType: "application/vnd.microsoft.card.adaptive",
			Content:     map[string]any{"type": "AdaptiveCard", "version": "1.5", "body": []any{map[string]any{"type": "TextBlock", "text": strings.Repeat("x", 2000)}}},
		}},
	}
	for b.Loop() {
		if _, err := Marshal(a); err != nil {
			b.Fatal(err)
		}
	}
}
