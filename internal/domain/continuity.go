package domain

import (
	"slices"
	"strings"
)

// Continuity of the right to grant (issue 10): the organisation should keep at least two people holding its
// valtuutusoikeus for every theme in use, and see in time when a holder leaves, moves or their right ends, because
// a new registration at DVV takes about a week. These rules are pure; the continuity check applies them daily.

// MinHolders is how many holders every theme in use should have.
const MinHolders = 2

// RightEndingDays is how many days before a holder's right ends the main users are warned.
const RightEndingDays = 90

// RightHolder is a person DVV registered as holding the organisation's valtuutusoikeus: the themes of their right
// and its last day. The catalog file writes Until as YYYY-MM-DD under "until".
type RightHolder struct {
	ID        string   `json:"id" yaml:"id"` // Entra object id
	Themes    []string `json:"themes" yaml:"themes"`
	UntilText string   `json:"-" yaml:"until"`
	Until     Date     `json:"until" yaml:"-"`
}

// InForce reports whether the holder's right is in force on day (its last day included).
func (h RightHolder) InForce(day Date) bool { return !h.Until.Before(day) }

// Covers reports whether the holder's right names the theme.
func (h RightHolder) Covers(themeID string) bool { return slices.Contains(h.Themes, themeID) }

// EndsWithin reports whether the holder's right ends within days of day (or has ended).
func (h RightHolder) EndsWithin(day Date, days int) bool {
	return h.Until.Before(day.AddDays(days + 1))
}

// HolderCoverage is the union of the holders' themes, sorted: the themes the organisation's right covers.
func HolderCoverage(holders []RightHolder) []string {
	var out []string
	for _, h := range holders {
		for _, t := range h.Themes {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	slices.Sort(out)
	return out
}

// RightHolder returns the holder with the Entra object id, if they are one.
func (o *Organisation) RightHolder(id string) (RightHolder, bool) {
	for _, h := range o.RightHolders {
		if strings.EqualFold(h.ID, id) {
			return h, true
		}
	}
	return RightHolder{}, false
}

// HoldersOf are the holders whose right names the theme and is in force on day, and who are not excluded (e.g.
// gone from the directory).
func (o *Organisation) HoldersOf(themeID string, day Date, excluded func(id string) bool) []RightHolder {
	var out []RightHolder
	for _, h := range o.RightHolders {
		if h.Covers(themeID) && h.InForce(day) && (excluded == nil || !excluded(h.ID)) {
			out = append(out, h)
		}
	}
	return out
}

// CoversOn reports whether the organisation's valtuutusoikeus covers the theme on day. With holders configured, a
// holder whose right names the theme must be in force that day: a right past its end date covers nothing, so a
// request for a theme whose every holder's right has ended waits for the right to grant (until a main user records
// that DVV registered it) instead of reaching main users who cannot grant it. Without holders, the configured
// covered themes count.
func (o *Organisation) CoversOn(themeID string, day Date) bool {
	if len(o.RightHolders) == 0 {
		return o.Covers(themeID)
	}
	return len(o.HoldersOf(themeID, day, nil)) > 0
}

// ThinThemes are the themes of inUse that fewer than MinHolders holders cover on day, sorted and without repeats.
func (o *Organisation) ThinThemes(inUse []string, day Date, excluded func(id string) bool) []string {
	var out []string
	for _, t := range inUse {
		if len(o.HoldersOf(t, day, excluded)) < MinHolders && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}
