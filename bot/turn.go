package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/bot/flows"
	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

// invokeReply is what the bot remembers of an answered invoke, so that a retry of the same activity gets the same
// answer instead of a second effect.
type invokeReply struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

const invokeActivity = "invoke"

// Activity markers in the ephemeral state. An activity is "processing" while a replica handles it (for
// inProgressTTL at most, so a replica that dies mid-turn does not hide the activity for long) and "done" once its
// effects are committed (for DedupTTL: Teams retries within minutes).
const (
	markerProcessing = "processing"
	markerDone       = "done"
	inProgressTTL    = 30 * time.Second
)

// errInProgress answers a copy of an activity that another replica (or an earlier delivery) is still handling:
// 503 with Retry-After, so the channel tries again later and finds it done, or, if that replica died, handles it.
var errInProgress = &httpError{status: http.StatusServiceUnavailable, msg: "the same activity is being handled"}

// handle runs one authenticated activity, exactly once: it claims the activity, runs the turn, and marks the
// activity done only after the turn's effects are committed. A returned error means nothing the caller can fix:
// the channel gets a 5xx and may retry, and the released claim lets that retry through. A returned *httpError is
// an answer of its own: a refusal the caller must fix (4xx), or errInProgress.
func (b *Bot) handle(ctx context.Context, act schema.Activity) (*flows.InvokeResponse, error) {
	key := ""
	if act.ID != "" {
		key = "activity:" + act.ChannelID + ":" + act.Conversation.ID + ":" + act.ID
		resp, handled, err := b.claim(ctx, act, key)
		if err != nil || handled {
			return resp, err
		}
	}
	if over, err := b.overLimit(ctx, act); err != nil {
		b.release(ctx, key)
		return nil, err
	} else if over {
		b.log.WarnContext(ctx, "turn limit exceeded; activity dropped", slog.String("user", domain.Pseudonym(act.From.AadObjectID)))
		b.done(ctx, key, act, nil)
		if act.Type == invokeActivity {
			return flows.InvokeError(http.StatusTooManyRequests, "TooManyRequests", "…"), nil
		}
		return nil, nil
	}
	resp, err := b.route(ctx, act)
	if err != nil {
		b.release(ctx, key) // the channel's retry must be processed, not dropped
		if domain.IsCode(err, domain.EUnavailable) {
			return b.tryAgain(ctx, act, err)
		}
		return nil, err
	}
	b.done(ctx, key, act, resp)
	return resp, nil
}

// tryAgain answers a turn that failed because the database (or another dependency) is unreachable: the person
// is told, in their language, to try again in a moment. The turn's transaction did not commit, so nothing is
// half-done; the answer needs nothing but the connector.
func (b *Bot) tryAgain(ctx context.Context, act schema.Activity, cause error) (*flows.InvokeResponse, error) {
	b.log.WarnContext(ctx, "dependency unavailable; the person was asked to try again", slog.String("error", cause.Error()))
	if b.cfg.Unavailable != nil {
		b.cfg.Unavailable()
	}
	lang := b.cfg.Language.For(ctx, domain.ConversationRef{AADObjectID: act.From.AadObjectID}, act.Locale)
	text := b.cfg.Messages.Printer(lang).Get("unavailable.try_again")
	if act.Type == invokeActivity {
		return flows.InvokeError(http.StatusServiceUnavailable, "ServiceUnavailable", text), nil
	}
	if act.Type != schema.Message {
		return nil, cause // installs and conversation updates: the channel's retry is the better answer
	}
	return nil, b.reply(ctx, act, []schema.Activity{{Text: text, TextFormat: "plain"}})
}

