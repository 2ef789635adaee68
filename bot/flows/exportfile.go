package flows

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/exporter"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

// FileConsentInvoke is the invoke Teams sends when a person accepts or declines a file consent card.
const FileConsentInvoke = "fileConsent/invoke"

// How long an offered file waits for its consent, and how long an upload is remembered so a second accept of the
// same card uploads nothing.
const (
	fileOfferTTL = time.Hour
	fileSentTTL  = 24 * time.Hour
)

// The kinds of file the bot offers.
const (
	offerReport   = "report"   // an import's report; the bytes are kept with the offer
	offerRegister = "register" // the city's mandate list, exported when accepted
	offerAudit    = "audit"    // the audit trail, exported when accepted
	offerReview   = "review"   // a review campaign's report, exported when accepted
)

// fileOffer is a file offered on a consent card, kept for the person it was offered to.
type fileOffer struct {
	Kind   string        `json:"kind"`
	Name   string        `json:"name"`
	Report string        `json:"report,omitempty"` // offerReport: the report's text
	Export *exportFilter `json:"export,omitempty"` // offerRegister, offerAudit, offerReview
}

// exportFilter is what an export was asked for: the format, the language of its columns and its filters.
type exportFilter struct {
	Format                    sheet.Format `json:"format"`
	Lang                      domain.Lang  `json:"lang"`
	Department, Agency, Theme string       `json:",omitempty"`
	State, Person             string       `json:",omitempty"`
	EndingBefore, From, Until string       `json:",omitempty"` // YYYY-MM-DD
	Campaign                  int64        `json:",omitempty"` // the review report's campaign, fixed when offered
	audit, review             bool
}

// fileOffers sends files to the 1:1 chat through file consent cards: the export of the city's mandate list, the
// audit trail or a review campaign's report a main user asks for, and an import's report.
type fileOffers struct{ *Flows }

func fileOfferKey(actor, id string) string { return "fileoffer:" + actor + ":" + id }
func fileSentKey(actor, id string) string  { return "fileoffer:sent:" + actor + ":" + id }

var offerIDRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// offer keeps o for the person of the turn and returns the consent card message that offers it.
func (m *fileOffers) offer(ctx context.Context, t *Turn, o fileOffer, text, description string, size int64) (schema.Activity, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	raw, _ := json.Marshal(o)
	if err := m.State.Set(ctx, fileOfferKey(t.Actor(), id), raw, fileOfferTTL); err != nil {
		return schema.Activity{}, err
	}
	return cards.FileConsent(text, o.Name, description, size, id), nil
}

// consentValue is the value of a fileConsent/invoke.
type consentValue struct {
	Type       string            `json:"type"`
	Action     string            `json:"action"`
	Context    cards.FileContext `json:"context"`
	UploadInfo struct {
		ContentURL string `json:"contentUrl"`
		Name       string `json:"name"`
		UploadURL  string `json:"uploadUrl"`
		UniqueID   string `json:"uniqueId"`
		FileType   string `json:"fileType"`
	} `json:"uploadInfo"`
}

