// Package bot is the Teams transport and the conversation flows: the HTTP endpoint Bot Framework posts activities
// to, inbound authentication through msbotbuilder-go's adapter (with our own token validator plugged in), activity
// de-duplication, conversation references for proactive messages, and the turn handlers that answer people.
//
// A turn runs in this order: size and shape checks, authentication, de-duplication, storing the conversation
// reference, choosing the person's language, then routing by activity type (message, invoke, conversationUpdate,
// installationUpdate). Replies go out through the Sender (our Bot Connector client); invoke responses are written
// into the HTTP response body, which msbotbuilder-go's own ProcessActivity cannot do.
package bot
