package domain

import (
	"reflect"
	"testing"
	"time"
)

func TestApprovalMessagesRoundTrip(t *testing.T) {
	since := time.Date(2026, 11, 25, 8, 30, 0, 0, time.UTC)
	tests := []struct {
		kind string
		p    Payload
		wire string
	}{
		{MsgApprovalReminder, ApprovalReminder{Since: since, Days: 3, MovesOn: NewDate(2026, 12, 4), ExpiresOn: NewDate(2026, 12, 23)},
			`{"v":1,"since":"2026-11-25T08:30:00Z","days":3,"moves_on":"2026-12-04","expires_on":"2026-12-23"}`},
		{MsgApprovalReminder, ApprovalReminder{Since: since, Days: 3, ExpiresOn: NewDate(2026, 12, 23)},
			`{"v":1,"since":"2026-11-25T08:30:00Z","days":3,"expires_on":"2026-12-23"}`},
		{MsgApproverChanged, ApproverChanged{Reason: ReassignEscalated, FromID: "sami", FromName: "Sami Virtanen",
			ToID: "helena", ToName: "Helena Åberg", Days: 7},
			`{"v":1,"days":7,"reason":"escalated","from":"sami","from_name":"Sami Virtanen","to":"helena","to_name":"Helena Åberg"}`},
		{MsgApproverChanged, ApproverChanged{Reason: ReassignDelegated, FromID: "sami", ToID: "dina"},
			`{"v":1,"reason":"delegated","from":"sami","to":"dina"}`},
		{MsgRequestExpired, RequestExpired{Days: 20}, `{"v":1,"days":20}`},
	}
	for _, tc := range tests {
		m := Message("recipient-oid", 42, tc.p)
		if m.Kind != tc.kind || string(m.Payload) != tc.wire {
			t.Errorf("%s: kind %s payload %s, want %s", tc.kind, m.Kind, m.Payload, tc.wire)
			continue
		}
		got, err := m.Decode()
		if err != nil || !reflect.DeepEqual(got, tc.p) {
			t.Errorf("%s: Decode = %#v, %v; want %#v", tc.kind, got, err, tc.p)
		}
	}
	bad := OutboxMessage{ID: 7, Kind: MsgApprovalReminder, Payload: []byte(`{"v":1,"moves_on":"4.12.2026"}`)}
	if _, err := bad.Decode(); err == nil {
		t.Error("a reminder with a malformed date decoded")
	}
	newer := OutboxMessage{ID: 8, Kind: MsgRequestExpired, Payload: []byte(`{"v":2,"days":20}`)}
	if _, err := newer.Decode(); err == nil {
		t.Error("a newer payload version decoded")
	}
}
