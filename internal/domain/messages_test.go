package domain

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestMessageRoundTrip(t *testing.T) {
	tests := []struct {
		kind string
		p    Payload
		wire string // the stored JSON
	}{
		{MsgApprovalRequest, ApprovalRequest{}, `{"v":1}`},
		{MsgDecisionNotice, DecisionNotice{}, `{"v":1}`},
		{MsgGrantTask, GrantTask{}, `{"v":1}`},
		{MsgGrantDigest, GrantDigest{}, `{"v":1}`},
		{MsgRequestSteps, RequestSteps{}, `{"v":1}`},
		{MsgCancelledNotice, CancelledNotice{}, `{"v":1}`},
		{MsgRefreshCards, RefreshCards{}, `{"v":1}`},
		{MsgGrantedNotice, GrantedNotice{Items: []int64{3, 4}}, `{"v":1,"items":[3,4]}`},
		{MsgNotGrantedNotice, NotGrantedNotice{Items: []int64{7}}, `{"v":1,"items":[7]}`},
		{MsgApplicationNeeded, ApplicationNeeded{Themes: []string{"tulorekisteri", "kela"}}, `{"v":1,"themes":["tulorekisteri","kela"]}`},
		{MsgGrantedNotice, GrantedNotice{}, `{"v":1}`},
		{MsgApplicationNeeded, ApplicationNeeded{}, `{"v":1}`},
		{MsgExpiryNotice, ExpiryNotice{Mandate: 42, Days: 60}, `{"v":1,"days":60,"mandate":42}`},
		{MsgExpiredNotice, ExpiredNotice{Mandate: 42}, `{"v":1,"mandate":42}`},
		{MsgInvalidationTask, InvalidationTask{Mandate: 42}, `{"v":1,"mandate":42}`},
		{MsgInvalidationTask, InvalidationTask{Mandate: 42, Reminder: 3}, `{"v":1,"mandate":42,"reminder":3}`},
		{MsgRevokedNotice, RevokedNotice{Mandate: 42}, `{"v":1,"mandate":42}`},
	}
	for _, tc := range tests {
		t.Run(tc.kind+" "+tc.wire, func(t *testing.T) {
			m := Message("recipient-oid", 42, tc.p)
			if m.Kind != tc.kind || m.RecipientID != "recipient-oid" || m.RequestID != 42 || m.ID != 0 {
				t.Fatalf("Message = %+v", m)
			}
			if string(m.Payload) != tc.wire {
				t.Fatalf("payload %s, want %s", m.Payload, tc.wire)
			}
			var v struct {
				V *int `json:"v"`
			}
			if err := json.Unmarshal(m.Payload, &v); err != nil || v.V == nil || *v.V != PayloadVersion {
				t.Fatalf("payload %s has no \"v\": %d", m.Payload, PayloadVersion)
			}
			got, err := m.Decode()
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, tc.p) {
				t.Fatalf("Decode = %#v, want %#v", got, tc.p)
			}
			if KindOf(got) != tc.kind {
				t.Fatalf("KindOf = %q", KindOf(got))
			}
		})
	}
	if PayloadVersion != 1 {
		t.Fatalf("PayloadVersion %d: add the old version's payloads to TestDecodeOldPayloads", PayloadVersion)
	}
}

