package domain

import "context"

// Directory is the organisation chart as the mandate rules need it (Entra ID through Microsoft Graph, or the demo
// file). Both methods answer ENotFound for a person the directory does not know (or, for Manager, who has none).
type Directory interface {
	User(ctx context.Context, id string) (User, error)
	Manager(ctx context.Context, id string) (User, error)
}

// Refs reads the conversation references the bot keeps of each person; ENotFound when it has never heard of them.
type Refs interface {
	ConversationRef(ctx context.Context, aadObjectID string) (ConversationRef, error)
}
