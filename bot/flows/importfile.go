package flows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/importer"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/teamsfiles"
)

// Files moves files between the bot and the 1:1 chat (teamsfiles.Client): it downloads what a person sent and
// uploads what they accepted, only to and from the addresses Teams uses for that.
type Files interface {
	Download(ctx context.Context, url string) ([]byte, error)
	Upload(ctx context.Context, url string, body io.Reader, n int64) error
}

// How long the bot keeps what a file flow needs in the ephemeral state.
const (
	importFileTTL = 30 * time.Minute // a dry run's file, until Import or Cancel
	importRunTTL  = 24 * time.Hour   // the outcome of an import, so a second tap shows it instead of importing again
	// importRunningTTL bounds the claim of a running import: a replica that dies mid-import (its transaction rolled
	// back) does not block the file for long.
	importRunningTTL = 2 * time.Minute
)

// importFiles is the import of a main user's list sent as a file in the 1:1 chat (issue 9.1): a dry run first,
// answered with its summary and the report as a file; Import then runs the real import of the very bytes the dry
// run read, once, however often it is tapped.
type importFiles struct{ *Flows }

func (m *importFiles) register() {
	m.verbs[cards.VerbImportFileRun] = verb{handle: m.run}
	m.verbs[cards.VerbImportFileCancel] = verb{handle: m.cancel}
	m.verbs[cards.VerbImportFileMap] = verb{handle: m.remap}
}

// fileDownload is a file.download.info attachment: a file a person sent the bot.
type fileDownload struct {
	Name, URL, FileType string
}

// sentFile finds the first file a message carries.
func sentFile(act schema.Activity) (fileDownload, bool) {
	for _, a := range act.Attachments {
		if a.ContentType != cards.FileDownloadInfoType {
			continue
		}
		raw, _ := json.Marshal(a.Content)
		var c struct {
			DownloadURL string `json:"downloadUrl"`
			FileType    string `json:"fileType"`
		}
		if json.Unmarshal(raw, &c) != nil || c.DownloadURL == "" {
			continue
		}
		return fileDownload{Name: a.Name, URL: c.DownloadURL, FileType: strings.ToLower(strings.TrimSpace(c.FileType))}, true
	}
	return fileDownload{}, false
}

// storedFile is a dry run's file kept for its Import button.
type storedFile struct {
	Name string `json:"name"` // as the importer names it (identity codes redacted)
	Data []byte `json:"data"`
	// Mapping is the mapping of the latest dry run of the file, column (as written) to field; nil without one.
	Mapping map[string]string `json:"mapping,omitempty"`
	// Ready says that the latest dry run found no failed row and something to change: only then may Import run.
	Ready bool `json:"ready,omitempty"`
}

// mapping is the importer's mapping of the stored file.
func (f storedFile) mapping() importer.Mapping {
	if len(f.Mapping) == 0 {
		return nil
	}
	m := importer.Mapping{}
	for col, field := range f.Mapping {
		m.Set(col, importer.Field(field))
	}
	return m
}

func importFileKey(actor, sum string) string { return "importfile:file:" + actor + ":" + sum }
func importRunKey(actor, sum string) string  { return "importfile:run:" + actor + ":" + sum }

