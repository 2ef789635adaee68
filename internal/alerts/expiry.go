package alerts

// Expiry (issue 8.5): before a mandate ends, at each of the policy's offsets (ExpiryNoticeDays, calendar days; at the
// start of working hours that day, or of the next working day), its holder and their supervisor get a card with
// Renew and Let it lapse; the day after its last day the holder is told that it has ended. The jobs are planned when
// the grant commits (EventGranted: one per offset per mandate, plus the end), so a renewal's grant plans the new
// mandate's. When a notice falls due it reads the register again and sends nothing when the reason has gone: the
// mandate was revoked or ended, someone chose to let it lapse, a renewal waits for its decision or grant or was
// granted, or an invalidation task is open.

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// The expiry alert kinds.
const (
	KindExpiry  = "expiry"  // a notice at one of the policy's offsets before the end
	KindExpired = "expired" // the mandate has ended
)

// Events about a mandate after its grant, each with the mandate in Change.Mandates.
const (
	EventLapse   = "lapse"   // the holder or their supervisor chose to let the mandate end without renewal
	EventRevoked = "revoked" // a main user confirmed that the mandate was invalidated in Suomi.fi
)

func init() {
	register(KindExpiry, planExpiry, expiryEffect)
	register(KindExpired, nil, expiredEffect) // planExpiry schedules it too
	describe(KindExpiry, previewExpiry)
	describe(KindExpired, previewExpired)
}

// MandateSubject is the job subject of a mandate.
func MandateSubject(id int64) string { return "mandate/" + strconv.FormatInt(id, 10) }

// expiryPayload is the payload of both expiry kinds.
type expiryPayload struct {
	Mandate int64 `json:"mandate"`
	Days    int   `json:"days,omitempty"` // KindExpiry: the offset
}

// planExpiry schedules a granted mandate's notices and its end, and cancels the notices that a lapse, a revocation
// or a granted renewal made pointless.
func planExpiry(s *Service, c Change) (schedule []domain.Job, cancel []string) {
	switch c.Event {
	case EventGranted:
		for _, m := range c.Mandates {
			schedule = append(schedule, s.expiryJobs(m, c.At)...)
		}
		if c.Request.RenewsMandateID != 0 && len(c.Mandates) > 0 {
			cancel = append(cancel, s.noticeKeys(c.Request.RenewsMandateID)...)
		}
	case EventLapse:
		for _, m := range c.Mandates {
			cancel = append(cancel, s.noticeKeys(m.ID)...)
		}
	case EventRevoked:
		for _, m := range c.Mandates {
			cancel = append(append(cancel, s.noticeKeys(m.ID)...), endKey(m.ID))
		}
	}
	return schedule, cancel
}

// expiryJobs are a mandate's notices (those whose day has not passed at now) and its end.
func (s *Service) expiryJobs(m domain.Mandate, now time.Time) []domain.Job {
	today, end := domain.Today(now), domain.DateOf(m.ValidUntil)
	var jobs []domain.Job
	for _, days := range s.Policy().ExpiryNoticeDays {
		day := end.AddDays(-days)
		if day.Before(today) {
			continue // too late for this one: the mandate was granted for a shorter time
		}
		jobs = append(jobs, Job(KindExpiry, MandateSubject(m.ID), strconv.Itoa(days), s.OnDay(day),
			expiryPayload{Mandate: m.ID, Days: days}))
	}
	return append(jobs, Job(KindExpired, MandateSubject(m.ID), "end", s.OnDay(end.AddDays(1)),
		expiryPayload{Mandate: m.ID}))
}

// noticeKeys are the keys of a mandate's expiry notices under the current policy.
func (s *Service) noticeKeys(id int64) []string {
	var keys []string
	for _, days := range s.Policy().ExpiryNoticeDays {
		keys = append(keys, KindExpiry+"/"+MandateSubject(id)+"/"+strconv.Itoa(days))
	}
	return keys
}

func endKey(id int64) string { return KindExpired + "/" + MandateSubject(id) + "/end" }

