package worktime

import (
	"slices"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Holiday is a day on which the organisation's offices are closed, with its name in Finnish, Swedish and English.
type Holiday struct {
	Date domain.Date
	Name domain.Text
}

// The Finnish holidays, in calendar order. Most are moved by Easter or by the weekday; the others fall on a fixed day.
var (
	newYear       = domain.Text{FI: "uudenvuodenpäivä", SV: "nyårsdagen", EN: "New Year's Day"}
	epiphany      = domain.Text{FI: "loppiainen", SV: "trettondagen", EN: "Epiphany"}
	goodFriday    = domain.Text{FI: "pitkäperjantai", SV: "långfredagen", EN: "Good Friday"}
	easterSunday  = domain.Text{FI: "pääsiäispäivä", SV: "påskdagen", EN: "Easter Sunday"}
	easterMonday  = domain.Text{FI: "2. pääsiäispäivä", SV: "annandag påsk", EN: "Easter Monday"}
	mayDay        = domain.Text{FI: "vappu", SV: "första maj", EN: "May Day"}
	ascension     = domain.Text{FI: "helatorstai", SV: "Kristi himmelsfärdsdag", EN: "Ascension Day"}
	pentecost     = domain.Text{FI: "helluntaipäivä", SV: "pingstdagen", EN: "Whit Sunday"}
	midsummerEve  = domain.Text{FI: "juhannusaatto", SV: "midsommarafton", EN: "Midsummer Eve"}
	midsummerDay  = domain.Text{FI: "juhannuspäivä", SV: "midsommardagen", EN: "Midsummer Day"}
	allSaints     = domain.Text{FI: "pyhäinpäivä", SV: "alla helgons dag", EN: "All Saints' Day"}
	independence  = domain.Text{FI: "itsenäisyyspäivä", SV: "självständighetsdagen", EN: "Independence Day"}
	christmasEve  = domain.Text{FI: "jouluaatto", SV: "julafton", EN: "Christmas Eve"}
	christmasDay  = domain.Text{FI: "joulupäivä", SV: "juldagen", EN: "Christmas Day"}
	stStephensDay = domain.Text{FI: "tapaninpäivä", SV: "annandag jul", EN: "St Stephen's Day"}
	extraDayOff   = domain.Text{FI: "ylimääräinen vapaapäivä", SV: "extra ledig dag", EN: "extra day off"}
)

// Holidays returns the Finnish holidays of year in date order: the public holidays of the Church and the state
// (uudenvuodenpäivä, loppiainen, pitkäperjantai, pääsiäispäivä, 2. pääsiäispäivä, vappu, helatorstai,
// helluntaipäivä, juhannuspäivä, pyhäinpäivä, itsenäisyyspäivä, joulupäivä, tapaninpäivä) and the two eves on which
// municipal offices are closed as well (juhannusaatto, jouluaatto). Some fall on a weekend, which is not a working
// day anyway, and two can fall on one day (helatorstai was vappu in 2008); they are listed all the same. Easter follows the Gregorian calendar, so years before 1583 have no
// meaningful answer.
func Holidays(year int) []Holiday {
	e := Easter(year)
	day := func(m time.Month, d int) domain.Date { return domain.NewDate(year, m, d) }
	out := []Holiday{
		{day(time.January, 1), newYear},
		{day(time.January, 6), epiphany},
		{e.AddDays(-2), goodFriday},
		{e, easterSunday},
		{e.AddDays(1), easterMonday},
		{day(time.May, 1), mayDay},
		{e.AddDays(39), ascension},
		{e.AddDays(49), pentecost},
		{weekdayFrom(day(time.June, 19), time.Friday), midsummerEve},
		{weekdayFrom(day(time.June, 20), time.Saturday), midsummerDay},
		{weekdayFrom(day(time.October, 31), time.Saturday), allSaints},
		{day(time.December, 6), independence},
		{day(time.December, 24), christmasEve},
		{day(time.December, 25), christmasDay},
		{day(time.December, 26), stStephensDay},
	}
	// Easter on 22 or 23 March puts helatorstai on 30 April or on vappu.
	slices.SortStableFunc(out, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return out
}

// Easter returns Easter Sunday of year in the Gregorian calendar, by the anonymous Gregorian computus (Meeus,
// Jones, Butcher).
func Easter(year int) domain.Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return domain.NewDate(year, time.Month(month), day)
}

// weekdayFrom returns the first date on or after d that falls on wd.
func weekdayFrom(d domain.Date, wd time.Weekday) domain.Date {
	return d.AddDays((int(wd) - int(d.Time().Weekday()) + 7) % 7)
}