// receive answers a file sent in a message: only a main user's CSV or XLSX file in the 1:1 chat is read.
func (m *importFiles) receive(ctx context.Context, t *Turn, fd fileDownload) (Result, error) {
	text := func(key string) (Result, error) {
		return Result{Replies: []schema.Activity{*textReply(t.P.Get(key))}}, nil
	}
	switch {
	case !t.Personal():
		return Result{Replies: []schema.Activity{*m.privateChat(t)}}, nil
	case !m.Workflow.IsMainUser(t.Actor()):
		return text("importfile.not_main_user")
	}
	kind := fd.FileType
	if kind == "" {
		kind = strings.TrimPrefix(strings.ToLower(path.Ext(fd.Name)), ".")
	}
	if kind != "csv" && kind != "xlsx" {
		return text("importfile.unsupported")
	}
	data, err := m.Files.Download(ctx, fd.URL)
	switch {
	case errors.Is(err, teamsfiles.ErrTooLarge):
		return text("importfile.too_large")
	case err != nil:
		// The address carries a token: only the kind of failure is logged.
		m.Logger.WarnContext(ctx, "a sent file could not be downloaded", slog.String("error", err.Error()))
		return text("importfile.download_failed")
	}
	name := fd.Name
	if name == "" {
		name = "file." + kind
	}
	res, sum, err := m.dryRun(ctx, t.Actor(), storedFile{Name: name, Data: data})
	if err != nil {
		if domain.IsCode(err, domain.EInvalid) {
			return text("importfile.unreadable")
		}
		return Result{}, err
	}
	replies := []schema.Activity{*activity(cards.ImportDryRun(t.P, sum))}
	var report strings.Builder
	if err := res.WriteReport(&report); err != nil {
		return Result{}, err
	}
	offer, err := (&fileOffers{m.Flows}).offer(ctx, t, fileOffer{Kind: offerReport, Name: reportName(res.File),
		Report: report.String()}, t.P.Get("importfile.report.text"), t.P.Get("importfile.report.description"),
		int64(report.Len()))
	if err != nil {
		return Result{}, err
	}
	return Result{Replies: append(replies, offer)}, nil
}

// dryRun makes the dry run of f with its mapping, and keeps the file for Import (or for a mapping to try) when it
// can be imported or has columns to map. A file with a personal identity code in it is never kept.
func (m *importFiles) dryRun(ctx context.Context, actor string, f storedFile) (*importer.Result, cards.ImportSummary, error) {
	imp := *m.Imports
	imp.Actor = actor
	res, err := imp.Run(ctx, f.Name, f.Data, importer.Options{DryRun: true, Mapping: f.mapping()})
	if err != nil {
		return nil, cards.ImportSummary{}, err
	}
	sum := summarise(res)
	unknown, err := importer.Unknown(f.Data, nil)
	if err != nil {
		return nil, cards.ImportSummary{}, err
	}
	if sum.Counts[string(importer.Refused)] > 0 {
		unknown = nil // a file with a personal identity code in it is not kept, so not offered for a mapping
	}
	for _, col := range unknown {
		sum.Columns = append(sum.Columns, cards.ImportColumn{Name: col, Field: f.Mapping[col]})
	}
	if len(unknown) > 0 {
		sum.Fields = importer.Fields()
	}
	sum.Mapping = res.Mapping
	if (sum.Failed() == 0 && sum.Changes() > 0) || len(unknown) > 0 {
		f.Name, f.Ready = res.File, sum.Failed() == 0 && sum.Changes() > 0
		raw, _ := json.Marshal(f)
		if err := m.State.Set(ctx, importFileKey(actor, res.SHA256), raw, importFileTTL); err != nil {
			return nil, cards.ImportSummary{}, err
		}
		// The same file sent again after an import that has since been undone in the register: a new run.
		if err := m.State.Delete(ctx, importRunKey(actor, res.SHA256)); err != nil {
			return nil, cards.ImportSummary{}, err
		}
	}
	return res, sum, nil
}

