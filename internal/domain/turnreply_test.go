package domain

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestTurnReplyRoundTrip(t *testing.T) {
	in := TurnReply{ServiceURL: "https://smba/emea/", ConversationID: "a:1", TenantID: "t",
		Activity: json.RawMessage(`{"type":"message","text":"hei"}`)}
	m := TurnReplyMessage("aad-1", in)
	if m.Kind != MsgTurnReply || m.RecipientID != "aad-1" || KindOf(in) != MsgTurnReply {
		t.Fatalf("message %+v, kind %q", m, KindOf(in))
	}
	got, err := m.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("decoded %+v, want %+v", got, in)
	}
	for _, bad := range []string{`{"v":1}`, `{"v":9,"service_url":"x","conversation_id":"c","activity":{}}`, `nope`} {
		if _, err := (OutboxMessage{ID: 7, Kind: MsgTurnReply, Payload: json.RawMessage(bad)}).Decode(); err == nil ||
			!strings.Contains(err.Error(), "outbox message 7") {
			t.Errorf("payload %s decoded without a clear error: %v", bad, err)
		}
	}
}