// expiryEffect sends a notice to the holder and their supervisor, unless its reason has gone.
func expiryEffect(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p expiryPayload
	if err := decode(job, &p); err != nil {
		return nil, err
	}
	mt, m, ok, err := s.mandateFor(ctx, tx, p.Mandate)
	if err != nil || !ok {
		return nil, err
	}
	today := domain.Today(s.now())
	if m.Ended(today) || m.Lapsing() || s.superseded(m, p.Days, today) {
		return nil, nil
	}
	if busy, err := renewedOrGoing(ctx, mt, m); err != nil || busy {
		return nil, err
	}
	recipients, err := s.holderAndSupervisor(ctx, m)
	if err != nil {
		return nil, err
	}
	var msgs []domain.OutboxMessage
	for _, id := range recipients {
		msgs = append(msgs, domain.MandateMessage(id, m, domain.ExpiryNotice{Mandate: m.ID, Days: p.Days}))
	}
	return msgs, systemAudit(ctx, tx, "mandate.expiry_notice", m, map[string]any{"days": p.Days,
		"valid_until": domain.DateOf(m.ValidUntil).String(), "recipients": len(msgs)})
}

// superseded reports whether a notice at offset days comes so late (the scheduler was down, say) that a later
// notice's day has come too: that one goes out instead, so nobody gets two at once.
func (s *Service) superseded(m domain.Mandate, days int, today domain.Date) bool {
	end := domain.DateOf(m.ValidUntil)
	for _, o := range s.Policy().ExpiryNoticeDays {
		if o < days && !end.AddDays(-o).After(today) {
			return true
		}
	}
	return false
}

// expiredEffect records that the mandate has ended and tells the holder, unless it was revoked (its own notice went
// out then), renewed, or its holder chose to let it lapse (no more notices).
func expiredEffect(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p expiryPayload
	if err := decode(job, &p); err != nil {
		return nil, err
	}
	mt, m, ok, err := s.mandateFor(ctx, tx, p.Mandate)
	if err != nil || !ok || m.State != domain.MandateActive || !m.Ended(domain.Today(s.now())) {
		return nil, err // revoked, or (a later end date) not ended yet
	}
	renewed := false
	if r, ok, err := mt.Renewal(ctx, m.ID); err != nil {
		return nil, err
	} else if ok {
		renewed = hasGranted(r)
	}
	if err := systemAudit(ctx, tx, "mandate.expired", m, map[string]any{
		"valid_until": domain.DateOf(m.ValidUntil).String(), "renewed": renewed, "lapse": m.Lapsing()}); err != nil {
		return nil, err
	}
	if renewed || m.Lapsing() {
		return nil, nil
	}
	return []domain.OutboxMessage{domain.MandateMessage(m.HolderID, m, domain.ExpiredNotice{Mandate: m.ID})}, nil
}

// mandateFor reads the mandate a job is about; ok is false when it is gone.
func (s *Service) mandateFor(ctx context.Context, tx domain.Tx, id int64) (domain.MandateTx, domain.Mandate, bool, error) {
	mt, err := domain.MandateTxOf(tx)
	if err != nil {
		return nil, domain.Mandate{}, false, err
	}
	m, err := mt.Mandate(ctx, id)
	if domain.IsCode(err, domain.ENotFound) {
		s.log().WarnContext(ctx, "alert about a mandate that is gone", "mandate_id", id)
		return mt, m, false, nil
	}
	return mt, m, err == nil, err
}

// mandateLife reads what became of a mandate: the register's transaction (domain.MandateTx) or the register itself
// (sqlstore.Register, for the preview).
type mandateLife interface {
	Renewal(ctx context.Context, mandateID int64) (domain.Request, bool, error)
	Invalidation(ctx context.Context, mandateID int64) (domain.Invalidation, error)
}

// mandateReader is the register as the previews of mandate alerts read it.
type mandateReader interface {
	mandateLife
	Mandate(ctx context.Context, id int64) (domain.Mandate, error)
}

