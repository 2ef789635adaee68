package bot

import (
	"context"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Register is the part of the SQL register the transport needs.
type Register interface {
	UpsertConversationRef(ctx context.Context, ref domain.ConversationRef) error
	ConversationRef(ctx context.Context, aadObjectID string) (domain.ConversationRef, error)
	SetLanguage(ctx context.Context, aadObjectID string, lang domain.Lang) error
}

// Sender delivers activities through the Bot Connector service.
type Sender interface {
	SendActivity(ctx context.Context, serviceURL, conversationID string, a schema.Activity) (string, error)
	UpdateActivity(ctx context.Context, serviceURL, conversationID, activityID string, a schema.Activity) error
}

// People looks people up in the directory.
type People interface {
	User(ctx context.Context, id string) (domain.User, error)
}

// CardStore remembers posted cards so they can be updated when their request changes.
type CardStore interface {
	SaveCardRef(ctx context.Context, ref domain.CardRef) error
	CardRefs(ctx context.Context, requestID int64) ([]domain.CardRef, error)
}

// Opener creates 1:1 conversations for proactive messages.
type Opener interface {
	CreateConversation(ctx context.Context, serviceURL string, p schema.ConversationParameters) (connector.ConversationResource, error)
}

// Installer installs the bot's Teams app for a person, so that proactive messages can reach someone who has never
// opened the bot. Teams then sends an installationUpdate, which stores their conversation reference.
type Installer interface {
	InstallFor(ctx context.Context, userID string) error
}
