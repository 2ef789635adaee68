package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// ReplyQueue takes the replies of a turn that Teams' limits did not let out in time: they are written to the
// outbox (in one transaction) and delivered by its worker shortly after.
type ReplyQueue interface {
	QueueReplies(ctx context.Context, msgs []domain.OutboxMessage) error
}

// reply sends activities into the conversation the turn came from. Each waits for a send slot at most ReplyWait
// (with a Queue); the first that would wait longer, or that Teams throttles, goes to the outbox with all that
// follow it, in order, and the turn is answered at once: a busy tenant budget never turns into a 5xx, and a reply
// is sent either now or by the outbox, never both.
func (b *Bot) reply(ctx context.Context, in schema.Activity, out []schema.Activity) error {
	if len(out) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, b.cfg.ReplyTimeout)
	defer cancel()
	ctx = connector.WithTenant(ctx, tenantOf(in))
	if b.cfg.Queue != nil {
		ctx = connector.WithinWait(ctx, b.cfg.ReplyWait)
	}
	for i := range out {
		a := replyActivity(in, out[i])
		if _, err := b.cfg.Sender.SendActivity(ctx, in.ServiceURL, in.Conversation.ID, a); err != nil {
			if b.cfg.Queue != nil && errors.Is(err, connector.ErrThrottled) {
				return b.queue(ctx, in, out[i:])
			}
			if why := replyRefused(err); why != "" {
				return &httpError{status: http.StatusBadRequest, msg: why, detail: err.Error()}
			}
			return domain.Wrap("reply", err)
		}
	}
	return nil
}

// replyActivity addresses a as a reply to in.
func replyActivity(in, a schema.Activity) schema.Activity {
	a.Type = schema.Message
	a.ReplyToID = in.ID
	a.From = in.Recipient
	a.Recipient = in.From
	a.Conversation = in.Conversation
	a.ChannelID = in.ChannelID
	a.ServiceURL = in.ServiceURL
	return a
}

// queue hands the replies to the outbox, one message per activity.
func (b *Bot) queue(ctx context.Context, in schema.Activity, out []schema.Activity) error {
	msgs := make([]domain.OutboxMessage, 0, len(out))
	for _, a := range out {
		raw, err := connector.MarshalActivity(replyActivity(in, a))
		if err != nil {
			return domain.Wrap("queue reply", err)
		}
		msgs = append(msgs, domain.TurnReplyMessage(in.From.AadObjectID, domain.TurnReply{ServiceURL: in.ServiceURL,
			ConversationID: in.Conversation.ID, TenantID: tenantOf(in), Activity: raw}))
	}
	if err := b.cfg.Queue.QueueReplies(context.WithoutCancel(ctx), msgs); err != nil {
		return domain.Wrap("queue reply", err)
	}
	b.log.InfoContext(ctx, "reply handed to the outbox: no send slot in time", slog.Int("activities", len(msgs)))
	if b.cfg.Throttled != nil {
		b.cfg.Throttled(len(msgs))
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
