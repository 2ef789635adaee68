package connector

import (
	"encoding/json"
	"reflect"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"
)

// wireActivity is schema.Activity with tags that say what Marshal's pruning would do: zero timestamps and empty
// nested objects are left out ("omitzero"). A schema.Activity converts to it directly (same fields, other tags), so
// the activity a turn replies with is encoded once, without the encode, re-parse and re-encode of the general path.
// The compiler keeps the two in step: a field added to the schema breaks the conversion.
type wireActivity struct {
	Type             schema.ActivityTypes          `json:"type,omitempty"`
	ID               string                        `json:"id,omitempty"`
	Timestamp        time.Time                     `json:"timestamp,omitzero"`
	LocalTimestamp   time.Time                     `json:"localTimestamp,omitzero"`
	LocalTimezone    string                        `json:"localTimezone,omitempty"`
	CallerID         string                        `json:"callerId,omitempty"`
	ServiceURL       string                        `json:"serviceUrl,omitempty"`
	ChannelID        string                        `json:"channelId,omitempty"`
	From             schema.ChannelAccount         `json:"from,omitzero"`
	Conversation     schema.ConversationAccount    `json:"conversation,omitzero"`
	Recipient        schema.ChannelAccount         `json:"recipient,omitzero"`
	TextFormat       schema.TextFormatTypes        `json:"textFormat,omitempty"`
	AttachmentLayout schema.AttachmentLayoutTypes  `json:"attachmentLayout,omitempty"`
	MembersAdded     []schema.ChannelAccount       `json:"membersAdded,omitempty"`
	MembersRemoved   []schema.ChannelAccount       `json:"membersRemoved,omitempty"`
	ReactionsAdded   []schema.MessageReaction      `json:"reactionsAdded,omitempty"`
	ReactionsRemoved []schema.MessageReaction      `json:"reactionsRemoved,omitempty"`
	TopicName        string                        `json:"topicName,omitempty"`
	HistoryDisclosed bool                          `json:"historyDisclosed,omitempty"`
	Locale           string                        `json:"locale,omitempty"`
	Text             string                        `json:"text,omitempty"`
	Speak            string                        `json:"speak,omitempty"`
	InputHint        schema.InputHints             `json:"inputHint,omitempty"`
	Summary          string                        `json:"summary,omitempty"`
	SuggestedActions schema.SuggestedActions       `json:"suggestedActions,omitzero"`
	Attachments      []schema.Attachment           `json:"attachments,omitempty"`
	Entities         []schema.Entity               `json:"entities,omitempty"`
	ChannelData      map[string]any                `json:"channelData,omitempty"`
	Action           string                        `json:"action,omitempty"`
	ReplyToID        string                        `json:"replyToId,omitempty"`
	Label            string                        `json:"label,omitempty"`
	ValueType        string                        `json:"valueType,omitempty"`
	Value            map[string]any                `json:"value,omitempty"`
	Name             string                        `json:"name,omitempty"`
	RelatesTo        schema.ConversationReference  `json:"relatesTo,omitzero"`
	Code             schema.EndOfConversationCodes `json:"code,omitempty"`
	Expiration       time.Time                     `json:"expiration,omitzero"`
	Importance       schema.ActivityImportance     `json:"importance,omitempty"`
	DeliveryMode     schema.DeliveryModes          `json:"deliveryMode,omitempty"`
	ListenFor        []string                      `json:"listenFor,omitempty"`
	TextHighlights   []schema.TextHighlight        `json:"textHighlights,omitempty"`
	SemanticAction   schema.SemanticAction         `json:"semanticAction,omitzero"`
}

// fastActivity reports whether a can take the direct encoding: it has none of the nested values whose own fields
// the schema writes out empty (relatesTo's user and bot, suggested actions, semantic action, entities, reactions,
// text highlights), which only the general path prunes.
func fastActivity(a *schema.Activity) bool {
	return len(a.Entities) == 0 && len(a.ReactionsAdded) == 0 && len(a.ReactionsRemoved) == 0 &&
		len(a.TextHighlights) == 0 && reflect.ValueOf(a.RelatesTo).IsZero() &&
		reflect.ValueOf(a.SuggestedActions).IsZero() && reflect.ValueOf(a.SemanticAction).IsZero()
}

// MarshalActivity encodes a as Marshal does, directly when it can: the one encoding of a reply.
func MarshalActivity(a schema.Activity) ([]byte, error) {
	if fastActivity(&a) {
		return json.Marshal(wireActivity(a))
	}
	return Marshal(a)
}