// remap makes the dry run of a kept file again with the mapping the card's inputs give its unrecognised columns.
// The mapping is checked against the file itself: only its unrecognised columns, only the importer's fields, no
// field twice; anything else is refused and changes nothing.
func (m *importFiles) remap(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.ImportFileData
	in, err := decode(raw, &d, nil, cards.ImportMapInputPrefix)
	if err != nil {
		return nil, err
	}
	if b, err := hex.DecodeString(d.SHA256); err != nil || len(b) != sha256.Size || strings.ToLower(d.SHA256) != d.SHA256 || d.Mapping != nil {
		return nil, errBadAction
	}
	actor := t.Actor()
	if !m.Workflow.IsMainUser(actor) {
		return nil, notMainUser("importfile.not_main_user")
	}
	f, err := m.stored(ctx, actor, d.SHA256)
	if err != nil {
		return nil, err
	}
	unknown, err := importer.Unknown(f.Data, nil)
	if err != nil {
		return nil, err
	}
	invalid := &domain.Error{Code: domain.EInvalid, Message: "importfile.map.invalid"}
	mapping := map[string]string{}
	taken := map[string]bool{}
	for k, field := range in {
		n, err := strconv.Atoi(strings.TrimPrefix(k, cards.ImportMapInputPrefix))
		if err != nil || n < 0 || n >= len(unknown) || k != cards.ImportMapInputPrefix+strconv.Itoa(n) {
			return nil, invalid
		}
		switch {
		case field == "":
			continue
		case !importer.IsField(field), taken[field]:
			return nil, invalid
		}
		if field != string(importer.FieldIgnore) {
			taken[field] = true
		}
		mapping[unknown[n]] = field
	}
	if len(mapping) == 0 {
		mapping = nil
	}
	f.Mapping = mapping
	_, sum, err := m.dryRun(ctx, actor, f)
	if err != nil {
		return nil, err
	}
	return cards.ImportDryRun(t.P, sum), nil
}

// reportName is the report file's name: the list's name without its extension, then "-report.csv".
func reportName(file string) string {
	base := strings.TrimSuffix(file, path.Ext(file))
	if base == "" {
		base = "import"
	}
	return base + "-report.csv"
}

// summarise is the cards' view of a run: counts, and the first failed rows, else the first rows to check.
func summarise(res *importer.Result) cards.ImportSummary {
	s := cards.ImportSummary{File: res.File, SHA256: res.SHA256, Rows: len(res.Lines), Counts: map[string]int{},
		Flagged: res.Flagged, Unread: res.Unread, Written: res.Written, NoHeader: res.Headed == 0}
	for o, n := range res.Counts {
		s.Counts[string(o)] = n
	}
	add := func(keep func(importer.Line) bool) {
		for _, l := range res.Lines {
			if len(s.Issues) < cards.ImportIssueRows && keep(l) {
				s.Issues = append(s.Issues, cards.ImportIssue{Sheet: l.Sheet, Row: l.Row, Outcome: string(l.Outcome), Reason: l.Reason})
			}
		}
	}
	add(func(l importer.Line) bool { return l.Outcome == importer.Error || l.Outcome == importer.Refused })
	if len(s.Issues) == 0 {
		add(func(l importer.Line) bool {
			return (l.Outcome == importer.Imported || l.Outcome == importer.Updated) && strings.Contains(l.Reason, "check")
		})
	}
	return s
}

// decodeFileData reads an import card's data: the SHA-256 of the file, in hex.
func decodeFileData(raw json.RawMessage) (cards.ImportFileData, error) {
	var d cards.ImportFileData
	if _, err := decode(raw, &d, nil); err != nil {
		return d, err
	}
	if b, err := hex.DecodeString(d.SHA256); err != nil || len(b) != sha256.Size || strings.ToLower(d.SHA256) != d.SHA256 {
		return d, errBadAction
	}
	return d, nil
}

func notMainUser(key string) error { return &domain.Error{Code: domain.EForbidden, Message: key} }

