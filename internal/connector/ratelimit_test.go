package connector

import "testing"

func TestConversationKey(t *testing.T) {
	if got := conversationKey("19:abc@thread.tacv2;messageid=123"); got != "19:abc@thread.tacv2" {
		t.Errorf("conversationKey = %q", got)
	}
	if got := conversationKey("a:1x"); got != "a:1x" {
		t.Errorf("conversationKey = %q", got)
	}
}
