package teamsfiles

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// Addresses come from activities: only SharePoint's file hosts over HTTPS are contacted.
func TestAllowedAddresses(t *testing.T) {
	c := &Client{}
	for raw, want := range map[string]bool{
		"https://porvoo-my.sharepoint.com/personal/x/_layouts/15/download.aspx?UniqueId=1&tempauth=t": true,
		"https://porvoo.sharepoint.com/sites/a/_api/v2.0/drive/items/1/uploadSession?guid=x":          true,
		"https://PORVOO-MY.SharePoint.com/x":                                                          true,
		"https://porvoo-my.sharepoint.com:443/x":                                                      true,
		"http://porvoo-my.sharepoint.com/x":                                                           false, // plain HTTP
		"https://porvoo-my.sharepoint.com:8443/x":                                                     false,
		"https://sharepoint.com/x":                                                                    false,
		"https://a.b.sharepoint.com/x":                                                                false,
		"https://porvoo.sharepoint.com.evil.example/x":                                                false,
		"https://evil.example/porvoo.sharepoint.com":                                                  false,
		"https://user@porvoo.sharepoint.com/x":                                                        false,
		"https://169.254.169.254/latest/meta-data":                                                    false,
		"http://127.0.0.1:6379/":                                                                      false,
		"https://[::1]/x":                                                                             false,
		"file:///etc/passwd":                                                                          false,
		"ftp://porvoo.sharepoint.com/x":                                                               false,
		"https://porvoo_x.sharepoint.com/x":                                                           false,
		"//porvoo.sharepoint.com/x":                                                                   false,
		"":                                                                                            false,
		"https://porvoo.sharepoint.com%2eevil.example/x":                                              false,
		"https://porvoo-my.sharepoint.com\\@evil.example/x":                                           false,
		"https://xn--prvoo-gua.sharepoint.com.evil.example/x":                                         false,
	} {
		if got := c.Allowed(raw); got != want {
			t.Errorf("Allowed(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestDownload(t *testing.T) {
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte("secret"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/file":
			_, _ = w.Write([]byte("Nimi;Sähköposti\n"))
		case "/big":
			_, _ = w.Write(bytes.Repeat([]byte("x"), 2048))
		case "/elsewhere":
			http.Redirect(w, r, other.URL+"/x", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/file", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := &Client{ExtraHosts: []string{host}, MaxBytes: 1024}
	data, err := c.Download(t.Context(), srv.URL+"/file?tempauth=abc")
	if err != nil || string(data) != "Nimi;Sähköposti\n" {
		t.Fatalf("download: %q %v", data, err)
	}
	if data, err := c.Download(t.Context(), srv.URL+"/here"); err != nil || len(data) == 0 {
		t.Fatalf("redirect on the same host: %q %v", data, err)
	}
	if _, err := c.Download(t.Context(), srv.URL+"/big"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("oversized: %v", err)
	}
	if _, err := c.Download(t.Context(), srv.URL+"/elsewhere"); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("redirect elsewhere: %v", err)
	}
	if _, err := c.Download(t.Context(), other.URL+"/x"); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("other host: %v", err)
	}
	if hits.Load() != 0 {
		t.Fatal("a host not allowed was contacted")
	}
	_, err = c.Download(t.Context(), srv.URL+"/missing?tempauth=token-123")
	if err == nil || strings.Contains(err.Error(), "token-123") || strings.Contains(err.Error(), host) {
		t.Fatalf("an error must not carry the address: %v", err)
	}
}

func TestUpload(t *testing.T) {
	var got []byte
	var rng string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		got, _ = io.ReadAll(r.Body)
		rng = r.Header.Get("Content-Range")
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	c := &Client{ExtraHosts: []string{strings.TrimPrefix(srv.URL, "http://")}}
	if err := c.Upload(t.Context(), srv.URL+"/upload", strings.NewReader("abcdef"), 6); err != nil {
		t.Fatal(err)
	}
	if string(got) != "abcdef" || rng != "bytes 0-5/6" {
		t.Fatalf("uploaded %q with range %q", got, rng)
	}
	if err := c.Upload(t.Context(), "https://evil.example/upload", strings.NewReader("x"), 1); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("upload elsewhere: %v", err)
	}
}
