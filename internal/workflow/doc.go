// Package workflow is the mandate flow's rules: what a request needs, who approves it, who may decide and grant,
// which state changes are allowed, and which messages each change causes.
//
// Every state change runs in one database transaction that also appends its audit rows and enqueues the messages
// it causes (the outbox), so either all of it happens or none of it. Authorisation is decided here from the actor's
// Entra object id, which the bot takes from the authenticated activity, never from card data. Concurrent and
// repeated decisions are safe: updates are conditional on the version that was read, so exactly one of many
// simultaneous taps changes anything and the others get a conflict.
//
// User-facing error messages are i18n keys ("err.…"), translated by the bot.
package workflow
