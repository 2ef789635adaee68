package bot

import (
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

func TestRefUnchanged(t *testing.T) {
	stored := domain.ConversationRef{AADObjectID: "a", UserID: "29:x", UserName: "Anna", BotID: "28:b",
		ConversationID: "a:1", ConversationType: "personal", ServiceURL: "https://s/", TenantID: "t", ChannelID: "msteams", Locale: "fi-FI"}
	if !refUnchanged(stored, stored) {
		t.Error("the same reference counts as a change")
	}
	group := stored
	group.ConversationID, group.ConversationType = "", "" // a group chat keeps the stored 1:1 conversation
	if !refUnchanged(stored, group) {
		t.Error("an activity from a group chat counts as a change of the 1:1 conversation")
	}
	for name, edit := range map[string]func(*domain.ConversationRef){
		"locale":       func(r *domain.ConversationRef) { r.Locale = "sv-SE" },
		"name":         func(r *domain.ConversationRef) { r.UserName = "Anna B" },
		"service url":  func(r *domain.ConversationRef) { r.ServiceURL = "https://other/" },
		"conversation": func(r *domain.ConversationRef) { r.ConversationID = "a:2" },
		"user id":      func(r *domain.ConversationRef) { r.UserID = "29:y" },
	} {
		in := stored
		edit(&in)
		if refUnchanged(stored, in) {
			t.Errorf("a new %s counts as unchanged", name)
		}
	}
}
