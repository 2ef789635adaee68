package tab

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/handbook"
)

// styleHash returns the CSP source ('sha256-…') of the handbook page's one inline <style> element, so that the
// tab page can show the handbook in an iframe (srcdoc inherits the page's policy) without allowing inline styles
// in general.
func styleHash(page []byte) (string, error) {
	_, rest, ok := bytes.Cut(page, []byte("<style>"))
	if ok {
		var css []byte
		if css, _, ok = bytes.Cut(rest, []byte("</style>")); ok && !bytes.Contains(css, []byte("<style")) {
			sum := sha256.Sum256(css)
			return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'", nil
		}
	}
	return "", errors.New("tab: the handbook page has no single inline style element")
}

// directoryNames names people from the directory, each once: "" (the handbook shows the id) when the directory
// does not answer.
func (h *Handler) directoryNames(ctx context.Context) func(string) string {
	names := map[string]string{}
	return func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		n := ""
		if u, err := h.cfg.Directory.User(ctx, id); err == nil {
			n = u.DisplayName
		}
		names[id] = n
		return n
	}
}

// handbookPage builds the organisation's management model as one HTML page in lang, people named by names (nil:
// by their ids).
func (h *Handler) handbookPage(lang domain.Lang, names func(string) string) ([]byte, error) {
	opt := handbook.Options{Lang: lang, Names: names, CatalogDir: h.cfg.CatalogDir}
	var buf bytes.Buffer
	if err := handbook.Build(h.cfg.Catalog, h.cfg.Messages, opt).HTML(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// handbook answers the organisation's management model as one HTML page in the caller's language. It is the
// organisation's guidance for everyone: a signed-in person with no role in the register may read it too, but a
// request without a valid token is refused as everywhere else. The page carries no script; its own policy allows
// its inline style and nothing else.
func (h *Handler) handbook(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	v, err := h.authorise(r)
	if err != nil && !errors.Is(err, errNoRole) {
		h.refuse(w, r, v, err)
		return
	}
	page, err := h.handbookPage(v.lang, h.directoryNames(r.Context()))
	if err != nil {
		h.refuse(w, r, v, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src "+h.handbookStyle+"; img-src data:; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
	hd.Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(page)
}

// pagePolicy is the Content-Security-Policy of every response but the handbook's: nothing framed the page except
// Teams, nothing loaded from elsewhere, and no inline style but the handbook's own (shown in the page's iframe).
func pagePolicy(handbookStyle string) string {
	return strings.Join([]string{"default-src 'self'", "script-src 'self'", "style-src 'self' " + handbookStyle,
		"img-src 'self' data:", "connect-src 'self'", "frame-ancestors 'self' https://teams.microsoft.com " +
			"https://*.teams.microsoft.com https://*.cloud.microsoft https://*.office.com https://*.skype.com"}, "; ")
}
