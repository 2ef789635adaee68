package dirsync

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// plan is what one sync changes: the people to store or remove, the events it raises and the pending leaver jobs
// it cancels (a leave date moved or cleared).
type plan struct {
	put    []domain.DirectoryPerson
	remove []string
	events []domain.DirectoryEvent
	cancel []string
}

// diff compares the stored snapshot with a round of changes. baseline is true while the organisation has no
// snapshot yet: the people already there are recorded without joiner, mover or leaver events, except a leave date
// still ahead, whose leaver event nothing else would raise later.
//
// The snapshot holds everyone in the directory; member (nil: everyone) says who belongs to the organisation. The
// events are those of the organisation's members: a person who is not a member, before or after the change, counts
// as absent on that side, so a non-member raises nothing, a member who stops being one is a leaver as if deleted,
// and a person who becomes one is a joiner as if new.
//
// A snapshot in which nobody has a company name was recorded before the directory's company names were read: a
// company name the round brings to a person stored without one is taken as theirs before too (no mover, and the
// same membership before), so that the first sync reading company names raises nothing by itself.
func diff(old map[string]domain.DirectoryPerson, d directory.Delta, baseline bool, now time.Time,
	member func(domain.User) bool) plan {
	next := map[string]*domain.DirectoryPerson{} // the people the round touched; nil = gone
	for _, c := range d.Changes {
		id, ok := directory.CanonicalID(c.Person.ID)
		if !ok {
			continue
		}
		if c.Removed {
			next[id] = nil
			continue
		}
		base := domain.DirectoryPerson{User: domain.User{ID: id}}
		if p, touched := next[id]; touched && p != nil {
			base = *p
		} else if p, known := old[id]; known && !touched {
			base = p
		}
		if d.Full {
			base = domain.DirectoryPerson{User: domain.User{ID: id}} // a full round says everything there is
		}
		p := merge(base, c)
		next[id] = &p
	}
	if d.Full {
		for id := range old {
			if _, seen := next[id]; !seen {
				next[id] = nil
			}
		}
	}
	noCompanies := true
	for _, p := range old {
		if p.CompanyName != "" {
			noCompanies = false
			break
		}
	}
	in := func(p *domain.DirectoryPerson) *domain.DirectoryPerson {
		if p == nil || member == nil || member(p.User) {
			return p
		}
		return nil
	}
	var pl plan
	for _, id := range slices.Sorted(maps.Keys(next)) {
		a := next[id]
		b, known := old[id]
		switch {
		case a == nil && !known:
			continue
		case a == nil:
			pl.remove = append(pl.remove, id)
		case known && samePerson(b, *a):
			continue
		default:
			pl.put = append(pl.put, *a)
		}
		var before *domain.DirectoryPerson
		if known {
			if noCompanies && b.CompanyName == "" && a != nil {
				b.CompanyName = a.CompanyName
			}
			before = &b
		}
		before, after := in(before), in(a)
		if before == nil && after == nil {
			continue
		}
		evs, cancel := classify(before, after, baseline, now)
		pl.events = append(pl.events, evs...)
		pl.cancel = append(pl.cancel, cancel...)
	}
	return pl
}

// merge applies the properties a change carries to the person as known before.
func merge(p domain.DirectoryPerson, c directory.Change) domain.DirectoryPerson {
	n := c.Person
	if c.Fields&directory.FieldDisplayName != 0 {
		p.DisplayName = n.DisplayName
	}
	if c.Fields&directory.FieldMail != 0 {
		p.Mail = n.Mail
	}
	if c.Fields&directory.FieldDepartment != 0 {
		p.Department = n.Department
	}
	if c.Fields&directory.FieldCompanyName != 0 {
		p.CompanyName = n.CompanyName
	}
	if c.Fields&directory.FieldJobTitle != 0 {
		p.JobTitle = n.JobTitle
	}
	if c.Fields&directory.FieldAccountEnabled != 0 {
		p.AccountEnabled = n.AccountEnabled
	}
	if c.Fields&directory.FieldLeaveDate != 0 {
		p.LeaveDate = nil
		if n.LeaveDate != nil {
			t := n.LeaveDate.UTC()
			p.LeaveDate = &t
		}
	}
	if c.Fields&directory.FieldManager != 0 {
		p.ManagerID, _ = directory.CanonicalID(n.ManagerID)
	}
	return p
}

