// Package worktime is an organisation's working time: which days are working days (not a weekend, not a Finnish
// holiday, not one of the organisation's extra days off) and which hours of them are working hours. Outside them
// are quiet hours, when the bot should not wake anybody up with a reminder.
//
// It is pure arithmetic on time.Time and domain.Date, with no clock of its own: callers pass the instant they
// mean. Days and hours are those of the organisation's location (Europe/Helsinki by default), so daylight saving
// time moves the UTC instant of 08:00, never the wall clock time.
package worktime

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Helsinki even where the system has no zoneinfo: see helsinki

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// helsinki is Finnish time. It is loaded here rather than taken from domain.OrgLocation because this package
// imports time/tzdata, which is therefore initialised first: the zone, with its daylight saving time, is always
// found. (domain.OrgLocation falls back to a fixed UTC+2 zone when it is not.)
var helsinki = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		panic("worktime: the embedded time zone database has no Europe/Helsinki: " + err.Error())
	}
	return loc
}()

// Default working hours: 08:00 to 17:00 on working days; quiet hours are 17:00 to 08:00, and all of weekends and
// holidays.
const (
	DefaultWorkStart = 8 * time.Hour
	DefaultWorkEnd   = 17 * time.Hour
)

const day = 24 * time.Hour

// Calendar is the working time of one organisation. The zero Calendar is usable: Finnish time and 08:00–17:00.
// Its methods assume a calendar that Validate accepts.
type Calendar struct {
	// Location decides which day it is and where 08:00 is; nil means Europe/Helsinki.
	Location *time.Location
	// WorkStart and WorkEnd are the wall clock times of day at which working hours start and end (8*time.Hour is
	// 08:00), WorkStart before WorkEnd, both within the day. Both zero means the defaults, 08:00–17:00.
	WorkStart, WorkEnd time.Duration
	// ExtraHolidays are the organisation's own days off on top of the Finnish holidays, e.g. a bridge day after
	// helatorstai.
	ExtraHolidays []domain.Date
}

// Helsinki is the default calendar spelled out: Europe/Helsinki, 08:00–17:00, no extra days off.
func Helsinki() Calendar {
	return Calendar{Location: helsinki, WorkStart: DefaultWorkStart, WorkEnd: DefaultWorkEnd}
}

// Validate reports a calendar whose working hours are not a non-empty part of one day (EInvalid).
func (c Calendar) Validate() error {
	start, end := c.hours()
	if start < 0 || end > day || start >= end {
		return domain.Errorf(domain.EInvalid, "working hours %s–%s: the start must come before the end, within one day",
			clockTime(start), clockTime(end))
	}
	for _, d := range c.ExtraHolidays {
		if d.IsZero() {
			return domain.Errorf(domain.EInvalid, "an extra day off has no date")
		}
	}
	return nil
}

// clockTime formats a time of day as HH:MM.
func clockTime(d time.Duration) string {
	return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(d).Format("15:04")
}

func (c Calendar) loc() *time.Location {
	if c.Location == nil {
		return helsinki
	}
	return c.Location
}

func (c Calendar) hours() (start, end time.Duration) {
	if c.WorkStart == 0 && c.WorkEnd == 0 {
		return DefaultWorkStart, DefaultWorkEnd
	}
	return c.WorkStart, c.WorkEnd
}

// Holidays returns the Finnish holidays of year (see the package function Holidays) and the calendar's extra days
// off in that year, in date order.
func (c Calendar) Holidays(year int) []Holiday {
	out := Holidays(year)
	for _, d := range c.ExtraHolidays {
		if d.Time().Year() == year {
			out = append(out, Holiday{Date: d, Name: extraDayOff})
		}
	}
	slices.SortStableFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}

// Holiday returns the holiday on d, if d is one: a Finnish holiday or an extra day off of the calendar.
func (c Calendar) Holiday(d domain.Date) (Holiday, bool) {
	for _, h := range Holidays(d.Time().Year()) {
		if h.Date.Compare(d) == 0 {
			return h, true
		}
	}
	for _, x := range c.ExtraHolidays {
		if x.Compare(d) == 0 {
			return Holiday{Date: d, Name: extraDayOff}, true
		}
	}
	return Holiday{}, false
}

// IsWorkingDay reports whether d is a working day: Monday to Friday, and not a holiday.
func (c Calendar) IsWorkingDay(d domain.Date) bool {
	if wd := d.Time().Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, holiday := c.Holiday(d)
	return !holiday
}

// IsWorkingTime reports whether the instant t falls within working hours of a working day.
func (c Calendar) IsWorkingTime(t time.Time) bool {
	d := c.Date(t)
	start, end := c.period(d)
	return c.IsWorkingDay(d) && !t.Before(start) && t.Before(end)
}

// Date is the organisation's calendar day at the instant t.
func (c Calendar) Date(t time.Time) domain.Date { return domain.DateOf(t.In(c.loc())) }

// period returns the instants at which working hours start and end on d (whether or not d is a working day).
func (c Calendar) period(d domain.Date) (start, end time.Time) {
	s, e := c.hours()
	return c.at(d, s), c.at(d, e)
}

// at is the instant of the wall clock time of day tod on d.
func (c Calendar) at(d domain.Date, tod time.Duration) time.Time {
	y, m, dd := d.Time().Date()
	h, rest := tod/time.Hour, tod%time.Hour
	return time.Date(y, m, dd, int(h), int(rest/time.Minute), int(rest%time.Minute/time.Second),
		int(rest%time.Second), c.loc())
}

// NextWorkingMoment returns t itself when it falls within working hours of a working day, and otherwise the start
// of the next working period: 08:00 the same day when it is a working day and t is before then, else 08:00 of the
// next working day. The result is in the calendar's location.
func (c Calendar) NextWorkingMoment(t time.Time) time.Time {
	t = t.In(c.loc())
	d := c.Date(t)
	if c.IsWorkingDay(d) {
		start, end := c.period(d)
		switch {
		case t.Before(start):
			return start
		case t.Before(end):
			return t
		}
	}
	d = c.NextWorkingDay(d)
	start, _ := c.period(d)
	return start
}

// NextWorkingDay returns the first working day after d.
func (c Calendar) NextWorkingDay(d domain.Date) domain.Date {
	return c.AddWorkingDaysToDate(d, 1)
}

// AddWorkingDaysToDate counts n working days from d: for positive n the n-th working day after d, for negative n
// the |n|-th working day before it, for zero d itself. d need not be a working day: one working day after a
// Saturday is the Monday (unless that is a holiday).
func (c Calendar) AddWorkingDaysToDate(d domain.Date, n int) domain.Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkingDay(d) {
			n--
		}
	}
	return d
}

// AddWorkingDays moves t by n working days (see AddWorkingDaysToDate), keeping its wall clock time of day in the
// calendar's location: Friday 10:00 plus one working day is Monday 10:00, Thursday 14:00 before Easter plus one is
// the Tuesday after it at 14:00. It does not move the result into working hours: use NextWorkingMoment for that.
// The result is in the calendar's location.
func (c Calendar) AddWorkingDays(t time.Time, n int) time.Time {
	t = t.In(c.loc())
	d := c.AddWorkingDaysToDate(c.Date(t), n)
	y, m, dd := d.Time().Date()
	return time.Date(y, m, dd, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), c.loc())
}

// ParseClock parses a time of day written "HH:MM" (e.g. working hours in the organisation's settings).
func ParseClock(s string) (time.Duration, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute, nil
}

// Local is t in the calendar's time zone.
func (c Calendar) Local(t time.Time) time.Time { return t.In(c.loc()) }
