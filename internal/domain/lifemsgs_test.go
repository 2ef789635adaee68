package domain

import (
	"reflect"
	"testing"
	"time"
)

// Every joiner, leaver and continuity payload comes back from the outbox as it went in, under its own kind.
func TestLifePayloadsRoundTrip(t *testing.T) {
	for _, p := range []Payload{
		JoinerWelcome{Person: "p", Roles: []string{"palkkasihteeri"}},
		JoinerNotice{Person: "p", Name: "Noora Uusi", JobTitle: "Palkkasihteeri", Department: "Talous", Roles: []string{"r"}},
		LeaverTask{Person: "p", Name: "Elina", Mandates: []int64{7, 8}, Reminder: 2},
		ContinuityAlert{Reason: ContinuityRightEnding, Holder: "h", HolderName: "Helena", Themes: []string{"a"}, Until: NewDate(2027, 4, 30)},
		ContinuityAlert{Reason: ContinuityFewHolders, Themes: []string{"a", "b"}},
	} {
		m := Message("r", 0, p)
		got, err := m.Decode()
		if err != nil {
			t.Fatalf("%T: %v", p, err)
		}
		if !reflect.DeepEqual(got, p) || m.Kind != KindOf(p) {
			t.Errorf("%s: %#v came back as %#v", m.Kind, p, got)
		}
	}
	bad := OutboxMessage{Kind: MsgContinuityAlert, Payload: []byte(`{"v":1,"reason":"nonsense"}`)}
	if _, err := bad.Decode(); err == nil {
		t.Error("an unknown continuity reason decoded")
	}
}

// A request whose requester left ends without being an expiry: a pending one is cancelled by the system, an
// approved one has its waiting items not granted, and a decided one is left alone.
func TestEndForLeaver(t *testing.T) {
	pending := Request{State: RequestPending, Items: []RequestItem{{ID: 1, State: ItemPending}}}
	if !pending.EndForLeaver(fixedNow, "left") || !pending.EndedForLeaver() || pending.Expired() || pending.Items[0].State != ItemCancelled {
		t.Errorf("pending: %+v", pending)
	}
	approved := Request{State: RequestApproved, Items: []RequestItem{{ID: 1, State: ItemApproved, Covered: true}, {ID: 2, State: ItemGranted}}}
	if !approved.EndForLeaver(fixedNow, "left") || approved.State != RequestCompleted || approved.Items[0].State != ItemNotGranted ||
		approved.Items[0].NotGrantedReason != "left" || approved.Items[1].State != ItemGranted {
		t.Errorf("approved: %+v", approved)
	}
	done := Request{State: RequestRejected}
	if done.EndForLeaver(fixedNow, "left") {
		t.Error("a decided request was ended")
	}
}

var fixedNow = time.Date(2027, 3, 15, 8, 0, 0, 0, time.UTC)
