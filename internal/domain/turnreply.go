package domain

import (
	"encoding/json"
	"fmt"
)

// MsgTurnReply is a reply to a person's turn that Teams' limits did not let out while the turn was answered.
const MsgTurnReply = "turn_reply"

// TurnReply is the reply as the turn rendered it (in the person's language, at the time of the turn), to be posted
// into the conversation the turn came from. One message carries one activity, so that a retry never sends an
// activity that already went out.
type TurnReply struct {
	payload
	ServiceURL     string
	ConversationID string
	TenantID       string
	Activity       json.RawMessage // the Bot Framework activity, ready to post
}

type turnReplyWire struct {
	V              int             `json:"v"`
	ServiceURL     string          `json:"service_url"`
	ConversationID string          `json:"conversation_id"`
	TenantID       string          `json:"tenant_id,omitempty"`
	Activity       json.RawMessage `json:"activity"`
}

// TurnReplyMessage is the outbox message of r for the person recipientID (the sender of the turn).
func TurnReplyMessage(recipientID string, r TurnReply) OutboxMessage {
	raw, _ := json.Marshal(turnReplyWire{V: PayloadVersion, ServiceURL: r.ServiceURL, ConversationID: r.ConversationID,
		TenantID: r.TenantID, Activity: r.Activity}) // cannot fail: the activity is valid JSON or nil
	return OutboxMessage{Kind: MsgTurnReply, RecipientID: recipientID, Payload: raw}
}

func decodeTurnReply(m OutboxMessage) (Payload, bool, error) {
	if m.Kind != MsgTurnReply {
		return nil, false, nil
	}
	var w turnReplyWire
	if err := json.Unmarshal(m.Payload, &w); err != nil {
		return nil, true, fmt.Errorf("outbox message %d: malformed payload: %w", m.ID, err)
	}
	if w.V > PayloadVersion {
		return nil, true, fmt.Errorf("outbox message %d: payload version %d is newer than this build's %d", m.ID, w.V, PayloadVersion)
	}
	if w.ServiceURL == "" || w.ConversationID == "" || len(w.Activity) == 0 {
		return nil, true, fmt.Errorf("outbox message %d: a turn reply without its conversation or activity", m.ID)
	}
	return TurnReply{ServiceURL: w.ServiceURL, ConversationID: w.ConversationID, TenantID: w.TenantID, Activity: w.Activity}, true, nil
}
