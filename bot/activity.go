package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/config"
)

// httpError is a refusal with the status the caller should see. msg says what is wrong with the activity, for the
// caller and the logs, and never echoes any of the input; detail (why a token failed, what the connector answered)
// goes to the logs only.
type httpError struct {
	status int
	msg    string
	detail string
}

func (e *httpError) Error() string {
	if e.detail != "" {
		return fmt.Sprintf("%d: %s: %s", e.status, e.msg, e.detail)
	}
	return fmt.Sprintf("%d: %s", e.status, e.msg)
}

// readActivity applies the transport checks in the order that leaks least: the token's presence, the body's size
// and shape, then the token itself (which needs the activity's serviceUrl and channel).
func (b *Bot) readActivity(w http.ResponseWriter, r *http.Request) (schema.Activity, *httpError) {
	var act schema.Activity
	header := r.Header.Get("Authorization")
	if !b.Anonymous() && strings.TrimSpace(header) == "" {
		return act, &httpError{status: http.StatusUnauthorized, msg: "no Authorization header"}
	}
	body, err := readBody(w, r, b.cfg.MaxBodyBytes)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return act, &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("body over %d bytes", b.cfg.MaxBodyBytes)}
		}
		return act, &httpError{status: http.StatusBadRequest, msg: "cannot read body"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&act); err != nil {
		return act, &httpError{status: http.StatusBadRequest, msg: "malformed activity JSON: " + jsonErrorKind(err)}
	}
	if dec.More() {
		return act, &httpError{status: http.StatusBadRequest, msg: "trailing data after the activity"}
	}
	if he := shapeError(act, body); he != nil {
		return act, he
	}
	u, _ := url.Parse(act.ServiceURL) // shapeError parsed it
	if b.Anonymous() {
		// Without authentication anybody on this machine could make us post anywhere: replies may only go back
		// to a local client such as the Agents Playground.
		if !config.IsLoopback(u.Hostname()) {
			return act, &httpError{status: http.StatusForbidden, msg: "anonymous mode accepts only loopback serviceUrls"}
		}
		return act, nil
	}
	if err := b.Authenticate(r.Context(), act, header); errors.Is(err, errOtherTenant) {
		return act, &httpError{status: http.StatusForbidden, msg: errOtherTenant.Error()}
	} else if err != nil {
		return act, &httpError{status: http.StatusForbidden, msg: "authentication failed", detail: err.Error()}
	}
	return act, nil
}

// maxObjectIDBytes bounds a sender's aadObjectId: an Entra object id is a 36-character GUID, and the register keys
// people by it (PostgreSQL cannot index a key of several kilobytes).
const maxObjectIDBytes = 128

// shapeError checks what every activity needs before anything reads it: a type, where to answer, and no value the
// register cannot store. JSON carries a NUL character only as the escape \u0000, which PostgreSQL refuses in text.
func shapeError(act schema.Activity, body []byte) *httpError {
	bad := func(msg string) *httpError { return &httpError{status: http.StatusBadRequest, msg: msg} }
	switch {
	case act.Type == "":
		return bad("activity has no type")
	case act.ServiceURL == "" || act.Conversation.ID == "":
		return bad("activity has no serviceUrl or conversation id")
	case act.Conversation.ID == "." || act.Conversation.ID == "..":
		// A dot segment in the connector's URL would name another resource than the conversation.
		return bad("activity has an invalid conversation id")
	case len(act.From.AadObjectID) > maxObjectIDBytes:
		return bad("activity has a from.aadObjectId too long for an Entra object id")
	case hasNUL(body):
		return bad("activity contains a NUL character")
	}
	u, err := url.Parse(act.ServiceURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return bad("activity has an invalid serviceUrl")
	}
	return nil
}

// hasNUL reports whether a JSON text holds the escape \u0000: a "u0000" after an odd number of backslashes (after an
// even number the backslashes escape each other and the text merely reads \u0000).
func hasNUL(body []byte) bool {
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte("u0000"))
		if j < 0 {
			return false
		}
		u := i + j
		n := 0
		for k := u - 1; k >= 0 && body[k] == '\\'; k-- {
			n++
		}
		if n%2 == 1 {
			return true
		}
		i = u + 1
	}
}

// jsonErrorKind names a JSON decoding failure without echoing the offending input.
func jsonErrorKind(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end"
	default:
		return "invalid"
	}
}

// readBody reads the request body, at most limit bytes (http.MaxBytesError beyond), into a buffer sized from
// Content-Length when the client sent one: one allocation instead of io.ReadAll's growing ones.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n <= limit {
		buf.Grow(int(n) + bytes.MinRead) // ReadFrom wants MinRead free before it reads
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	return buf.Bytes(), err
}
