package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// markDuplicates keeps one entry per person and theme: the one with the latest end, or the one that invalidates
// the mandate (unless the other starts after the invalidation: a new mandate). The others become Duplicate lines.
func (rd *reader) markDuplicates() {
	winners := map[string]*entry{}
	var kept []*entry
	lost := map[*entry]bool{}
	for _, e := range rd.entries {
		w, ok := winners[e.key]
		if !ok {
			winners[e.key] = e
			kept = append(kept, e)
			continue
		}
		loser, winner := e, w
		if beats(e, w) {
			loser, winner = w, e
			winners[e.key] = e
			kept = append(kept, e)
		}
		lost[loser] = true
		l := &rd.res.Lines[loser.line]
		l.Outcome, l.Reason = Duplicate, duplicateReason(loser, winner)
	}
	rd.entries = rd.entries[:0]
	for _, e := range kept {
		if !lost[e] {
			rd.entries = append(rd.entries, e)
		}
	}
}

// beats reports whether a, a later row, wins over b for the same person and theme.
func beats(a, b *entry) bool {
	aRev, bRev := a.m.State == domain.MandateRevoked, b.m.State == domain.MandateRevoked
	switch {
	case aRev && !bRev:
		return !(b.fromKnown && b.m.ValidFrom.After(a.m.RevokedOn))
	case bRev && !aRev:
		return a.fromKnown && a.m.ValidFrom.After(b.m.RevokedOn)
	case a.m.OpenEnded != b.m.OpenEnded:
		return a.m.OpenEnded
	}
	return a.m.ValidUntil.After(b.m.ValidUntil)
}

func duplicateReason(loser, winner *entry) string {
	where := fmt.Sprintf("row %d", winner.row)
	if winner.sheet != loser.sheet {
		where = fmt.Sprintf("sheet %s row %d", winner.sheet, winner.row)
	}
	switch {
	case sameMandate(loser.m, winner):
		return "same as " + where
	case winner.m.State == domain.MandateRevoked && loser.m.State != domain.MandateRevoked:
		return "same person and theme as " + where + ", which invalidates it"
	}
	return "same person and theme as " + where + ", whose end date is later"
}

// sameMandate reports whether x already says what e says: the state and invalidation day, and the dates the row
// gave (a start the row did not give is not compared; nor is the end of an open-ended mandate, which follows the
// start).
func sameMandate(x domain.Mandate, e *entry) bool {
	if x.State != e.m.State || x.OpenEnded != e.m.OpenEnded {
		return false
	}
	if e.m.State == domain.MandateRevoked && x.End() != domain.DateOf(e.m.RevokedOn) {
		return false
	}
	if e.fromKnown && !x.ValidFrom.Equal(e.m.ValidFrom) {
		return false
	}
	return e.m.OpenEnded || x.ValidUntil.Equal(e.m.ValidUntil)
}

// apply writes the entries in one transaction, deciding each row's outcome against the register. The transaction
// is rolled back in a dry run, when any row failed, and when nothing changed.
func (imp *Importer) apply(ctx context.Context, rd *reader) error {
	res := rd.res
	failed := 0
	for _, l := range res.Lines {
		if l.Outcome == Error || l.Outcome == Refused {
			failed++
		}
	}
	err := imp.Store.InTx(ctx, func(dtx domain.Tx) error {
		tx, ok := dtx.(Tx)
		if !ok {
			return domain.Errorf(domain.EInternal, "the register cannot look mandates up for an import")
		}
		changed, flagged := 0, 0
		for _, e := range rd.entries {
			outcome, reason, err := imp.applyOne(ctx, tx, res, e)
			if err != nil {
				return err
			}
			if outcome == Imported || outcome == Updated {
				changed++
			}
			if len(e.checks) > 0 {
				flagged++
				reason = strings.Join(append([]string{reason}, e.checks...), "; ")
			}
			l := &res.Lines[e.line]
			l.Outcome, l.Reason = outcome, strings.TrimPrefix(reason, "; ")
		}
		res.Flagged = flagged
		if changed > 0 {
			if err := imp.auditFile(ctx, tx, res, changed); err != nil {
				return err
			}
		}
		if res.DryRun || failed > 0 || changed == 0 {
			return errRollback
		}
		return nil
	})
	switch {
	case err == nil:
		res.Written = true
	case !errors.Is(err, errRollback):
		return err
	}
	return nil
}

// applyOne decides one entry against the mandates of its person and theme and writes the change.
func (imp *Importer) applyOne(ctx context.Context, tx Tx, res *Result, e *entry) (Outcome, string, error) {
	existing, err := tx.MandatesOf(ctx, e.m.HolderID, e.m.HolderMail, e.m.ThemeID)
	if err != nil {
		return "", "", err
	}
	var target *domain.Mandate
	for i := range existing {
		x := &existing[i]
		if sameMandate(*x, e) {
			// Re-keyed only to a person the directory knows: a list's address never replaces an object id.
			if x.HolderID != e.m.HolderID && x.RequestID == 0 && e.m.HolderID != e.m.HolderMail {
				upd := merge(*x, e)
				return Updated, "person now found in the directory", imp.update(ctx, tx, res, e, *x, upd)
			}
			return Skipped, "already in the register", nil
		}
		if x.RequestID == 0 && (target == nil || x.ValidUntil.After(target.ValidUntil)) {
			target = x
		}
	}
	switch {
	case target != nil:
		upd := merge(*target, e)
		return Updated, changes(*target, upd), imp.update(ctx, tx, res, e, *target, upd)
	case len(existing) > 0:
		last := existing[len(existing)-1]
		return Skipped, fmt.Sprintf("the register has this mandate from request %d with other dates (%s–%s): "+
			"the import does not change it; check", last.RequestID, domain.DateOf(last.ValidFrom), domain.DateOf(last.ValidUntil)), nil
	}
	m := e.m
	if err := tx.CreateMandate(ctx, &m); err != nil {
		return "", "", err
	}
	return Imported, "", imp.auditMandate(ctx, tx, res, e, "mandate.imported", nil, m)
}

