package connector

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/infracloudio/msbotbuilder-go/connector/client"
	"github.com/infracloudio/msbotbuilder-go/schema"
)

// Legacy returns c as msbotbuilder-go's client.Client, for the Client field of that
// library's adapter. That interface has no context, so every call runs under ctx (give it
// the server's lifetime context, cancelled on shutdown); throttling, retries, token
// handling and Marshal apply as for the Client's own methods, and the activity's
// Conversation.ID is the rate-limit key. Activity ids of posted messages are lost, as the
// interface cannot return them: use SendActivity where the id matters.
func (c *Client) Legacy(ctx context.Context) client.Client {
	return legacyClient{c: c, ctx: ctx}
}

type legacyClient struct {
	c   *Client
	ctx context.Context // the interface carries none; see Legacy
}

var _ client.Client = legacyClient{}

func (l legacyClient) Post(u url.URL, a schema.Activity) error {
	return l.send("LegacyPost", http.MethodPost, u, a, true)
}

func (l legacyClient) Put(u url.URL, a schema.Activity) error {
	return l.send("LegacyPut", http.MethodPut, u, a, true)
}

func (l legacyClient) Delete(u url.URL, a schema.Activity) error {
	return l.send("LegacyDelete", http.MethodDelete, u, a, false)
}

func (l legacyClient) send(op, method string, u url.URL, a schema.Activity, withBody bool) error {
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return opErr(op, errors.New("want an absolute http(s) URL"))
	}
	r := call{op: op, method: method, url: &u, convKey: conversationKey(a.Conversation.ID)}
	if withBody {
		body, err := Marshal(a)
		if err != nil {
			return opErr(op, err)
		}
		r.body = body
	}
	return l.c.do(l.ctx, r, nil)
}
