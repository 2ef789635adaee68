package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/bot/flows"
	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

// invokeReply is what the bot remembers of an answered invoke, so that a retry of the same activity gets the same
// answer instead of a second effect.
type invokeReply struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

const invokeActivity = "invoke"

// handle runs one authenticated activity. A returned *httpError is a refusal the caller must fix (a 4xx); any other
// error means nothing the caller can fix: the channel gets 500 and may retry, and de-duplication lets that retry
// through.
func (b *Bot) handle(ctx context.Context, act schema.Activity) (*flows.InvokeResponse, error) {
	var dedupKey string
	if act.ID != "" {
		dedupKey = "activity:" + act.ChannelID + ":" + act.Conversation.ID + ":" + act.ID
		if act.Type == invokeActivity {
			if raw, err := b.cfg.State.Get(ctx, "reply:"+dedupKey); err == nil {
				var r invokeReply
				if json.Unmarshal(raw, &r) == nil {
					return &flows.InvokeResponse{Status: r.Status, Body: r.Body}, nil
				}
			} else if !errors.Is(err, state.ErrNotFound) {
				return nil, err
			}
		}
		dup, err := state.Seen(ctx, b.cfg.State, dedupKey, b.cfg.DedupTTL)
		if err != nil {
			return nil, err
		}
		if dup {
			b.log.DebugContext(ctx, "duplicate activity ignored", slog.String("activity_id", act.ID))
			if act.Type == invokeActivity {
				// The first delivery is still being answered; Teams shows this instead of an error.
				return flows.InvokeMessage(http.StatusOK, "…"), nil
			}
			return nil, nil
		}
	}
	if over, err := b.overLimit(ctx, act); err != nil {
		return nil, err
	} else if over {
		b.log.WarnContext(ctx, "turn limit exceeded; activity dropped", slog.String("user", domain.Pseudonym(act.From.AadObjectID)))
		if act.Type == invokeActivity {
			return flows.InvokeError(http.StatusTooManyRequests, "TooManyRequests", "…"), nil
		}
		return nil, nil
	}
	resp, err := b.route(ctx, act)
	if err != nil {
		if dedupKey != "" {
			// Forget the activity so that the channel's retry is processed, not dropped.
			if derr := b.cfg.State.Delete(context.WithoutCancel(ctx), dedupKey); derr != nil {
				b.log.WarnContext(ctx, "could not clear de-duplication key", slog.String("error", derr.Error()))
			}
		}
		return nil, err
	}
	if dedupKey != "" && act.Type == invokeActivity && resp != nil {
		raw, _ := json.Marshal(invokeReply{Status: resp.Status, Body: resp.Body})
		if err := b.cfg.State.Set(ctx, "reply:"+dedupKey, raw, b.cfg.DedupTTL); err != nil {
			b.log.WarnContext(ctx, "could not remember invoke reply", slog.String("error", err.Error()))
		}
	}
	return resp, nil
}

// overLimit counts the person's activities in the current minute (in the shared state, so all replicas count
// together) and reports whether this one is over the limit.
func (b *Bot) overLimit(ctx context.Context, act schema.Activity) (bool, error) {
	aad := act.From.AadObjectID
	if aad == "" {
		return false, nil
	}
	n, err := b.cfg.State.Incr(ctx, "turns:"+aad, time.Minute)
	if err != nil {
		return false, err
	}
	return n > int64(b.cfg.TurnsPerMinute), nil
}

// route hands the turn to the flows by activity type and sends their replies.
func (b *Bot) route(ctx context.Context, act schema.Activity) (*flows.InvokeResponse, error) {
	t, err := b.begin(ctx, act)
	if err != nil {
		return nil, err
	}
	var res flows.Result
	switch act.Type {
	case schema.Message:
		res, err = b.cfg.Flows.Message(ctx, t)
	case invokeActivity:
		res, err = b.cfg.Flows.Invoke(ctx, t)
	case schema.ConversationUpdate:
		if botAdded(act) {
			res, err = b.cfg.Flows.Joined(ctx, t)
		}
	case "installationUpdate":
		switch act.Action {
		case "add", "add-upgrade":
			res, err = b.cfg.Flows.Joined(ctx, t)
		case "remove", "remove-upgrade":
			b.log.InfoContext(ctx, "app removed by a user", slog.String("user", domain.Pseudonym(act.From.AadObjectID)),
				slog.String("conversation_type", act.Conversation.ConversationType))
		}
	default:
		b.log.DebugContext(ctx, "activity type not handled", slog.String("activity_type", string(act.Type)))
	}
	if err != nil {
		return nil, err
	}
	return res.Invoke, b.reply(ctx, act, res.Replies)
}

func botAdded(act schema.Activity) bool {
	for _, m := range act.MembersAdded {
		if m.ID == act.Recipient.ID {
			return true
		}
	}
	return false
}

// begin stores the sender's conversation reference and picks their language.
func (b *Bot) begin(ctx context.Context, act schema.Activity) (*flows.Turn, error) {
	t := &flows.Turn{Activity: act}
	aad := act.From.AadObjectID
	if aad != "" {
		ref, err := b.cfg.Register.ConversationRef(ctx, aad)
		switch {
		case err == nil:
			t.Ref = ref
		case domain.IsCode(err, domain.ENotFound):
			t.FirstContact = true
		default:
			return nil, err
		}
		if err := b.cfg.Register.UpsertConversationRef(ctx, refFrom(act)); err != nil {
			return nil, err
		}
		// Messages may be waiting for this person: they reach the bot for the first time, from a new personal chat,
		// or (re)install the app.
		newChat := isPersonal(act) && act.Conversation.ID != t.Ref.ConversationID
		if b.cfg.Reachable != nil && (t.FirstContact || newChat || act.Type == "installationUpdate") {
			b.cfg.Reachable(ctx, aad)
		}
	}
	who := t.Ref
	who.AADObjectID = aad
	t.Lang = b.cfg.Language.For(ctx, who, act.Locale)
	t.P = b.cfg.Messages.Printer(t.Lang)
	return t, nil
}

// refFrom extracts what proactive messages need. Only a personal conversation is worth keeping as the person's
// conversation id: group chats and channels are not where a private reminder belongs.
func refFrom(act schema.Activity) domain.ConversationRef {
	ref := domain.ConversationRef{
		AADObjectID:      act.From.AadObjectID,
		UserID:           act.From.ID,
		UserName:         act.From.Name,
		BotID:            act.Recipient.ID,
		ConversationType: act.Conversation.ConversationType,
		ServiceURL:       act.ServiceURL,
		TenantID:         tenantOf(act),
		ChannelID:        act.ChannelID,
		Locale:           act.Locale,
	}
	if isPersonal(act) {
		ref.ConversationID = act.Conversation.ID
	}
	return ref
}

func isPersonal(act schema.Activity) bool {
	ct := act.Conversation.ConversationType
	return ct == "personal" || (ct == "" && !act.Conversation.IsGroup)
}

func tenantOf(act schema.Activity) string {
	if act.Conversation.TenantID != "" {
		return act.Conversation.TenantID
	}
	if tenant, ok := act.ChannelData["tenant"].(map[string]any); ok {
		if id, ok := tenant["id"].(string); ok {
			return id
		}
	}
	return ""
}

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
