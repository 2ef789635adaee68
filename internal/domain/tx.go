package domain

import "context"

// Tx is the write side of the register inside one transaction: the store implements it, the workflow writes
// through it. Everything written through one Tx commits together or not at all.
type Tx interface {
	// CreateRequest inserts r and its items; it sets r.ID, the items' IDs, r.Version = 1 and CreatedAt/UpdatedAt.
	CreateRequest(ctx context.Context, r *Request) error
	// Request reads a request with its items inside the transaction.
	Request(ctx context.Context, id int64) (Request, error)
	// UpdateRequest writes r's mutable fields (state, decision, approver, items' state and grant fields) if the stored
	// version still equals r.Version, then increments r.Version and sets UpdatedAt. A different stored version is a
	// EConflict error: someone else changed the request first.
	UpdateRequest(ctx context.Context, r *Request) error
	// CreateMandate inserts m and sets m.ID, CreatedAt and UpdatedAt.
	CreateMandate(ctx context.Context, m *Mandate) error
	// AppendAudit adds one audit row (At is set by the store when zero). Audit rows are never updated or deleted.
	AppendAudit(ctx context.Context, e AuditEvent) error
	// Enqueue adds an outbox message, due now.
	Enqueue(ctx context.Context, m OutboxMessage) error
	// TaskCards reads what the outbox holds for a main user's grant-task cards (see GrantMessage), inside the
	// transaction, at the store's clock.
	TaskCards(ctx context.Context, recipientID string) (TaskCards, error)
	// RecordRight records a theme DVV added to the organisation's valtuutusoikeus; EConflict when recorded already.
	RecordRight(ctx context.Context, right GrantingRight) error
	// HasRight reports whether a main user has recorded the right to grant the theme.
	HasRight(ctx context.Context, themeID string) (bool, error)
	// AwaitingRight counts the approved items of open requests that wait for the right to grant the theme.
	AwaitingRight(ctx context.Context, themeID string) (int, error)
	// Schedule adds a scheduled job unless one with its key exists (then false); CancelJob cancels a pending one.
	Schedule(ctx context.Context, job Job) (bool, error)
	CancelJob(ctx context.Context, key string) (bool, error)
	// FirstEffect records that the job with key has had its effects; false when an earlier run did already.
	FirstEffect(ctx context.Context, key string) (bool, error)
	// RequestsAwaitingApprover reads the requests waiting for the approver's decision, oldest first.
	RequestsAwaitingApprover(ctx context.Context, approverID string) ([]Request, error)
	// CreateDelegation stores an approver's delegation and sets its ID and CreatedAt.
	CreateDelegation(ctx context.Context, d *Delegation) error
	// DelegationsOf reads the approver's delegations not ended and lasting until from or later, by first day.
	DelegationsOf(ctx context.Context, approverID string, from Date) ([]Delegation, error)
	// EndDelegation records that d ended early (EndedAt, EndedBy); EConflict when it ended already.
	EndDelegation(ctx context.Context, d Delegation) error
}
