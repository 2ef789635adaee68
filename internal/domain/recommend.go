package domain

import "slices"

// Need is one theme that the tasks a person chose need, why (the tasks), whether the organisation's
// valtuutusoikeus covers it, which look-alike themes to warn about, and what the person already has of it.
type Need struct {
	Theme            Theme
	Tasks            []Task
	Covered          bool
	LookAlikes       []Theme
	Held             *Mandate // an active mandate of this theme the person already holds
	PendingReference string   // an open request that already asks for it
}

// Requestable reports whether the theme would be part of a new request.
func (n Need) Requestable() bool { return n.Held == nil && n.PendingReference == "" }

// Holdings is what a person already has: active mandates and the themes of their open requests, by theme.
type Holdings struct {
	Held    map[string]Mandate
	Pending map[string]string // theme → the reference of the open request asking for it
	// ContractEnd is the last day of the person's fixed-term employment (the directory's leave date); zero when the
	// employment is permanent or the directory does not say. No mandate is requested beyond it.
	ContractEnd Date
}

// HoldingsOf works out a person's holdings on day from their mandates and requests.
func HoldingsOf(day Date, mandates []Mandate, requests []Request) Holdings {
	h := Holdings{Held: map[string]Mandate{}, Pending: map[string]string{}}
	for _, m := range mandates {
		if m.Current(day) {
			h.Held[m.ThemeID] = m
		}
	}
	for _, r := range requests {
		if !r.State.Open() {
			continue
		}
		for _, it := range r.Items {
			if it.State == ItemPending || it.State == ItemApproved {
				h.Pending[it.ThemeID] = r.Reference()
			}
		}
	}
	return h
}

// Recommendation is what the intake answers: the themes the chosen tasks need and the validity a request for them
// may have.
type Recommendation struct {
	TaskIDs  []string
	Needs    []Need
	Validity Validity
}

// Recommend completes the needs (each with its theme, tasks, coverage and look-alikes) with what the person
// already holds or has pending, drops look-alike warnings about themes that are themselves needed, and sets the
// validity: one end date for the request, the shortest the policy allows for any theme still to request.
func Recommend(today Date, taskIDs []string, needs []Need, h Holdings) Recommendation {
	rec := Recommendation{TaskIDs: taskIDs}
	needed := map[string]bool{}
	months := 0
	var requested []Theme
	for _, n := range needs {
		if n.Theme.Hidden {
			continue
		}
		if m, ok := h.Held[n.Theme.ID]; ok {
			n.Held = &m
		} else if ref, ok := h.Pending[n.Theme.ID]; ok {
			n.PendingReference = ref
		} else {
			requested = append(requested, n.Theme)
			if months == 0 || n.Theme.DefaultValidityMonths < months {
				months = n.Theme.DefaultValidityMonths
			}
		}
		needed[n.Theme.ID] = true
		rec.Needs = append(rec.Needs, n)
	}
	for i := range rec.Needs {
		rec.Needs[i].LookAlikes = slices.DeleteFunc(slices.Clone(rec.Needs[i].LookAlikes), func(t Theme) bool { return needed[t.ID] })
	}
	rec.Validity = RequestValidity(today, months).Capped(today, requested, h.ContractEnd)
	return rec
}

// Requestable reports whether any theme is left to request.
func (r Recommendation) Requestable() bool { return slices.ContainsFunc(r.Needs, Need.Requestable) }

// NewItems are the request items for the themes still to request, each with the tasks that need it.
func (r Recommendation) NewItems() []RequestItem {
	var items []RequestItem
	for _, n := range r.Needs {
		if !n.Requestable() {
			continue
		}
		var why []string
		for _, t := range n.Tasks {
			why = append(why, t.ID)
		}
		items = append(items, RequestItem{ThemeID: n.Theme.ID, TaskIDs: why, Covered: n.Covered, State: ItemPending})
	}
	return items
}

// Uncovered lists the themes of items outside the organisation's valtuutusoikeus.
func Uncovered(items []RequestItem) []string {
	var out []string
	for _, it := range items {
		if !it.Covered {
			out = append(out, it.ThemeID)
		}
	}
	return out
}
