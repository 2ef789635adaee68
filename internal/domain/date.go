package domain

import (
	"fmt"
	"time"
)

// Date is a civil date: a day in the organisation's calendar, with no time of day and no zone. Mandates, requested
// end dates and grant dates are civil dates, because Suomi.fi asks for days, not instants.
//
// It is stored as 00:00 UTC of that day so that it compares, formats and serialises like the time.Time values the
// register keeps; the zero Date is "no date".
type Date struct{ t time.Time }

// OrgLocation is where "today" is decided: Finnish time.
var OrgLocation = func() *time.Location {
	if loc, err := time.LoadLocation("Europe/Helsinki"); err == nil {
		return loc
	}
	return time.FixedZone("EET", 2*3600) // tzdata missing: close enough for dates
}()

// NewDate is the given day.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// DateOf is the calendar day t names in its own location (the zero time gives the zero Date).
func DateOf(t time.Time) Date {
	if t.IsZero() {
		return Date{}
	}
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// Today is the organisation's civil date at the instant now.
func Today(now time.Time) Date { return DateOf(now.In(OrgLocation)) }

// ParseDate reads YYYY-MM-DD (the value format of Adaptive Cards' Input.Date).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a date (YYYY-MM-DD)")
	}
	return DateOf(t), nil
}

// Civil drops the time of day of t: the day as 00:00 UTC, as the register stores civil dates.
func Civil(t time.Time) time.Time { return DateOf(t).Time() }

// Time is the date as 00:00 UTC (the zero time for the zero Date).
func (d Date) Time() time.Time { return d.t }

// IsZero reports whether d is "no date".
func (d Date) IsZero() bool { return d.t.IsZero() }

// AddDays, AddMonths and AddYears move the date in the calendar (normalised like time.AddDate).
func (d Date) AddDays(n int) Date   { return Date{d.t.AddDate(0, 0, n)} }
func (d Date) AddMonths(n int) Date { return Date{d.t.AddDate(0, n, 0)} }
func (d Date) AddYears(n int) Date  { return Date{d.t.AddDate(n, 0, 0)} }

// Before, After and Compare order dates.
func (d Date) Before(o Date) bool   { return d.t.Before(o.t) }
func (d Date) After(o Date) bool    { return d.t.After(o.t) }
func (d Date) Compare(o Date) int   { return d.t.Compare(o.t) }
func (d Date) DaysUntil(o Date) int { return int(o.t.Sub(d.t).Hours() / 24) }

// String is YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}