// claim marks the activity as being handled here. handled is true when it must not run again: it is done (an
// invoke then gets the answer it got the first time) or still being handled elsewhere (errInProgress).
func (b *Bot) claim(ctx context.Context, act schema.Activity, key string) (resp *flows.InvokeResponse, handled bool, err error) {
	claimed, err := b.cfg.State.SetNX(ctx, key, []byte(markerProcessing), inProgressTTL)
	if err != nil || claimed {
		return nil, false, err
	}
	marker, err := b.cfg.State.Get(ctx, key)
	switch {
	case errors.Is(err, state.ErrNotFound): // the other claim just expired or was released: take it now
		return b.claim(ctx, act, key)
	case err != nil:
		return nil, true, err
	case string(marker) == markerProcessing:
		return nil, true, errInProgress
	}
	b.log.DebugContext(ctx, "duplicate activity ignored", slog.String("activity_id", act.ID))
	if act.Type != invokeActivity {
		return nil, true, nil
	}
	if raw, err := b.cfg.State.Get(ctx, "reply:"+key); err == nil {
		var r invokeReply
		if json.Unmarshal(raw, &r) == nil {
			return &flows.InvokeResponse{Status: r.Status, Body: r.Body}, true, nil
		}
	}
	return flows.InvokeMessage(http.StatusOK, "…"), true, nil
}