// renewedOrGoing reports whether a notice about m is pointless: a renewal of it waits or was granted, or an
// invalidation task for it is open.
func renewedOrGoing(ctx context.Context, mt mandateLife, m domain.Mandate) (bool, error) {
	r, ok, err := mt.Renewal(ctx, m.ID)
	if err != nil {
		return false, err
	}
	if ok && (r.State.Open() || hasGranted(r)) {
		return true, nil
	}
	inv, err := mt.Invalidation(ctx, m.ID)
	switch {
	case domain.IsCode(err, domain.ENotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return inv.Open(), nil
}

// holderAndSupervisor are the recipients of an expiry notice: the holder, and their manager in the directory when
// there is one (a directory outage is retried, never read as "no supervisor").
func (s *Service) holderAndSupervisor(ctx context.Context, m domain.Mandate) ([]string, error) {
	out := []string{m.HolderID}
	mgr, err := s.Directory.Manager(ctx, m.HolderID)
	switch {
	case domain.IsCode(err, domain.ENotFound):
	case err != nil:
		return nil, err
	case mgr.ID != "" && mgr.AccountEnabled && !strings.EqualFold(mgr.ID, m.HolderID):
		out = append(out, mgr.ID)
	}
	return out, nil
}

func hasGranted(r domain.Request) bool {
	for _, it := range r.Items {
		if it.State == domain.ItemGranted {
			return true
		}
	}
	return false
}

// systemAudit appends the audit row of something an alert did (actor "system").
func systemAudit(ctx context.Context, tx domain.Tx, action string, m domain.Mandate, after map[string]any) error {
	raw, _ := json.Marshal(after) // plain values
	return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: "system", Action: action, RequestID: m.RequestID,
		MandateID: m.ID, Before: json.RawMessage("null"), After: raw})
}

// previewMandate reads the mandate a job is about for the preview; ok is false when the register cannot be read that
// way or the mandate is gone.
func (s *Service) previewMandate(ctx context.Context, id int64) (mandateReader, domain.Mandate, bool, error) {
	r, ok := s.Store.(mandateReader)
	if !ok {
		return nil, domain.Mandate{}, false, nil
	}
	m, err := r.Mandate(ctx, id)
	if domain.IsCode(err, domain.ENotFound) {
		return r, m, false, nil
	}
	return r, m, err == nil, err
}

// previewExpiry is what an expiry notice would send when it runs at job.RunAt, the register being as it is now.
func previewExpiry(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	var pl expiryPayload
	if err := decode(job, &pl); err != nil {
		return nil, nil, err
	}
	r, m, ok, err := s.previewMandate(ctx, pl.Mandate)
	if err != nil || !ok {
		return nil, nil, err
	}
	day := s.Calendar().Date(job.RunAt)
	if m.Ended(day) || m.Lapsing() || s.superseded(m, pl.Days, day) {
		return nil, nil, nil
	}
	if busy, err := renewedOrGoing(ctx, r, m); err != nil || busy {
		return nil, nil, err
	}
	to, err := s.holderAndSupervisor(ctx, m)
	if err != nil {
		return nil, nil, err
	}
	return []Alert{{To: to, What: p.Format("alert.expiry_notice", "name", m.HolderName, "theme", s.themeName(m, p),
		"date", previewDate(p, m.ValidUntil))}}, nil, nil
}

// previewExpired is the holder's notice that the mandate has ended, unless it was revoked, renewed or left to lapse.
func previewExpired(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	var pl expiryPayload
	if err := decode(job, &pl); err != nil {
		return nil, nil, err
	}
	r, m, ok, err := s.previewMandate(ctx, pl.Mandate)
	if err != nil || !ok || m.State != domain.MandateActive || m.Lapsing() {
		return nil, nil, err
	}
	if rn, ok, err := r.Renewal(ctx, m.ID); err != nil || (ok && hasGranted(rn)) {
		return nil, nil, err
	}
	return []Alert{{To: []string{m.HolderID}, What: p.Format("alert.expired", "name", m.HolderName,
		"theme", s.themeName(m, p), "date", previewDate(p, m.ValidUntil))}}, nil, nil
}

// themeName is the mandate's theme in p's language.
func (s *Service) themeName(m domain.Mandate, p i18n.Printer) string {
	if th, ok := s.Catalog.Theme(m.ThemeID); ok {
		return th.Name.In(p.Lang)
	}
	return m.ThemeID
}

// previewDate is a civil date as the reader writes it: 7.3.2027, or 7 Mar 2027 in English.
func previewDate(p i18n.Printer, t time.Time) string {
	if p.Lang == domain.English {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2.1.2006")
}