// consent answers an accepted or declined file consent card: on accept the file is uploaded once to the address
// Teams gave and a file card follows; on decline a short acknowledgement.
func (m *fileOffers) consent(ctx context.Context, t *Turn) (Result, error) {
	raw, _ := json.Marshal(t.Activity.Value)
	var v consentValue
	bad := Result{Invoke: &InvokeResponse{Status: http.StatusBadRequest,
		Body: []byte(`{"error":{"code":"BadRequest","message":"invalid file consent"}}`)}}
	if json.Unmarshal(raw, &v) != nil || !offerIDRE.MatchString(v.Context.File) || t.Actor() == "" || !t.Personal() {
		return bad, nil
	}
	done := &InvokeResponse{Status: http.StatusOK}
	say := func(key string) (Result, error) {
		return Result{Invoke: done, Replies: []schema.Activity{*textReply(t.P.Get(key))}}, nil
	}
	key := fileOfferKey(t.Actor(), v.Context.File)
	stored, err := m.State.Get(ctx, key)
	var o fileOffer
	switch {
	case errors.Is(err, state.ErrNotFound):
		if sent, _ := m.State.Get(ctx, fileSentKey(t.Actor(), v.Context.File)); sent != nil {
			return Result{Invoke: done}, nil // accepted again after the upload: nothing more to do
		}
		return say("exportfile.expired")
	case err != nil:
		return Result{}, err
	case json.Unmarshal(stored, &o) != nil:
		return say("exportfile.expired")
	}
	switch v.Action {
	case "decline":
		if err := m.State.Delete(ctx, key); err != nil {
			return Result{}, err
		}
		return say("exportfile.declined")
	case "accept":
	default:
		return bad, nil
	}
	claimed, err := m.State.SetNX(ctx, fileSentKey(t.Actor(), v.Context.File), []byte("sent"), fileSentTTL)
	if err != nil || !claimed {
		return Result{Invoke: done}, err // a second accept of the same card (a double tap): uploaded once
	}
	if err := m.upload(ctx, t, o, v.UploadInfo.UploadURL); err != nil {
		_ = m.State.Delete(context.WithoutCancel(ctx), fileSentKey(t.Actor(), v.Context.File))
		if !domain.IsCode(err, domain.EForbidden) {
			m.Logger.WarnContext(ctx, "a file could not be uploaded", slog.String("kind", o.Kind), slog.String("error", err.Error()))
			return say("exportfile.upload_failed")
		}
		return say("exportfile.not_main_user")
	}
	_ = m.State.Delete(ctx, key)
	info := cards.FileInfo(t.P.Get("exportfile.uploaded"), v.UploadInfo.Name, v.UploadInfo.ContentURL,
		v.UploadInfo.UniqueID, v.UploadInfo.FileType)
	return Result{Invoke: done, Replies: []schema.Activity{info}}, nil
}

// upload puts the offered file at url: a report from its kept bytes, an export written now (streamed through a
// temporary file, so the register is never held in memory) and recorded in the audit trail.
func (m *fileOffers) upload(ctx context.Context, t *Turn, o fileOffer, url string) error {
	if o.Kind == offerReport {
		return m.Files.Upload(ctx, url, strings.NewReader(o.Report), int64(len(o.Report)))
	}
	if o.Export == nil || (o.Kind != offerRegister && o.Kind != offerAudit && o.Kind != offerReview) {
		return errors.New("flows: unknown file offer")
	}
	if !m.Workflow.IsMainUser(t.Actor()) { // the role may have gone since the offer
		return notMainUser("exportfile.not_main_user")
	}
	o.Export.audit, o.Export.review = o.Kind == offerAudit, o.Kind == offerReview
	tmp, err := os.CreateTemp("", "valtuusbotti-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(tmp, h), 64<<10)
	n, err := m.export(ctx, w, *o.Export)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if err := m.Files.Upload(ctx, url, tmp, size); err != nil {
		return err
	}
	after, _ := json.Marshal(map[string]any{"file": o.Name, "sha256": hex.EncodeToString(h.Sum(nil)), "rows": n,
		"format": o.Export.Format, "filter": o.Export})
	return m.Imports.Store.InTx(ctx, func(tx domain.Tx) error {
		return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: t.Actor(), Action: o.Kind + ".exported",
			Before: json.RawMessage("null"), After: after, ActivityID: t.Activity.ID})
	})
}

// export writes the register, the audit trail or a campaign's review report as f asks, and returns how many rows
// it wrote.
func (m *fileOffers) export(ctx context.Context, w io.Writer, f exportFilter) (int, error) {
	day := func(s string) domain.Date {
		d, _ := domain.ParseDate(s) // written by parseExport: valid or empty
		return d
	}
	if f.review {
		return m.Exports.Review(ctx, w, f.Format, f.Lang, f.Campaign)
	}
	if f.audit {
		af := exporter.AuditFilter{Person: f.Person}
		if d := day(f.From); !d.IsZero() {
			af.From = orgMidnight(d)
		}
		if d := day(f.Until); !d.IsZero() {
			af.Until = orgMidnight(d.AddDays(1))
		}
		return m.Exports.Audit(ctx, w, f.Format, f.Lang, af)
	}
	return m.Exports.Mandates(ctx, w, f.Format, f.Lang, exporter.Filter{Department: f.Department, Agency: f.Agency,
		Theme: f.Theme, State: f.State, Person: f.Person, EndingBefore: day(f.EndingBefore)})
}