// done marks the activity handled, remembering an invoke's answer for its retries.
func (b *Bot) done(ctx context.Context, key string, act schema.Activity, resp *flows.InvokeResponse) {
	if key == "" {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if act.Type == invokeActivity && resp != nil {
		raw, _ := json.Marshal(invokeReply{Status: resp.Status, Body: resp.Body})
		if err := b.cfg.State.Set(ctx, "reply:"+key, raw, b.cfg.DedupTTL); err != nil {
			b.log.WarnContext(ctx, "could not remember invoke reply", slog.String("error", err.Error()))
		}
	}
	if err := b.cfg.State.Set(ctx, key, []byte(markerDone), b.cfg.DedupTTL); err != nil {
		b.log.WarnContext(ctx, "could not mark an activity done", slog.String("error", err.Error()))
	}
}

// release gives up the claim of an activity whose turn failed, so the channel's retry runs it.
func (b *Bot) release(ctx context.Context, key string) {
	if key == "" {
		return
	}
	if err := b.cfg.State.Delete(context.WithoutCancel(ctx), key); err != nil {
		b.log.WarnContext(ctx, "could not release an activity", slog.String("error", err.Error()))
	}
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
	t := &flows.Turn{Activity: act}
	stopTyping := b.typingAfter(ctx, &t.Activity) // the turn's copy: the timer's closure holds no copy of its own
	if err := b.begin(ctx, t); err != nil {
		stopTyping()
		return nil, err
	}
	var res flows.Result
	var err error
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
	stopTyping() // before the reply: the indicator never follows the answer
	if err != nil {
		return nil, err
	}
	return res.Invoke, b.reply(ctx, act, res.Replies)
}

// typingAfter shows the person the typing indicator once their message's turn has taken TypingAfter, so a slow
// turn does not look like no answer. stop ends the wait, or waits for an indicator being sent, so that it is never
// sent after the reply. The indicator takes a send slot only if one is free at once: it is not worth a wait.
func (b *Bot) typingAfter(ctx context.Context, in *schema.Activity) (stop func()) {
	if in.Type != schema.Message || b.cfg.TypingAfter < 0 {
		return func() {}
	}
	var sending sync.WaitGroup // no goroutine waits on a quick turn: the timer runs the send only if it fires
	sending.Add(1)
	stopTimer := b.cfg.Delay(b.cfg.TypingAfter, func() {
		defer sending.Done()
		a := replyActivity(*in, schema.Activity{})
		a.Type = schema.Typing
		tctx := connector.WithinWait(connector.WithTenant(ctx, tenantOf(*in)), 0)
		if _, err := b.cfg.Sender.SendActivity(tctx, in.ServiceURL, in.Conversation.ID, a); err != nil {
			b.log.DebugContext(ctx, "typing indicator not sent", slog.String("error", err.Error()))
		}
	})
	return func() {
		if stopTimer() {
			sending.Done()
		}
		sending.Wait()
	}
}

func botAdded(act schema.Activity) bool {
	for _, m := range act.MembersAdded {
		if m.ID == act.Recipient.ID {
			return true
		}
	}
	return false
}

// begin stores the sender's conversation reference and picks their language for the turn t of the activity.
func (b *Bot) begin(ctx context.Context, t *flows.Turn) error {
	act := t.Activity
	aad := act.From.AadObjectID
	if aad != "" {
		var err error
		if t.Ref, t.FirstContact, err = b.remember(ctx, act); err != nil {
			return err
		}
	}
	if b.cfg.Channels != nil && act.Conversation.ConversationType == "channel" {
		b.seenChannel(ctx, act)
	}
	who := t.Ref
	who.AADObjectID = aad
	t.Lang = b.cfg.Language.For(ctx, who, act.Locale)
	t.P = b.cfg.Messages.Printer(t.Lang)
	return nil
}

// remember stores the sender's conversation reference when it is new or changed and lets the messages waiting for
// them go: they reach the bot for the first time, from a new personal chat, or (re)install the app. It returns the
// reference stored before and whether there was none.
func (b *Bot) remember(ctx context.Context, act schema.Activity) (stored domain.ConversationRef, first bool, err error) {
	aad := act.From.AadObjectID
	stored, err = b.cfg.Register.ConversationRef(ctx, aad)
	switch {
	case err == nil:
	case domain.IsCode(err, domain.ENotFound):
		first = true
	default:
		return stored, false, err
	}
	reachable := act.Type == "installationUpdate" // the person may have removed the app while messages waited
	if ref := refFrom(act); first || !refUnchanged(stored, ref) {
		waiting, err := b.cfg.Register.RememberConversationRef(ctx, ref)
		if err != nil {
			return stored, first, err
		}
		reachable = waiting // a first contact, a new personal chat: the store said whether anything waits
	}
	if b.cfg.Reachable != nil && reachable {
		b.cfg.Reachable(ctx, aad)
	}
	return stored, first, nil
}

// Remember stores how to reach the sender of an authenticated personal activity that another bot of the same
// deployment answers: a person of several organisations talks to one of them at a time, and the others must still
// reach them (their approvals, tasks and reminders). Nothing else of the turn happens here.
func (b *Bot) Remember(ctx context.Context, act schema.Activity) error {
	if act.From.AadObjectID == "" || !isPersonal(act) {
		return nil
	}
	_, _, err := b.remember(ctx, act)
	return err
}

// refFrom extracts what proactive messages need. Only a personal conversation is worth keeping as the person's
// conversation id: group chats and channels are not where a private reminder belongs.
func refFrom(act schema.Activity) domain.ConversationRef {
	ref := domain.ConversationRef{
		AADObjectID:      act.From.AadObjectID,
		UserID:           act.From.ID,
		UserName:         hetu.Redact(act.From.Name), // a name is text someone typed: never store a code in it
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

// refUnchanged reports whether storing in over stored would change nothing: the store keeps a stored value where
// the incoming one is empty (see sqlstore.People.UpsertConversationRef), and the conversation type counts only
// with a conversation id. A returning person's turn then writes nothing.
func refUnchanged(stored, in domain.ConversationRef) bool {
	same := func(s, i string) bool { return i == "" || i == s }
	if in.ConversationID != "" && (in.ConversationID != stored.ConversationID || !same(stored.ConversationType, in.ConversationType)) {
		return false
	}
	return same(stored.UserID, in.UserID) && same(stored.UserName, in.UserName) && same(stored.BotID, in.BotID) &&
		same(stored.ServiceURL, in.ServiceURL) && same(stored.TenantID, in.TenantID) &&
		same(stored.ChannelID, in.ChannelID) && same(stored.Locale, in.Locale)
}

func isPersonal(act schema.Activity) bool {
	ct := act.Conversation.ConversationType
	return ct == "personal" || (ct == "" && !act.Conversation.IsGroup)
}

// TenantOf is the tenant an activity says it comes from: its conversation's tenant, else its channel data's.
func TenantOf(act schema.Activity) string { return tenantOf(act) }

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
