package directory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// FileWatch is a directory file that is read again when it changes on disk: the demo directory, so that editing
// the file (disabling an account, moving someone) reaches the running service without a restart. Reload looks at
// the file's modification time and size (no file-system notifications) and parses it again only when they moved
// and its content changed; a file that no longer parses is reported and the last good version stays in use.
//
// It is a Directory and a Finder (the current version's), and a DeltaSource: every round is a full one, and the
// link is the content's hash, so a round over an unchanged file reports nothing. Safe for concurrent use.
type FileWatch struct {
	path string // "" for the embedded demo, which never changes

	mu  sync.Mutex // serialises Reload
	cur atomic.Pointer[fileVersion]
}

type fileVersion struct {
	f    *File
	hash string
	mod  time.Time
	size int64
}

var (
	_ Directory   = (*FileWatch)(nil)
	_ Finder      = (*FileWatch)(nil)
	_ DeltaSource = (*FileWatch)(nil)
)

// WatchFile loads the directory file at path (see LoadFile) and watches it.
func WatchFile(path string) (*FileWatch, error) {
	w := &FileWatch{path: path}
	if _, err := w.Reload(); err != nil {
		return nil, err
	}
	return w, nil
}

// WatchDemo returns the embedded demo directory as a FileWatch that never changes.
func WatchDemo() (*FileWatch, error) {
	f, err := LoadDemo()
	if err != nil {
		return nil, err
	}
	w := &FileWatch{}
	w.cur.Store(&fileVersion{f: f, hash: contentHash(demoYAML)})
	return w, nil
}

// File returns the version in use.
func (w *FileWatch) File() *File { return w.cur.Load().f }

// Reload reads the file again if its modification time or size moved, and reports whether its content changed.
// When the new content does not parse, the error names the problems and the previous version stays in use.
func (w *FileWatch) Reload() (bool, error) {
	if w.path == "" {
		return false, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	const op = "directory.FileWatch.Reload"
	info, err := os.Stat(w.path)
	if err != nil {
		return false, &domain.Error{Code: domain.EInternal, Op: op, Message: "cannot read directory file " + w.path, Err: err}
	}
	old := w.cur.Load()
	if old != nil && info.ModTime().Equal(old.mod) && info.Size() == old.size {
		return false, nil
	}
	data, err := os.ReadFile(w.path)
	if err != nil {
		return false, &domain.Error{Code: domain.EInternal, Op: op, Message: "cannot read directory file " + w.path, Err: err}
	}
	hash := contentHash(data)
	if old != nil && hash == old.hash {
		w.cur.Store(&fileVersion{f: old.f, hash: hash, mod: info.ModTime(), size: info.Size()})
		return false, nil
	}
	f, err := parse(w.path, data, strings.EqualFold(filepath.Ext(w.path), ".json"))
	if err != nil {
		return false, domain.Wrap(op, err)
	}
	w.cur.Store(&fileVersion{f: f, hash: hash, mod: info.ModTime(), size: info.Size()})
	return old != nil, nil
}

func contentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return "file-sha256:" + hex.EncodeToString(sum[:])
}

// Delta implements DeltaSource: it reloads the file and, unless link is the hash of the content in use, reports
// everyone in it (a full round).
func (w *FileWatch) Delta(ctx context.Context, link string) (Delta, error) {
	if _, err := w.Reload(); err != nil {
		return Delta{}, err
	}
	v := w.cur.Load()
	if link == v.hash {
		return Delta{Link: v.hash}, nil
	}
	d := Delta{Full: true, Link: v.hash}
	for _, e := range v.f.Entries() {
		d.Changes = append(d.Changes, Change{Person: domain.DirectoryPerson{User: e.User, ManagerID: e.ManagerID}, Fields: AllFields})
	}
	return d, nil
}

// User implements Directory.
func (w *FileWatch) User(ctx context.Context, id string) (domain.User, error) {
	return w.File().User(ctx, id)
}

// Manager implements Directory.
func (w *FileWatch) Manager(ctx context.Context, id string) (domain.User, error) {
	return w.File().Manager(ctx, id)
}

// DirectReports implements Directory.
func (w *FileWatch) DirectReports(ctx context.Context, id string) ([]domain.User, error) {
	return w.File().DirectReports(ctx, id)
}

// UserByMail implements Finder.
func (w *FileWatch) UserByMail(ctx context.Context, mail string) (domain.User, error) {
	return w.File().UserByMail(ctx, mail)
}

// UsersByName implements Finder.
func (w *FileWatch) UsersByName(ctx context.Context, name string) ([]domain.User, error) {
	return w.File().UsersByName(ctx, name)
}
