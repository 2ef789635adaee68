package workflow

import (
	"context"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Store is the register as the mandate workflow needs it. sqlstore.DB implements it on SQLite and PostgreSQL.
type Store interface {
	// InTx runs fn in one database transaction: everything fn writes commits together, or nothing does when fn
	// returns an error. fn may be called again if the database asks for a retry (serialization failure), so it
	// must not have side effects outside tx.
	InTx(ctx context.Context, fn func(tx Tx) error) error

	Request(ctx context.Context, id int64) (domain.Request, error)                                    // with items; ENotFound
	RequestsByRequester(ctx context.Context, requesterID string, limit int) ([]domain.Request, error) // newest first, with items
	RequestsAwaitingApprover(ctx context.Context, approverID string) ([]domain.Request, error)        // pending, oldest first
	HasRequestsAwaitingApprover(ctx context.Context, approverID string) (bool, error)                 // any of those
	RequestsAwaitingGrant(ctx context.Context) ([]domain.Request, error)                              // approved with items still approved (not yet granted), oldest first
	MandatesByHolder(ctx context.Context, holderID string) ([]domain.Mandate, error)                  // every state, by ValidUntil
	Overview(ctx context.Context, today time.Time) (domain.Overview, error)
	AuditForRequest(ctx context.Context, requestID int64) ([]domain.AuditEvent, error)           // oldest first
	GrantingRights(ctx context.Context) ([]domain.GrantingRight, error)                          // recorded by main users, by theme
	MandatesEnding(ctx context.Context, from, to time.Time, limit int) ([]domain.Mandate, error) // active, ending within [from, to], by end; limit <= 0: all
	// OldestInvalidations are the first limit invalidation tasks not yet confirmed, oldest first, with their mandates.
	OldestInvalidations(ctx context.Context, limit int) ([]domain.MandateLife, error)
	// Delegations are an approver's delegations not ended and lasting until from or later, by first day.
	Delegations(ctx context.Context, approverID string, from domain.Date) ([]domain.Delegation, error)
}

// Tx is the write side of the register, inside one transaction (see domain.Tx).
type Tx = domain.Tx