func (imp *Importer) update(ctx context.Context, tx Tx, res *Result, e *entry, before, after domain.Mandate) error {
	if err := tx.UpdateMandate(ctx, &after); err != nil {
		return err
	}
	return imp.auditMandate(ctx, tx, res, e, "mandate.import_updated", &before, after)
}

// merge is x as the row e says it is now: its holder, its dates (a start the row did not give stays), its state.
func merge(x domain.Mandate, e *entry) domain.Mandate {
	u := x
	u.HolderID, u.HolderName, u.HolderMail = e.m.HolderID, e.m.HolderName, e.m.HolderMail
	u.Department = firstNonEmpty(e.m.Department, x.Department)
	if e.fromKnown {
		u.ValidFrom = e.m.ValidFrom
	}
	u.OpenEnded, u.ValidUntil = e.m.OpenEnded, e.m.ValidUntil
	if e.m.OpenEnded {
		u.ValidUntil = domain.OpenEndedUntil(domain.DateOf(u.ValidFrom)).Time()
	}
	if u.ValidFrom.After(u.ValidUntil) {
		u.ValidFrom = u.ValidUntil
	}
	u.State, u.RevokedOn = e.m.State, e.m.RevokedOn
	u.GrantedBy = firstNonEmpty(e.m.GrantedBy, x.GrantedBy)
	u.Notes = firstNonEmpty(e.m.Notes, x.Notes)
	return u
}

// changes says what an update changes, for the report.
func changes(x, u domain.Mandate) string {
	var out []string
	day := func(t domain.Mandate, open bool) string {
		if open {
			return "open-ended"
		}
		return domain.DateOf(t.ValidUntil).String()
	}
	if !x.ValidFrom.Equal(u.ValidFrom) {
		out = append(out, fmt.Sprintf("start %s → %s", domain.DateOf(x.ValidFrom), domain.DateOf(u.ValidFrom)))
	}
	if !x.ValidUntil.Equal(u.ValidUntil) || x.OpenEnded != u.OpenEnded {
		out = append(out, fmt.Sprintf("end %s → %s", day(x, x.OpenEnded), day(u, u.OpenEnded)))
	}
	if x.State != u.State {
		out = append(out, fmt.Sprintf("state %s → %s", x.State, u.State))
	}
	if !x.RevokedOn.Equal(u.RevokedOn) && !u.RevokedOn.IsZero() {
		out = append(out, fmt.Sprintf("invalidated on %s", domain.DateOf(u.RevokedOn)))
	}
	if x.HolderID != u.HolderID {
		out = append(out, "person now found in the directory")
	}
	return strings.Join(out, ", ")
}

// snapshot is what the audit trail keeps of a mandate: no names or notes, only what identifies and dates it.
func snapshot(m domain.Mandate) map[string]any {
	s := map[string]any{"id": m.ID, "holder_id": m.HolderID, "holder_mail": m.HolderMail, "theme_id": m.ThemeID,
		"valid_from": domain.DateOf(m.ValidFrom).String(), "valid_until": domain.DateOf(m.ValidUntil).String(),
		"open_ended": m.OpenEnded, "state": m.State, "request_id": m.RequestID}
	if !m.RevokedOn.IsZero() {
		s["revoked_on"] = domain.DateOf(m.RevokedOn).String()
	}
	return s
}

func (imp *Importer) auditMandate(ctx context.Context, tx Tx, res *Result, e *entry, action string, before *domain.Mandate, after domain.Mandate) error {
	b := json.RawMessage("null")
	if before != nil {
		b, _ = json.Marshal(snapshot(*before))
	}
	snap := snapshot(after)
	snap["source"] = map[string]any{"file": res.File, "sha256": res.SHA256, "sheet": e.sheet, "row": e.row}
	a, _ := json.Marshal(snap)
	return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: imp.actor(), Action: action, MandateID: after.ID, Before: b, After: a})
}

// auditFile records the import of the file: its name and checksum, and what it changed.
func (imp *Importer) auditFile(ctx context.Context, tx Tx, res *Result, changed int) error {
	counts := map[string]int{}
	for _, l := range res.Lines {
		counts[string(l.Outcome)]++
	}
	audit := map[string]any{"file": res.File, "sha256": res.SHA256, "rows": len(res.Lines),
		"changed": changed, "outcomes": counts}
	if len(res.Mapping) > 0 {
		audit["mapping"] = res.Mapping
	}
	a, _ := json.Marshal(audit)
	return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: imp.actor(), Action: "import.file", Before: json.RawMessage("null"), After: a})
}
