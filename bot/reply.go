package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// reply sends activities into the conversation the turn came from.
func (b *Bot) reply(ctx context.Context, in schema.Activity, out []schema.Activity) error {
	if len(out) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, b.cfg.ReplyTimeout)
	defer cancel()
	for _, a := range out {
		a.Type = schema.Message
		a.ReplyToID = in.ID
		a.From = in.Recipient
		a.Recipient = in.From
		a.Conversation = in.Conversation
		a.ChannelID = in.ChannelID
		a.ServiceURL = in.ServiceURL
		if _, err := b.cfg.Sender.SendActivity(ctx, in.ServiceURL, in.Conversation.ID, a); err != nil {
			if why := replyRefused(err); why != "" {
				return &httpError{status: http.StatusBadRequest, msg: why, detail: err.Error()}
			}
			return domain.Wrap("reply", err)
		}
	}
	return nil
}

// replyRefused says why a reply cannot go into the activity's conversation for a reason of the activity's own, or
// "" when the failure is the server's. The Bot Connector refuses a conversation that does not exist or where the bot
// may not post (403, 404), and a serviceUrl that redirects is not the Bot Connector: no retry changes either, so the
// caller gets a 4xx. Anything else (our token refused, a 400 for a reply we built, an outage) stays a server failure.
func replyRefused(err error) string {
	var api *connector.APIError
	switch {
	case errors.As(err, &api) && (api.StatusCode == http.StatusForbidden || api.StatusCode == http.StatusNotFound):
		return fmt.Sprintf("the Bot Connector refused a reply into the activity's conversation (%d)", api.StatusCode)
	case errors.Is(err, connector.ErrRedirect):
		return "the activity's serviceUrl redirected the reply: it is not a Bot Connector endpoint"
	}
	return ""
}
