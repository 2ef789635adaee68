package cards

import (
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, privateGolden) }

func privateGolden() map[string]func(p i18n.Printer) *Card {
	return map[string]func(p i18n.Printer) *Card{
		"private-chat": func(p i18n.Printer) *Card { return PrivateChat(p, "28:11111111-2222-4333-8444-555555555555") },
	}
}

func TestPrivateChatLinksOnlyToTheBot(t *testing.T) {
	p := bundle.Printer(domain.Finnish)
	c := PrivateChat(p, "28:11111111-2222-4333-8444-555555555555")
	if len(c.Actions) != 1 || !strings.HasPrefix(c.Actions[0].URL, "https://teams.microsoft.com/l/chat/0/0?users=28%3A1111") {
		t.Fatalf("actions %+v", c.Actions)
	}
	if c := PrivateChat(p, "bot"); len(c.Actions) != 0 {
		t.Fatalf("a link to something that is not a bot id: %+v", c.Actions)
	}
}