func orgMidnight(d domain.Date) time.Time {
	y, mo, dd := d.Time().Date()
	return time.Date(y, mo, dd, 0, 0, 0, 0, domain.OrgLocation)
}

// countingWriter counts bytes and keeps none.
type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// exportCommand answers "vie valtuusluettelo …" / "exportera fullmaktsförteckningen …" / "export mandate list …"
// and the audit trail's and the review report's commands: a main user gets a file consent card for the file, whose
// rows are counted now and written when they accept. The review report is the newest campaign's (the one the
// report card shows), fixed when offered.
func (m *fileOffers) exportCommand(ctx context.Context, t *Turn, f exportFilter, bad string) (*schema.Activity, error) {
	switch {
	case !t.Personal():
		return m.privateChat(t), nil
	case !m.Workflow.IsMainUser(t.Actor()):
		return textReply(t.P.Get("exportfile.not_main_user")), nil
	case bad != "":
		return textReply(t.P.Format("exportfile.bad_filter", "filter", bad) + "\n\n" + t.P.Get("exportfile.usage")), nil
	}
	f.Lang = t.Lang
	if f.review {
		if m.Reviews == nil {
			return textReply(t.P.Get("fallback.unknown")), nil
		}
		rep, err := m.Reviews.Report(ctx, t.Actor(), 0)
		if err != nil {
			if msg, ok := userError(t.P, err); ok {
				return textReply(msg), nil // no campaign yet
			}
			return nil, err
		}
		f.Campaign = rep.Campaign.ID
	}
	var cw countingWriter
	n, err := m.export(ctx, &cw, f)
	if err != nil {
		if domain.IsCode(err, domain.EInvalid) {
			return textReply(t.P.Format("exportfile.bad_filter", "filter", f.Theme+" "+f.Agency+" "+f.State) + "\n\n" +
				t.P.Get("exportfile.usage")), nil
		}
		return nil, err
	}
	kind := offerRegister
	switch {
	case f.audit:
		kind = offerAudit
	case f.review:
		kind = offerReview
	}
	name := exportNames[t.Lang][kind] + "-" + domain.Today(m.Now()).String() + "." + string(f.Format)
	a, err := m.offer(ctx, t, fileOffer{Kind: kind, Name: name, Export: &f},
		plural(t.P, "exportfile.offer."+kind, n), t.P.Get("exportfile.description."+kind), cw.n)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// exportNames start the exported files' names, per language.
var exportNames = map[domain.Lang]map[string]string{
	domain.Finnish: {offerRegister: "valtuusluettelo", offerAudit: "audit-loki", offerReview: "katselmointiraportti"},
	domain.Swedish: {offerRegister: "fullmaktsforteckning", offerAudit: "granskningslogg", offerReview: "granskningsrapport"},
	domain.English: {offerRegister: "mandate-list", offerAudit: "audit-trail", offerReview: "review-report"},
}

// exportPhrases start the export commands (normalised text), longest first where one starts another, with the kind
// of file each exports.
var exportPhrases = []struct {
	phrase string
	kind   string
	lang   domain.Lang
}{
	{"vie kaupungin valtuusluettelo", offerRegister, domain.Finnish}, {"vie valtuusluettelo", offerRegister, domain.Finnish},
	{"vie rekisteri", offerRegister, domain.Finnish}, {"vie audit-loki", offerAudit, domain.Finnish}, {"vie loki", offerAudit, domain.Finnish},
	{"vie katselmointiraportti", offerReview, domain.Finnish}, {"vie katselmoinnin raportti", offerReview, domain.Finnish},
	{"exportera stadens fullmaktsförteckning", offerRegister, domain.Swedish},
	{"exportera fullmaktsförteckningen", offerRegister, domain.Swedish}, {"exportera fullmaktsförteckning", offerRegister, domain.Swedish},
	{"exportera registret", offerRegister, domain.Swedish}, {"exportera granskningsloggen", offerAudit, domain.Swedish},
	{"exportera granskningslogg", offerAudit, domain.Swedish},
	{"exportera granskningsrapporten", offerReview, domain.Swedish}, {"exportera granskningsrapport", offerReview, domain.Swedish},
	{"export the city's mandate list", offerRegister, domain.English}, {"export mandate list", offerRegister, domain.English},
	{"export the mandate list", offerRegister, domain.English}, {"export register", offerRegister, domain.English},
	{"export the register", offerRegister, domain.English}, {"export audit trail", offerAudit, domain.English},
	{"export the audit trail", offerAudit, domain.English},
	{"export the review report", offerReview, domain.English}, {"export review report", offerReview, domain.English},
}

// exportKeys map a filter's name in any language to its field.
var exportKeys = map[string]string{
	"toimiala": "department", "osasto": "department", "avdelning": "department", "department": "department",
	"virasto": "agency", "myndighet": "agency", "agency": "agency",
	"valtuusasia": "theme", "fullmaktsärende": "theme", "theme": "theme",
	"tila": "state", "status": "state", "state": "state",
	"päättyy": "ending", "upphör": "ending", "ending": "ending", "ending-before": "ending",
	"henkilö": "person", "person": "person",
	"alkaen": "from", "från": "from", "from": "from",
	"asti": "until", "till": "until", "until": "until",
}

// exportStates map a state's name in any language to the exporter's.
var exportStates = map[string]string{
	"voimassa": "active", "giltig": "active", "active": "active",
	"päättynyt": "expired", "upphört": "expired", "expired": "expired",
	"mitätöity": "revoked", "annullerad": "revoked", "invalidated": "revoked",
}

// parseExport recognises an export command in normalised text: ok says it is one, lang the language it is in,
// and bad the first filter it did not understand ("" when all were).
func parseExport(cmd string) (f exportFilter, lang domain.Lang, bad string, ok bool) {
	rest := ""
	for _, p := range exportPhrases {
		if r, found := strings.CutPrefix(cmd, p.phrase); found && (r == "" || r[0] == ' ') {
			f.audit, f.review, lang, rest, ok = p.kind == offerAudit, p.kind == offerReview, p.lang, r, true
			break
		}
	}
	if !ok {
		return f, "", "", false
	}
	f.Format = sheet.XLSX
	field := ""
	values := map[string]string{}
	for _, tok := range strings.Fields(rest) {
		k, v, isPair := strings.Cut(tok, "=")
		switch {
		case !isPair && (tok == "csv" || tok == "xlsx"):
			f.Format, field = sheet.Format(tok), ""
		case !isPair && field != "":
			values[field] += " " + tok // a value with spaces: "toimiala=talous- ja henkilöstöpalvelut"
		case !isPair:
			return f, lang, tok, true
		default:
			name, known := exportKeys[k]
			if !known || v == "" || f.review || (f.audit && name != "person" && name != "from" && name != "until") ||
				(!f.audit && (name == "from" || name == "until")) {
				return f, lang, tok, true
			}
			field, values[name] = name, v
		}
	}
	for name, v := range values {
		switch name {
		case "department":
			f.Department = v
		case "agency":
			f.Agency = v
		case "theme":
			f.Theme = v
		case "person":
			f.Person = v
		case "state":
			if f.State = exportStates[v]; f.State == "" {
				return f, lang, "state=" + v, true
			}
		case "ending", "from", "until":
			d, ok := parseDay(v)
			if !ok {
				return f, lang, name + "=" + v, true
			}
			switch name {
			case "ending":
				f.EndingBefore = d
			case "from":
				f.From = d
			default:
				f.Until = d
			}
		}
	}
	return f, lang, "", true
}

// parseDay reads 2027-06-30 or 30.6.2027 as YYYY-MM-DD.
func parseDay(s string) (string, bool) {
	if d, err := domain.ParseDate(s); err == nil {
		return d.String(), true
	}
	if t, err := time.Parse("2.1.2006", s); err == nil {
		return domain.DateOf(t).String(), true
	}
	return "", false
}
