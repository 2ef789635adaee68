package connector

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

// Window is one sliding-window rate limit: at most Limit requests in any period of length Per.
type Window = state.Window

// RateLimits configures the client's own throttling, applied before each HTTP attempt.
// Nil slices take the defaults of DefaultRateLimits.
type RateLimits struct {
	// PerConversation limits apply to each conversation (a channel thread counts as its
	// channel conversation).
	PerConversation []Window
	// PerTenant limits apply to all requests into one tenant together: Teams' budget per app and tenant. The
	// tenant of a call is the one WithTenant put in its context, else Config.Tenant.
	PerTenant []Window
	// Disabled turns throttling off (a test rig that measures the bot, not Teams' limits).
	Disabled bool
	// Slots is where the slots are booked: nil means this process only. With several replicas pass the shared
	// store (state.Redis.Slots), so that they spend one budget together.
	Slots state.Slots
	// Ahead is how far ahead a call that may wait books its slot; when the next free slot is later, the call
	// waits without holding one and asks again then. Default 1 s. It bounds how long a turn's reply can be held
	// up behind calls that booked earlier.
	Ahead time.Duration
}

// DefaultRateLimits returns Teams' published per-bot limits: per conversation 7 per second,
// 8 per 2 seconds, 60 per 30 seconds and 1800 per hour, and about 50 requests per second
// per app and tenant.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		PerConversation: []Window{
			{Limit: 7, Per: time.Second},
			{Limit: 8, Per: 2 * time.Second},
			{Limit: 60, Per: 30 * time.Second},
			{Limit: 1800, Per: time.Hour},
		},
		PerTenant: TenantBudget(50),
	}
}

// TenantBudget is the per-tenant limit of rps requests a second.
func TenantBudget(rps int) []Window { return []Window{{Limit: rps, Per: time.Second}} }

// ErrThrottled is the cause of a call that could not get a send slot within the wait its context allows (see
// WithinWait), or that Teams answered 429 while such a wait was set. Nothing was sent: the caller may queue the
// message and send it later without risk of a duplicate.
var ErrThrottled = errors.New("throttled: no send slot within the allowed wait")

type ctxKey int

const (
	tenantKey ctxKey = iota
	waitKey
)

// WithTenant names the tenant whose budget the calls made with ctx spend.
func WithTenant(ctx context.Context, tenantID string) context.Context {
	return context.WithValue(ctx, tenantKey, tenantID)
}

// WithinWait bounds how long the calls made with ctx wait for a send slot: past d they fail at once with
// ErrThrottled, and a 429 is not retried but returned as ErrThrottled too. A turn's reply uses it, so that the
// turn is answered in time and the reply goes to the outbox instead.
func WithinWait(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, waitKey, d)
}

func waitBound(ctx context.Context) (time.Duration, bool) {
	d, ok := ctx.Value(waitKey).(time.Duration)
	return d, ok
}

// limiter hands out send slots from the configured Slots, falling back to this process's own when the shared
// store fails (Redis down): throttling goes on, per replica, rather than stopping the bot.
type limiter struct {
	conv, tenant []Window
	shared       state.Slots // nil when local is the only store
	local        *state.MemorySlots
	ahead        time.Duration
	tenantID     string // default tenant
	fallbacks    atomic.Int64
	log          *slog.Logger
}

func newLimiter(l RateLimits, tenantID string, log *slog.Logger) *limiter {
	if l.Disabled {
		return nil
	}
	def := DefaultRateLimits()
	if l.PerConversation == nil {
		l.PerConversation = def.PerConversation
	}
	if l.PerTenant == nil {
		l.PerTenant = def.PerTenant
	}
	if l.Ahead <= 0 {
		l.Ahead = time.Second
	}
	return &limiter{conv: l.PerConversation, tenant: l.PerTenant, shared: l.Slots, local: state.NewMemorySlots(),
		ahead: l.Ahead, tenantID: tenantID, log: log}
}

// conversationKey is the rate-limit key of a conversation id: a reply inside a channel
// thread ("19:…@thread.tacv2;messageid=…") counts against the channel conversation.
func conversationKey(conversationID string) string {
	base, _, _ := strings.Cut(conversationID, ";messageid=")
	return base
}

// logs are the slot logs one call spends: its conversation's (when it has one) and its tenant's. Both keys carry
// the tenant as a hash tag, so one booking touches one Redis Cluster slot.
func (l *limiter) logs(ctx context.Context, conv string) []state.SlotLog {
	tenant, ok := ctx.Value(tenantKey).(string)
	if !ok || tenant == "" {
		tenant = l.tenantID
	}
	tag := "teams:{" + tenant + "}"
	logs := make([]state.SlotLog, 0, 2)
	if conv != "" {
		logs = append(logs, state.SlotLog{Key: tag + ":conv:" + conv, Windows: l.conv})
	}
	return append(logs, state.SlotLog{Key: tag, Windows: l.tenant})
}

// book books a slot at most ahead from now, in the shared store or, when that fails, locally.
func (l *limiter) book(ctx context.Context, logs []state.SlotLog, now time.Time, ahead time.Duration) (state.Slots, state.Booking, error) {
	if l.shared != nil {
		b, err := l.shared.Book(ctx, logs, now, ahead)
		if err == nil {
			return l.shared, b, nil
		}
		if ctx.Err() != nil {
			return nil, b, ctx.Err()
		}
		if l.fallbacks.Add(1)%100 == 1 {
			l.log.WarnContext(ctx, "shared rate limit unavailable; limiting in this process", slog.String("error", err.Error()))
		}
	}
	b, err := l.local.Book(ctx, logs, now, ahead)
	return l.local, b, err
}

// Fallbacks counts the bookings made in this process because the shared store failed.
func (c *Client) Fallbacks() int64 {
	if c.limiter == nil {
		return 0
	}
	return c.limiter.fallbacks.Load()
}