func TestDecodeOldPayloads(t *testing.T) {
	tests := []struct {
		name    string
		kind    string
		payload string // "" = no payload at all
		want    Payload
	}{
		{"granted items before versions", MsgGrantedNotice, `{"items":[3,4]}`, GrantedNotice{Items: []int64{3, 4}}},
		{"not granted items before versions", MsgNotGrantedNotice, `{"items":[9]}`, NotGrantedNotice{Items: []int64{9}}},
		{"themes before versions", MsgApplicationNeeded, `{"themes":["a"]}`, ApplicationNeeded{Themes: []string{"a"}}},
		{"version 0", MsgGrantedNotice, `{"v":0,"items":[1]}`, GrantedNotice{Items: []int64{1}}},
		{"unknown fields ignored", MsgApprovalRequest, `{"v":1,"extra":true}`, ApprovalRequest{}},
		{"granted without items", MsgGrantedNotice, `{}`, GrantedNotice{}},
		{"granted, null", MsgGrantedNotice, `null`, GrantedNotice{}},
		{"approval request, null", MsgApprovalRequest, `null`, ApprovalRequest{}},
		{"approval request, empty", MsgApprovalRequest, "", ApprovalRequest{}},
		{"decision notice, null", MsgDecisionNotice, `null`, DecisionNotice{}},
		{"decision notice, empty", MsgDecisionNotice, "", DecisionNotice{}},
		{"grant task, null", MsgGrantTask, `null`, GrantTask{}},
		{"grant task, empty", MsgGrantTask, "", GrantTask{}},
		{"request steps, null", MsgRequestSteps, `null`, RequestSteps{}},
		{"request steps, empty", MsgRequestSteps, "", RequestSteps{}},
		{"cancelled notice, null", MsgCancelledNotice, `null`, CancelledNotice{}},
		{"cancelled notice, empty", MsgCancelledNotice, "", CancelledNotice{}},
		{"refresh cards, null", MsgRefreshCards, `null`, RefreshCards{}},
		{"refresh cards, empty", MsgRefreshCards, "", RefreshCards{}},
		{"refresh cards, empty object", MsgRefreshCards, `{}`, RefreshCards{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := OutboxMessage{ID: 5, Kind: tc.kind}
			if tc.payload != "" {
				m.Payload = json.RawMessage(tc.payload)
			}
			got, err := m.Decode()
			if err != nil {
				t.Fatalf("Decode(%s %s): %v", tc.kind, tc.payload, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Decode = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		kind    string
		payload string
		in      string // a word the error must hold
	}{
		{"newer version", MsgGrantedNotice, `{"v":99,"items":[1]}`, "version 99"},
		{"next version", MsgApprovalRequest, `{"v":2}`, "version 2"},
		{"malformed JSON", MsgGrantedNotice, `{"items":[3,`, "malformed"},
		{"wrong field type", MsgGrantedNotice, `{"items":"3,4"}`, "malformed"},
		{"wrong version type", MsgApprovalRequest, `{"v":"1"}`, "malformed"},
		{"not an object", MsgApprovalRequest, `[1]`, "malformed"},
		{"unknown kind", "pigeon", `{"v":1}`, `unknown kind "pigeon"`},
		{"unknown kind, no payload", "pigeon", ``, `unknown kind "pigeon"`},
		{"empty kind", "", `{"v":1}`, `unknown kind ""`},
		{"newer version of an unknown kind", "pigeon", `{"v":99}`, "version 99"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := OutboxMessage{ID: 77, Kind: tc.kind, Payload: json.RawMessage(tc.payload)}
			got, err := m.Decode()
			if err == nil {
				t.Fatalf("Decode = %#v, want an error", got)
			}
			if got != nil {
				t.Fatalf("payload %#v with the error", got)
			}
			if !strings.Contains(err.Error(), tc.in) || !strings.Contains(err.Error(), "outbox message 77") {
				t.Fatalf("error %q, want it to name message 77 and %q", err, tc.in)
			}
		})
	}
}

func TestGrantMessageCoalescesABurst(t *testing.T) {
	tests := []struct {
		cards TaskCards
		want  Payload
	}{
		{TaskCards{}, GrantTask{}},
		{TaskCards{Recent: true}, GrantDigest{}},
		{TaskCards{Recent: true, DigestWaiting: true}, nil},
	}
	for _, tc := range tests {
		if got := GrantMessage(tc.cards); got != tc.want {
			t.Errorf("GrantMessage(%+v) = %#v, want %#v", tc.cards, got, tc.want)
		}
	}
}

// Mandate payloads name their mandate; a message about an imported mandate (no request) is filed under none.
func TestMandateMessages(t *testing.T) {
	for _, p := range []Payload{ExpiryNotice{Mandate: 5, Days: 7}, ExpiredNotice{Mandate: 5}, InvalidationTask{Mandate: 5, Reminder: 1}, RevokedNotice{Mandate: 5}} {
		if id, ok := MandateOf(p); !ok || id != 5 {
			t.Errorf("MandateOf(%#v) = %d, %v", p, id, ok)
		}
		m := MandateMessage("holder", Mandate{ID: 5, RequestID: 9}, p)
		if m.RequestID != 9 || m.RecipientID != "holder" || m.Kind != KindOf(p) {
			t.Errorf("MandateMessage = %+v", m)
		}
		if imported := MandateMessage("holder", Mandate{ID: 5}, p); imported.RequestID != 0 {
			t.Errorf("imported mandate's message = %+v", imported)
		}
	}
	for _, p := range append(contentless, GrantedNotice{}, RequestSteps{}, NotGrantedNotice{}, ApplicationNeeded{}) {
		if _, ok := MandateOf(p); ok {
			t.Errorf("MandateOf(%#v) names a mandate", p)
		}
	}
}
