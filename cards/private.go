package cards

import (
	"net/url"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// PrivateChat answers a personal or register command in a channel or group chat, where everyone reads the answer:
// it shows nothing personal, only an invitation to the 1:1 chat with the bot. botID is the bot's "28:<app id>" in
// the conversation; with it the card links straight to the chat.
func PrivateChat(p i18n.Printer, botID string) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Get("private.title")
	c.Body = []Element{Heading(p.Get("private.title")), Text(p.Get("private.text"))}
	if strings.HasPrefix(botID, "28:") {
		link := "https://teams.microsoft.com/l/chat/0/0?users=" + url.QueryEscape(botID)
		c.Actions = []Action{OpenURL(p.Get("private.open"), link)}
	}
	return c
}
