// Package fakedrive is an in-process fake of the OneDrive for Business addresses Teams hands a bot in a 1:1 chat,
// for tests: the pre-authenticated download address of a file a person sent (a file.download.info attachment's
// content.downloadUrl) and the upload session of a file the person accepted on a file consent card
// (uploadInfo.uploadUrl of a fileConsent/invoke). It records every request.
//
// Routes: GET /download/{id}?tempauth=… → the file's bytes (401 without the token); PUT /upload/{id} → 201 with the
// bytes kept (a PUT must carry Content-Range "bytes 0-(n-1)/n" for its n bytes, else 400; a second PUT to the same
// session answers 409, as a completed upload session does).
package fakedrive

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// Upload is an upload session the fake offers, and what was put into it.
type Upload struct {
	Name       string
	UploadURL  string // where the bot PUTs the bytes
	ContentURL string // where the file lives once uploaded (the file info card points at it)
	UniqueID   string
	Data       []byte // nil until uploaded
	Puts       int    // PUT requests received
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	URL string

	mu        sync.Mutex
	files     map[string][]byte
	uploads   map[string]*Upload
	downloads int
	next      int
}

// New starts a fake that is shut down when tb's test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{files: map[string][]byte{}, uploads: map[string]*Upload{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /download/{id}", s.download)
	mux.HandleFunc("PUT /upload/{id}", s.upload)
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Host is the fake's "host:port".
func (s *Server) Host() string { return s.URL[len("http://"):] }

// Put stores a file a person sends and returns its download address.
func (s *Server) Put(data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := strconv.Itoa(s.next)
	s.files[id] = append([]byte(nil), data...)
	return s.URL + "/download/" + id + "?tempauth=fake-token-" + id
}

// Replace changes the bytes behind a download address returned by Put (the person changed the file).
func (s *Server) Replace(downloadURL string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id := range s.files {
		if s.URL+"/download/"+id+"?tempauth=fake-token-"+id == downloadURL {
			s.files[id] = append([]byte(nil), data...)
		}
	}
}

// NewUpload opens an upload session for a file named name, as Teams does when a person accepts a consent card.
func (s *Server) NewUpload(name string) *Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := strconv.Itoa(s.next)
	u := &Upload{Name: name, UploadURL: s.URL + "/upload/" + id + "?guid=session-" + id,
		ContentURL: s.URL + "/personal/files/" + name, UniqueID: fmt.Sprintf("1150D938-8870-4044-9F2C-%012d", s.next)}
	s.uploads[id] = u
	return u
}

// Uploaded returns a copy of the session u as it is now.
func (s *Server) Uploaded(u *Upload) Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *u
	c.Data = append([]byte(nil), u.Data...)
	if u.Data == nil {
		c.Data = nil
	}
	return c
}

// Downloads counts the downloads served.
func (s *Server) Downloads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloads
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	data, ok := s.files[id]
	if ok && r.URL.Query().Get("tempauth") == "fake-token-"+id {
		s.downloads++
	}
	s.mu.Unlock()
	switch {
	case !ok:
		http.NotFound(w, r)
	case r.URL.Query().Get("tempauth") != "fake-token-"+id:
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(data)
	}
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.uploads[r.PathValue("id")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	u.Puts++
	switch {
	case u.Data != nil:
		http.Error(w, "upload session already completed", http.StatusConflict)
	case len(body) == 0 || r.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-%d/%d", len(body)-1, len(body)):
		http.Error(w, "bad Content-Range", http.StatusBadRequest)
	default:
		u.Data = body
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"id":%q,"name":%q,"size":%d}`, u.UniqueID, u.Name, len(body))
	}
}
