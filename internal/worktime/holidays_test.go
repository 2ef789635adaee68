package worktime

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// The holidays of 2025–2027, as the Finnish almanac (Helsingin yliopiston almanakkatoimisto) prints them.
func TestHolidaysOfThreeYears(t *testing.T) {
	want := map[int]string{
		2025: "01-01 uudenvuodenpäivä, 01-06 loppiainen, 04-18 pitkäperjantai, 04-20 pääsiäispäivä, " +
			"04-21 2. pääsiäispäivä, 05-01 vappu, 05-29 helatorstai, 06-08 helluntaipäivä, 06-20 juhannusaatto, " +
			"06-21 juhannuspäivä, 11-01 pyhäinpäivä, 12-06 itsenäisyyspäivä, 12-24 jouluaatto, 12-25 joulupäivä, " +
			"12-26 tapaninpäivä",
		2026: "01-01 uudenvuodenpäivä, 01-06 loppiainen, 04-03 pitkäperjantai, 04-05 pääsiäispäivä, " +
			"04-06 2. pääsiäispäivä, 05-01 vappu, 05-14 helatorstai, 05-24 helluntaipäivä, 06-19 juhannusaatto, " +
			"06-20 juhannuspäivä, 10-31 pyhäinpäivä, 12-06 itsenäisyyspäivä, 12-24 jouluaatto, 12-25 joulupäivä, " +
			"12-26 tapaninpäivä",
		2027: "01-01 uudenvuodenpäivä, 01-06 loppiainen, 03-26 pitkäperjantai, 03-28 pääsiäispäivä, " +
			"03-29 2. pääsiäispäivä, 05-01 vappu, 05-06 helatorstai, 05-16 helluntaipäivä, 06-25 juhannusaatto, " +
			"06-26 juhannuspäivä, 11-06 pyhäinpäivä, 12-06 itsenäisyyspäivä, 12-24 jouluaatto, 12-25 joulupäivä, " +
			"12-26 tapaninpäivä",
	}
	for year, w := range want {
		var got []string
		for _, h := range Holidays(year) {
			if h.Date.Time().Year() != year {
				t.Errorf("Holidays(%d) has %s", year, h.Date)
			}
			got = append(got, h.Date.Time().Format("01-02")+" "+h.Name.FI)
		}
		if g := strings.Join(got, ", "); g != w {
			t.Errorf("Holidays(%d):\n got %s\nwant %s", year, g, w)
		}
	}
}

// Easter Sunday of years whose date is well known, including the earliest (22 March) and latest (25 April) ones.
func TestEaster(t *testing.T) {
	for year, want := range map[int]string{
		1818: "1818-03-22", 1943: "1943-04-25", 2000: "2000-04-23", 2008: "2008-03-23", 2011: "2011-04-24",
		2019: "2019-04-21", 2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28",
		2028: "2028-04-16", 2038: "2038-04-25", 2285: "2285-03-22",
	} {
		if got := Easter(year).String(); got != want {
			t.Errorf("Easter(%d) = %s, want %s", year, got, want)
		}
	}
}

// The rules every year must keep, checked for four centuries: Easter is a Sunday from 22 March to 25 April, the
// holidays it moves fall on their weekdays, the eves and pyhäinpäivä in their windows, fifteen holidays in date
// order, each named in all three languages. Two may share a day: helatorstai was vappu in 2008.
func TestHolidayRulesHoldEveryYear(t *testing.T) {
	for year := 1900; year <= 2300; year++ {
		e := Easter(year)
		if e.Time().Weekday() != time.Sunday || e.Before(domain.NewDate(year, 3, 22)) || e.After(domain.NewDate(year, 4, 25)) {
			t.Fatalf("Easter(%d) = %s (%s)", year, e, e.Time().Weekday())
		}
		hs := Holidays(year)
		if len(hs) != 15 {
			t.Fatalf("Holidays(%d) has %d days, want 15", year, len(hs))
		}
		for i, h := range hs {
			if i > 0 && hs[i-1].Date.After(h.Date) {
				t.Errorf("Holidays(%d): %s comes before %s", year, h.Date, hs[i-1].Date)
			}
			if i > 0 && hs[i-1].Date == h.Date && (hs[i-1].Name.FI != "vappu" || h.Name.FI != "helatorstai") {
				t.Errorf("Holidays(%d): %s and %s on one day, %s", year, hs[i-1].Name.FI, h.Name.FI, h.Date)
			}
			if h.Name.FI == "" || h.Name.SV == "" || h.Name.EN == "" {
				t.Errorf("Holidays(%d): %s lacks a name: %+v", year, h.Date, h.Name)
			}
			checkWindow(t, h)
		}
	}
}

