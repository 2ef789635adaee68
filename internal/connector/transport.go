package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/wait"
)

const (
	maxResponseBody = 1 << 20  // an answer is {"id": …}; anything near this is not the connector
	maxErrorBody    = 64 << 10 // error bodies are only parsed for code and message
	maxMessageLen   = 300      // of the service's error message kept in APIError
)

// APIError is an HTTP error answer from the connector.
type APIError struct {
	Op         string // client method, e.g. "SendActivity"
	StatusCode int
	Code       string // error.code from the body, e.g. "ConversationBlockedByUser"
	Message    string // error.message from the body, truncated
	// RetryAfter is the server's Retry-After, zero when absent.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "connector: %s: HTTP %d", e.Op, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Retryable reports whether the call may succeed if repeated later: 429, 412, 502 and 504
// (per Microsoft's guidance) and 500 and 503 (transient in practice).
func (e *APIError) Retryable() bool {
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusPreconditionFailed,
		http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// ErrRedirect is the cause of a call the connector answered with a redirect (3xx). Redirects
// are never followed, so that neither the activity nor the bot's token goes to a location the
// caller did not name; the Bot Connector does not redirect, so one means a wrong serviceUrl.
var ErrRedirect = errors.New("redirect not followed")

// opErr wraps err with the operation for errors that happen before any request is made.
func opErr(op string, err error) error { return fmt.Errorf("connector: %s: %w", op, err) }

// call is one logical API call; each attempt builds a fresh request from it.
type call struct {
	op      string
	method  string
	url     *url.URL
	body    []byte // nil for no body
	convKey string // rate-limit key; "" = global limits only
}

// transportError is a failure to get an HTTP answer at all (dial, TLS, timeout, reset).
type transportError struct{ err error }

func (e *transportError) Error() string { return e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// do runs c with throttling, authentication and retries, and decodes a 2xx JSON answer
// into out when out is not nil.
func (c *Client) do(ctx context.Context, r call, out any) error {
	if c.tokens != nil && !tokenAllowed(r.url) {
		return opErr(r.op, fmt.Errorf("refusing to send a bearer token over plain http to %s", r.url.Host))
	}
	var lastErr error
	retriedAuth := false
	// mayHaveSent: an earlier attempt may have reached Teams (an answer lost, a 5xx after delivery), so the call
	// must not claim that nothing was sent.
	mayHaveSent := false
	_, bounded := waitBound(ctx)
	for attempt := 1; ; attempt++ {
		if err := c.throttle(ctx, r); err != nil {
			if errors.Is(err, ErrThrottled) && mayHaveSent {
				return lastErr
			}
			return stopped(r.op, err, lastErr)
		}
		token := ""
		if c.tokens != nil {
			var err error
			if token, err = c.tokens.token(ctx); err != nil {
				if ctx.Err() != nil {
					return stopped(r.op, ctx.Err(), lastErr)
				}
				// The cause (azidentity's error: the authority's answer, never a token) is what an operator needs.
				c.log.LogAttrs(ctx, slog.LevelError, "connector token failed", slog.Any("op", r.op), slog.Any("error", err.Error()))
				return opErr(r.op, fmt.Errorf("get token: %w", err))
			}
		}

		err := c.attempt(ctx, r, attempt, token, out)
		if err == nil {
			return nil
		}
		lastErr = err
		if ctx.Err() != nil {
			return stopped(r.op, ctx.Err(), lastErr)
		}

		var delay time.Duration
		var apiErr *APIError
		var tErr *transportError
		switch {
		case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnauthorized && c.tokens != nil && !retriedAuth:
			// The token may have been revoked or rotated before its expiry: fetch a new one
			// once, right away.
			c.tokens.invalidate(token)
			retriedAuth = true
		case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests && bounded && !mayHaveSent:
			// Teams' own throttling while the caller may not wait: nothing was sent, the caller queues it.
			c.observeRetry(r.op, "throttled")
			return fmt.Errorf("connector: %s: %w: %w", r.op, ErrThrottled, err)
		case errors.As(err, &apiErr) && apiErr.Retryable():
			mayHaveSent = mayHaveSent || apiErr.StatusCode != http.StatusTooManyRequests
			delay = c.backoff(attempt, apiErr.RetryAfter)
		case errors.As(err, &tErr):
			mayHaveSent = true
			delay = c.backoff(attempt, 0)
		default:
			return err
		}
		if attempt >= c.cfg.MaxAttempts {
			return err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < delay {
			// The retry could not happen before the caller gives up anyway.
			return err
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "connector retry",
			slog.Any("op", r.op), slog.Any("attempt", attempt), slog.Any("wait", delay))
		c.observeRetry(r.op, "retry")
		if delay > 0 {
			if err := c.cfg.Sleep(ctx, delay); err != nil {
				return stopped(r.op, err, lastErr)
			}
		}
	}
}

func (c *Client) observeRetry(op, what string) {
	if c.cfg.Retried != nil {
		c.cfg.Retried(op, what)
	}
}

// stopped is the error of a call the context ended, keeping the last attempt's error.
func stopped(op string, ctxErr, lastErr error) error {
	if lastErr == nil {
		return opErr(op, ctxErr)
	}
	return fmt.Errorf("connector: %s: %w (last attempt: %w)", op, ctxErr, lastErr)
}

// recheckAfter is the shortest wait before a call that found no slot within reach asks again: when many wait for
// the same budget, each asks at most this often instead of waking with every slot another takes.
const recheckAfter = 20 * time.Millisecond

// throttle waits for a rate-limit slot. Under WithinWait it gives up with ErrThrottled once the slot lies beyond
// the wait allowed, having booked nothing; otherwise it books at most the limiter's Ahead in advance and, when the
// next slot is later, sleeps until it is in reach and asks again, so that a call that must wait long (a
// conversation's hourly quota spent) holds no slot in the tenant's budget meanwhile.
func (c *Client) throttle(ctx context.Context, r call) error {
	if err := ctx.Err(); err != nil || c.limiter == nil {
		return err // a call that will not be made books no slot
	}
	bound, bounded := waitBound(ctx)
	logs := c.limiter.logs(ctx, r.convKey)
	start := c.cfg.Now()
	for {
		now := c.cfg.Now()
		ahead := c.limiter.ahead
		if bounded {
			ahead = max(0, bound-now.Sub(start))
		}
		store, b, err := c.limiter.book(ctx, logs, now, ahead)
		if err != nil {
			return err
		}
		wait := b.At.Sub(now)
		if b.OK {
			if wait <= 0 {
				return nil
			}
			c.log.LogAttrs(ctx, slog.LevelDebug, "connector throttled", slog.Any("op", r.op), slog.Any("wait", wait))
			if err := c.cfg.Sleep(ctx, wait); err != nil {
				_ = store.Cancel(context.WithoutCancel(ctx), b)
				return err
			}
			return nil
		}
		if bounded {
			c.log.LogAttrs(ctx, slog.LevelDebug, "connector throttled beyond the allowed wait", slog.Any("op", r.op), slog.Any("wait", wait))
			return ErrThrottled
		}
		if err := c.cfg.Sleep(ctx, max(wait-ahead, recheckAfter)); err != nil {
			return err
		}
	}
}

// backoff is the delay before the retry that follows attempt: Retry-After when the server
// gave one, else full jitter over an exponentially growing range, both capped by MaxBackoff.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, c.cfg.MaxBackoff)
	}
	return rand.N(wait.Backoff(c.cfg.BaseBackoff, c.cfg.MaxBackoff, attempt) + 1)
}

// attempt makes one HTTP request.
func (c *Client) attempt(ctx context.Context, r call, attempt int, token string, out any) error {
	actx, cancel := context.WithTimeout(ctx, c.cfg.CallTimeout)
	defer cancel()

	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(actx, r.method, r.url.String(), body)
	if err != nil {
		return opErr(r.op, err)
	}
	req.Header.Set("Accept", "application/json")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}

	start := time.Now()
	resp, err := c.cfg.HTTPClient.Do(req)
	if c.cfg.Observe != nil {
		status := 0
		if err == nil {
			status = resp.StatusCode
		}
		c.cfg.Observe(r.op, status)
	}
	if err != nil {
		// *url.Error names the full URL, conversation id included: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		err = &transportError{err: fmt.Errorf("%s %s: %w", r.method, r.url.Host, err)}
		c.log.LogAttrs(ctx, slog.LevelWarn, "connector call failed",
			slog.Any("op", r.op), slog.Any("attempt", attempt), slog.Any("duration", time.Since(start)), slog.Any("error", err.Error()))
		return opErr(r.op, err)
	}
	defer resp.Body.Close()

	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
		level := slog.LevelDebug
		if err != nil {
			// The request was accepted; only the answer was lost. Retrying would post twice.
			level = slog.LevelWarn
		}
		c.log.LogAttrs(ctx, level, "connector call",
			slog.Any("op", r.op), slog.Any("status", resp.StatusCode), slog.Any("attempt", attempt), slog.Any("duration", time.Since(start)))
		if out != nil && err == nil && len(bytes.TrimSpace(data)) > 0 {
			if jerr := json.Unmarshal(data, out); jerr != nil {
				c.log.LogAttrs(ctx, slog.LevelWarn, "connector answer not JSON", slog.Any("op", r.op), slog.Any("status", resp.StatusCode))
			}
		}
		return nil
	}

	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody)) // let the connection be reused
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		c.log.LogAttrs(ctx, slog.LevelWarn, "connector call redirected",
			slog.Any("op", r.op), slog.Any("status", resp.StatusCode), slog.Any("attempt", attempt), slog.Any("duration", time.Since(start)))
		return opErr(r.op, fmt.Errorf("%w: HTTP %d from %s", ErrRedirect, resp.StatusCode, r.url.Host))
	}
	apiErr := &APIError{Op: r.op, StatusCode: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), c.cfg.Now())}
	var er schema.ErrorResponse
	if json.Unmarshal(data, &er) == nil {
		apiErr.Code = er.Error.Code
		apiErr.Message = truncate(er.Error.Message, maxMessageLen)
	}
	c.log.LogAttrs(ctx, slog.LevelWarn, "connector call",
		slog.Any("op", r.op), slog.Any("status", resp.StatusCode), slog.Any("code", apiErr.Code),
		slog.Any("attempt", attempt), slog.Any("duration", time.Since(start)))
	return apiErr
}

// parseRetryAfter is the server's Retry-After as the connector uses it: zero when absent or
// unusable, so that the retry falls back to the jittered backoff.
func parseRetryAfter(v string, now time.Time) time.Duration {
	d, _ := wait.RetryAfter(v, now)
	return d
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
