// Package connector is Valtuusbotti's client for the Bot Framework Connector REST API, the
// service at an activity's serviceUrl through which a bot sends, updates and deletes
// messages and opens conversations in Teams. It reuses msbotbuilder-go's schema types but
// not its stock client, which returns no activity ids, takes no context and does not retry.
//
// What it does for every call:
//
//   - Authentication: a bearer token for the Bot Framework scope from an
//     azcore.TokenCredential, cached until five minutes before expiry and refreshed by one
//     request at a time. A 401 drops the cached token and retries once with a new one. With
//     no credential (the local Agents Playground) no Authorization header is sent. With a
//     credential, tokens are sent only over https, or plain http to a loopback host.
//   - Redirects: never followed, whatever HTTPClient the caller gives (it is copied, not
//     changed). A 3xx fails the call at once with ErrRedirect, so neither the activity nor
//     the token goes anywhere but the serviceUrl.
//   - Throttling: Teams' per-conversation limits (default 7/1 s, 8/2 s, 60/30 s, 1800/h) and the
//     app's budget per tenant (default 50/s) are applied before each attempt, as sliding windows
//     in state.Slots: in this process, or in Redis so that all replicas spend one budget
//     together (falling back to this process's own while Redis is down). A call waits for its
//     slot; under WithinWait (a turn's reply) it waits only that long and then fails with
//     ErrThrottled having sent nothing, and a 429 is handed back the same way, so the caller
//     can queue the message in the outbox and answer the turn at once.
//   - Retries: 429, 412, 502 and 504 (which Microsoft says to retry), and also 500, 503 and
//     transport errors, which are transient in practice, are retried with exponential
//     backoff and full jitter, honouring Retry-After (seconds or an HTTP date) capped by
//     MaxBackoff, until MaxAttempts or the context ends. Each attempt rebuilds its request.
//     A retried POST whose earlier attempt did reach Teams (a 502/504 or timeout after
//     delivery) can post the message twice; Teams offers no idempotency key, and losing a
//     notification is worse than a rare duplicate. Other 4xx answers are returned at once
//     as *APIError.
//   - Bodies: activities are encoded with Marshal, which drops the zero-valued noise
//     (timestamps of year 1, empty from/recipient/relatesTo objects) that the schema's
//     struct tags let through. Response bodies are read up to a size limit.
//   - Logs: operation, status, attempt and duration; never tokens, message text or
//     conversation ids.
package connector