// run imports the file of the dry run once: the first tap claims the run, a later one shows its outcome.
func (m *importFiles) run(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, err := decodeFileData(raw)
	if err != nil {
		return nil, err
	}
	actor := t.Actor()
	if !m.Workflow.IsMainUser(actor) {
		return nil, notMainUser("importfile.not_main_user")
	}
	claim := importRunKey(actor, d.SHA256)
	ok, err := m.State.SetNX(ctx, claim, []byte("running"), importRunningTTL)
	if err != nil {
		return nil, err
	}
	if !ok {
		return m.earlierRun(ctx, t, claim)
	}
	res, err := m.importStored(ctx, actor, d.SHA256, d.Mapping)
	if err != nil {
		_ = m.State.Delete(context.WithoutCancel(ctx), claim) // a later tap may try again
		return nil, err
	}
	sum := summarise(res)
	done, _ := json.Marshal(sum)
	if err := m.State.Set(ctx, claim, done, importRunTTL); err != nil {
		m.Logger.WarnContext(ctx, "could not remember an import's outcome", slog.String("error", err.Error()))
	}
	_ = m.State.Delete(ctx, importFileKey(actor, d.SHA256))
	return cards.ImportDone(t.P, sum), nil
}

// importStored runs the real import of the kept file whose checksum is sum with the mapping of its latest dry run,
// refusing a file no longer kept, whose bytes are not the ones the checksum names, whose latest dry run offered no
// Import, or whose mapping is not the one the tapped card was made with (pairs).
func (m *importFiles) importStored(ctx context.Context, actor, sum string, pairs []string) (*importer.Result, error) {
	f, err := m.stored(ctx, actor, sum)
	if err != nil {
		return nil, err
	}
	if !f.Ready { // kept only for a mapping to try
		return nil, &domain.Error{Code: domain.ENotFound, Message: "importfile.expired"}
	}
	mapping := f.mapping()
	if !slices.Equal(mapping.Pairs(), pairs) && (len(pairs) > 0 || len(mapping) > 0) {
		return nil, &domain.Error{Code: domain.EConflict, Message: "importfile.map.stale"}
	}
	imp := *m.Imports
	imp.Actor = actor
	return imp.Run(ctx, f.Name, f.Data, importer.Options{Mapping: mapping})
}

// stored is the kept file whose checksum is sum, refusing a file no longer kept or whose bytes are not the ones the
// checksum names.
func (m *importFiles) stored(ctx context.Context, actor, sum string) (storedFile, error) {
	expired := &domain.Error{Code: domain.ENotFound, Message: "importfile.expired"}
	raw, err := m.State.Get(ctx, importFileKey(actor, sum))
	if errors.Is(err, state.ErrNotFound) {
		return storedFile{}, expired
	} else if err != nil {
		return storedFile{}, err
	}
	var f storedFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return storedFile{}, expired
	}
	if got := sha256.Sum256(f.Data); hex.EncodeToString(got[:]) != sum {
		return storedFile{}, expired
	}
	return f, nil
}

// earlierRun answers a tap after the first: the import is still running, or here is what it did.
func (m *importFiles) earlierRun(ctx context.Context, t *Turn, claim string) (*cards.Card, error) {
	raw, err := m.State.Get(ctx, claim)
	if err != nil && !errors.Is(err, state.ErrNotFound) {
		return nil, err
	}
	var sum cards.ImportSummary
	if err != nil || string(raw) == "running" || json.Unmarshal(raw, &sum) != nil {
		return nil, &domain.Error{Code: domain.EConflict, Message: "importfile.running"}
	}
	return cards.ImportDone(t.P, sum), nil
}

// cancel forgets the file of a dry run.
func (m *importFiles) cancel(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	d, err := decodeFileData(raw)
	if err != nil {
		return nil, err
	}
	if !m.Workflow.IsMainUser(t.Actor()) {
		return nil, notMainUser("importfile.not_main_user")
	}
	key := importFileKey(t.Actor(), d.SHA256)
	name := d.SHA256[:12]
	if raw, err := m.State.Get(ctx, key); err == nil {
		var f storedFile
		if json.Unmarshal(raw, &f) == nil && f.Name != "" {
			name = f.Name
		}
	}
	if err := m.State.Delete(ctx, key); err != nil {
		return nil, err
	}
	return cards.ImportCancelled(t.P, name), nil
}
