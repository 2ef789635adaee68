// Package teamsfiles moves files between the bot and a person's 1:1 chat in Teams: it downloads a file a person
// sent (the pre-authenticated content.downloadUrl of a file.download.info attachment) and uploads a file the
// person accepted on a file consent card (the uploadInfo.uploadUrl of a fileConsent/invoke).
//
// Both addresses come from an activity, that is from the network: the client fetches nothing but HTTPS addresses
// on the SharePoint / OneDrive for Business hosts Teams uses for these files (*.sharepoint.com), with no user info,
// no port other than 443 and no redirect elsewhere, within a size limit and a timeout, so that a forged activity
// cannot make the bot read or write any other address (server-side request forgery). Addresses and their query
// strings (which carry the pre-authentication token) are never logged or put in an error.
package teamsfiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults of a Client.
const (
	DefaultMaxBytes = 5 << 20          // a main user's list of a few thousand rows is well under 1 MB
	DefaultTimeout  = 10 * time.Second // Teams waits about 15 s for the turn that downloads or uploads
	maxRedirects    = 3
)

// ErrNotAllowed is an address the client refuses to contact.
var ErrNotAllowed = errors.New("teamsfiles: address not allowed")

// ErrTooLarge is a file over the client's size limit.
var ErrTooLarge = errors.New("teamsfiles: file too large")

// Client downloads and uploads the files of file attachments and file consents.
type Client struct {
	// HTTP makes the requests; nil means a client of its own with DefaultTimeout. Its redirect policy is replaced.
	HTTP *http.Client
	// MaxBytes bounds a download; zero means DefaultMaxBytes.
	MaxBytes int64
	// ExtraHosts are "host:port" addresses allowed besides SharePoint's, over plain HTTP too: only for tests
	// (a fake on 127.0.0.1). Production leaves it empty.
	ExtraHosts []string
}

// Allowed reports whether the client may contact the address raw.
func (c *Client) Allowed(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && c.allowed(u)
}

func (c *Client) allowed(u *url.URL) bool {
	if u.User != nil || u.Opaque != "" {
		return false
	}
	for _, h := range c.ExtraHosts {
		if (u.Scheme == "http" || u.Scheme == "https") && strings.EqualFold(u.Host, h) {
			return true
		}
	}
	if u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if net.ParseIP(host) != nil {
		return false
	}
	// <tenant>.sharepoint.com and <tenant>-my.sharepoint.com: one label before the domain, letters, digits, dashes.
	label, ok := strings.CutSuffix(host, ".sharepoint.com")
	if !ok || label == "" || len(label) > 63 {
		return false
	}
	for _, r := range label {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func (c *Client) client() *http.Client {
	base := c.HTTP
	if base == nil {
		base = &http.Client{Timeout: DefaultTimeout}
	}
	cl := *base
	cl.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects || !c.allowed(req.URL) {
			return ErrNotAllowed
		}
		return nil
	}
	return &cl
}

func (c *Client) maxBytes() int64 {
	if c.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return c.MaxBytes
}

// Download reads the file at the download address raw, refusing an address not allowed (ErrNotAllowed) and a file
// over the size limit (ErrTooLarge).
func (c *Client) Download(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil || !c.allowed(u) {
		return nil, ErrNotAllowed
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, ErrNotAllowed
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return nil, clean("download", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("teamsfiles: download answered %d", resp.StatusCode)
	}
	limit := c.maxBytes()
	if resp.ContentLength > limit {
		return nil, ErrTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, clean("download", err)
	}
	if int64(len(data)) > limit {
		return nil, ErrTooLarge
	}
	return data, nil
}

// Upload writes the n bytes of body to the upload address raw in one request, as an upload session expects it
// (Content-Range bytes 0-(n-1)/n).
func (c *Client) Upload(ctx context.Context, raw string, body io.Reader, n int64) error {
	u, err := url.Parse(raw)
	if err != nil || !c.allowed(u) {
		return ErrNotAllowed
	}
	if n <= 0 {
		body, n = bytes.NewReader(nil), 0
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), io.LimitReader(body, n))
	if err != nil {
		return ErrNotAllowed
	}
	req.ContentLength = n
	req.Header.Set("Content-Type", "application/octet-stream")
	if n > 0 {
		req.Header.Set("Content-Range", "bytes 0-"+strconv.FormatInt(n-1, 10)+"/"+strconv.FormatInt(n, 10))
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return clean("upload", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("teamsfiles: upload answered %d", resp.StatusCode)
	}
	return nil
}

// clean drops the address (and its token) from a transport error, keeping only what failed.
func clean(op string, err error) error {
	if errors.Is(err, ErrNotAllowed) {
		return ErrNotAllowed
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("teamsfiles: %s: %w", op, err)
	}
	return fmt.Errorf("teamsfiles: %s failed: %s", op, errKind(err))
}

func errKind(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return "connection error"
}