// checkWindow checks a holiday's weekday and the days it may fall on.
func checkWindow(t *testing.T, h Holiday) {
	t.Helper()
	d := h.Date.Time()
	in := func(wd time.Weekday, m time.Month, from, to int) {
		first, last := time.Date(d.Year(), m, from, 0, 0, 0, 0, time.UTC), time.Date(d.Year(), m, to, 0, 0, 0, 0, time.UTC)
		if d.Weekday() != wd || d.Before(first) || d.After(last) {
			t.Errorf("%s %s is a %s; want a %s from %d to %d %s", h.Name.FI, h.Date, d.Weekday(), wd, from, to, m)
		}
	}
	e := Easter(d.Year()).Time()
	switch h.Name.FI {
	case "pitkäperjantai":
		in(time.Friday, e.Month(), e.Day()-2, e.Day()-2)
	case "helatorstai":
		if d.Weekday() != time.Thursday || d.Sub(e) != 39*day {
			t.Errorf("helatorstai %s is not the Thursday 39 days after Easter %s", h.Date, e)
		}
	case "helluntaipäivä":
		if d.Weekday() != time.Sunday || d.Sub(e) != 49*day {
			t.Errorf("helluntaipäivä %s is not the Sunday 49 days after Easter %s", h.Date, e)
		}
	case "juhannusaatto":
		in(time.Friday, time.June, 19, 25)
	case "juhannuspäivä":
		in(time.Saturday, time.June, 20, 26)
	case "pyhäinpäivä":
		if d.Month() == time.October {
			in(time.Saturday, time.October, 31, 31)
		} else {
			in(time.Saturday, time.November, 1, 6)
		}
	}
}

func TestHelatorstaiOnVappu(t *testing.T) {
	hs := Holidays(2008)
	if hs[5].Date != domain.NewDate(2008, 5, 1) || hs[5].Name.FI != "vappu" || hs[6].Date != hs[5].Date ||
		hs[6].Name.FI != "helatorstai" {
		t.Errorf("Holidays(2008)[5:7] = %+v", hs[5:7])
	}
}

func TestCalendarHolidaysAddExtraDays(t *testing.T) {
	bridge := domain.NewDate(2026, 5, 15) // the Friday after helatorstai
	c := Calendar{ExtraHolidays: []domain.Date{bridge, domain.NewDate(2027, 1, 5)}}
	hs := c.Holidays(2026)
	if len(hs) != 16 {
		t.Fatalf("Calendar.Holidays(2026) has %d days, want 15 Finnish and 1 extra", len(hs))
	}
	var names []string
	for _, h := range hs {
		names = append(names, fmt.Sprintf("%s %s", h.Date.Time().Format("01-02"), h.Name.EN))
	}
	if got := strings.Join(names[6:9], ", "); got != "05-14 Ascension Day, 05-15 extra day off, 05-24 Whit Sunday" {
		t.Errorf("around helatorstai: %s", got)
	}
	if h, ok := c.Holiday(bridge); !ok || h.Name.SV != "extra ledig dag" {
		t.Errorf("Holiday(%s) = %+v, %v", bridge, h, ok)
	}
	if h, ok := c.Holiday(domain.NewDate(2026, 12, 6)); !ok || h.Name.SV != "självständighetsdagen" {
		t.Errorf("Holiday(2026-12-06) = %+v, %v", h, ok)
	}
	if _, ok := c.Holiday(domain.NewDate(2026, 12, 7)); ok {
		t.Error("2026-12-07 is a holiday")
	}
}