func samePerson(a, b domain.DirectoryPerson) bool {
	return a.DisplayName == b.DisplayName && a.Mail == b.Mail && a.AccountEnabled == b.AccountEnabled &&
		sameTime(a.LeaveDate, b.LeaveDate) && !moved(a, b)
}

// moved reports whether the person's place changed: department, company (the employer, like a department a
// larger unit), job title or manager.
func moved(a, b domain.DirectoryPerson) bool {
	return a.Department != b.Department || a.CompanyName != b.CompanyName || a.JobTitle != b.JobTitle ||
		a.ManagerID != b.ManagerID
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// classify raises the events of one person's change from b (nil: new) to a (nil: deleted), and names the pending
// leaver jobs the change makes wrong. The rules:
//
//   - joiner: a new enabled person whose leave date has not passed (not in the baseline), or an account enabled again;
//   - mover: department, company, job title or manager changed while the account is enabled;
//   - leaver: the account disabled or deleted, effective at once, unless the person had already left (disabled, or
//     their leave date passed); or a leave date set or changed, effective that day (at once when it has passed).
//     A leave date moved or cleared cancels the leaver job of the old date if it has not come yet, so a leave date
//     moved later reschedules the work for the new day and one cleared (the contract extended) removes it.
func classify(b, a *domain.DirectoryPerson, baseline bool, now time.Time) ([]domain.DirectoryEvent, []string) {
	var evs []domain.DirectoryEvent
	var cancel []string
	ev := func(k domain.DirectoryEventKind, id string, on time.Time, fp string) {
		evs = append(evs, domain.DirectoryEvent{Kind: k, PersonID: id, Before: b, After: a, EffectiveOn: on, DetectedAt: now,
			Fingerprint: fp})
	}
	cancelOld := func() {
		if b != nil && b.LeaveDate != nil && b.LeaveDate.After(now) {
			cancel = append(cancel, leaverKey(b.ID, *b.LeaveDate, now))
		}
	}
	switch {
	case a == nil:
		if !left(*b, now) {
			cancelOld()
			ev(domain.Leaver, b.ID, now, "")
		}
	case b == nil:
		if a.LeaveDate != nil && a.AccountEnabled && (!baseline || a.LeaveDate.After(now)) {
			ev(domain.Leaver, a.ID, *a.LeaveDate, "")
		}
		if !baseline && a.AccountEnabled && !left(*a, now) {
			ev(domain.Joiner, a.ID, now, "")
		}
	default:
		switch {
		case b.AccountEnabled && !a.AccountEnabled:
			if !left(*b, now) {
				cancelOld()
				ev(domain.Leaver, a.ID, now, "")
			}
		case !b.AccountEnabled && a.AccountEnabled && !left(*a, now):
			ev(domain.Joiner, a.ID, now, "")
		}
		if !sameTime(b.LeaveDate, a.LeaveDate) && a.AccountEnabled {
			cancelOld()
			if a.LeaveDate != nil {
				ev(domain.Leaver, a.ID, *a.LeaveDate, "")
			}
		}
		if a.AccountEnabled && moved(*b, *a) {
			ev(domain.Mover, a.ID, now, fingerprint(*a))
		}
	}
	return evs, cancel
}

// left reports whether the person has left: account disabled, or leave date passed.
func left(p domain.DirectoryPerson, now time.Time) bool {
	return !p.AccountEnabled || (p.LeaveDate != nil && !p.LeaveDate.After(now))
}

func leaverKey(id string, on, now time.Time) string {
	j, _ := domain.DirectoryEvent{Kind: domain.Leaver, PersonID: id, EffectiveOn: on}.Job(now)
	return j.Key
}

// fingerprint names a mover's new place (department, job title, manager, and the company when there is one: a
// person without one keeps the fingerprint of before the company was read), so two moves on one day are two
// events and one move seen twice is one.
func fingerprint(p domain.DirectoryPerson) string {
	place := p.Department + "\x00" + p.JobTitle + "\x00" + p.ManagerID
	if p.CompanyName != "" {
		place += "\x00" + p.CompanyName
	}
	sum := sha256.Sum256([]byte(place))
	return hex.EncodeToString(sum[:6])
}
