// Package bot is the Teams edge: the HTTP endpoint Bot Framework posts activities to, inbound authentication
// through msbotbuilder-go's adapter (with our own token validator plugged in), the tenant check, activity
// de-duplication, the per-person turn limit, conversation references for proactive messages, the choice of the
// person's language, and sending the replies. What to answer is decided by the conversation flows (bot/flows).
//
// A turn runs in this order: size and shape checks, authentication, de-duplication, storing the conversation
// reference, choosing the person's language, then the flows by activity type (message, invoke, conversationUpdate,
// installationUpdate). Replies go out through the Sender (our Bot Connector client); invoke responses are written
// into the HTTP response body, which msbotbuilder-go's own ProcessActivity cannot do.
package bot
