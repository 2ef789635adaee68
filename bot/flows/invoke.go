package flows

import (
	"encoding/json"
	"net/http"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
)

// InvokeResponse is the HTTP response to an invoke activity.
type InvokeResponse struct {
	Status int
	Body   []byte
}

// invokeCard replaces the tapped card with c for the person who tapped.
func invokeCard(c *cards.Card) *InvokeResponse {
	body, _ := json.Marshal(map[string]any{"statusCode": http.StatusOK, "type": cards.ContentType, "value": c})
	return &InvokeResponse{Status: http.StatusOK, Body: body}
}

// InvokeMessage shows a short text instead of changing the card.
func InvokeMessage(status int, text string) *InvokeResponse {
	body, _ := json.Marshal(map[string]any{"statusCode": status, "type": "application/vnd.microsoft.activity.message", "value": text})
	return &InvokeResponse{Status: http.StatusOK, Body: body}
}

// InvokeError is the Universal Actions error response: Teams shows the message on the card.
func InvokeError(status int, code, message string) *InvokeResponse {
	body, _ := json.Marshal(map[string]any{"statusCode": status, "type": "application/vnd.microsoft.error",
		"value": map[string]string{"code": code, "message": message}})
	return &InvokeResponse{Status: http.StatusOK, Body: body}
}

func invokeError(status int, message string) *InvokeResponse {
	return InvokeError(status, "BadRequest", message)
}

func textReply(s string) *schema.Activity {
	return &schema.Activity{Type: schema.Message, Text: s, TextFormat: "plain"}
}

func activity(c *cards.Card) *schema.Activity {
	a := c.Activity()
	return &a
}
