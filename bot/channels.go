package bot

import (
	"context"
	"log/slog"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// ChannelRegister keeps how to post into the Teams channels the bot hears from (the digituki channel's hand-off
// cards go there).
type ChannelRegister interface {
	UpsertChannelRef(ctx context.Context, ref domain.ChannelRef) error
}

// seenChannel stores the reference of the channel an activity came from, under the channel's id and its team's, so
// that a hand-off card can be posted into any channel of the team; messages waiting for the channel go out now.
func (b *Bot) seenChannel(ctx context.Context, act schema.Activity) {
	channelID, _, _ := strings.Cut(act.Conversation.ID, ";messageid=")
	if cd, ok := act.ChannelData["channel"].(map[string]any); ok {
		if id, _ := cd["id"].(string); id != "" {
			channelID = id
		}
	}
	teamID := ""
	if td, ok := act.ChannelData["team"].(map[string]any); ok {
		teamID, _ = td["id"].(string)
	}
	for _, id := range []string{channelID, teamID} {
		if id == "" {
			continue
		}
		ref := domain.ChannelRef{ChannelID: id, TeamID: teamID, ServiceURL: act.ServiceURL, TenantID: tenantOf(act), BotID: act.Recipient.ID}
		if err := b.cfg.Channels.UpsertChannelRef(ctx, ref); err != nil {
			b.log.WarnContext(ctx, "could not store a channel reference", slog.String("error", err.Error()))
			return
		}
		if b.cfg.Reachable != nil {
			b.cfg.Reachable(ctx, domain.ChannelRecipient(id))
		}
	}
}
