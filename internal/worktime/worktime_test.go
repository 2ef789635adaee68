package worktime

import (
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// hel is a wall clock time in Helsinki.
func hel(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, helsinki)
}

func date(y int, m time.Month, d int) domain.Date { return domain.NewDate(y, m, d) }

func TestIsWorkingDay(t *testing.T) {
	c := Calendar{ExtraHolidays: []domain.Date{date(2026, 5, 15)}}
	for _, tt := range []struct {
		d    domain.Date
		want bool
	}{
		{date(2026, 11, 25), true},  // a Wednesday
		{date(2026, 11, 28), false}, // Saturday
		{date(2026, 11, 29), false}, // Sunday
		{date(2026, 4, 2), true},    // kiirastorstai is a working day
		{date(2026, 4, 3), false},   // pitkäperjantai
		{date(2026, 4, 6), false},   // 2. pääsiäispäivä
		{date(2026, 4, 7), true},
		{date(2026, 5, 1), false},   // vappu, a Friday
		{date(2026, 5, 14), false},  // helatorstai
		{date(2026, 5, 15), false},  // the extra day off
		{date(2026, 6, 19), false},  // juhannusaatto
		{date(2026, 12, 7), true},   // the Monday after itsenäisyyspäivä (a Sunday) is not a day off
		{date(2026, 12, 24), false}, // jouluaatto
		{date(2026, 12, 31), true},  // uudenvuodenaatto is a working day
		{date(2027, 1, 6), false},   // loppiainen, a Wednesday
	} {
		if got := c.IsWorkingDay(tt.d); got != tt.want {
			t.Errorf("IsWorkingDay(%s, a %s) = %v, want %v", tt.d, tt.d.Time().Weekday(), got, tt.want)
		}
	}
	if !(Calendar{}).IsWorkingDay(date(2026, 5, 15)) {
		t.Error("without the extra day off, 2026-05-15 is a working day")
	}
}

func TestNextWorkingMoment(t *testing.T) {
	for _, tt := range []struct {
		name   string
		at     time.Time
		want   time.Time
		inWork bool
	}{
		{"before hours", hel(2026, 11, 25, 7, 59), hel(2026, 11, 25, 8, 0), false},
		{"as hours start", hel(2026, 11, 25, 8, 0), hel(2026, 11, 25, 8, 0), true},
		{"within hours", hel(2026, 11, 25, 16, 59), hel(2026, 11, 25, 16, 59), true},
		{"as hours end", hel(2026, 11, 25, 17, 0), hel(2026, 11, 26, 8, 0), false},
		{"Friday evening", hel(2026, 11, 27, 17, 30), hel(2026, 11, 30, 8, 0), false},
		{"Saturday noon", hel(2026, 11, 28, 12, 0), hel(2026, 11, 30, 8, 0), false},
		{"kiirastorstai evening", hel(2026, 4, 2, 18, 0), hel(2026, 4, 7, 8, 0), false},
		{"before juhannus", hel(2026, 6, 18, 17, 0), hel(2026, 6, 22, 8, 0), false},
		{"before Christmas", hel(2026, 12, 23, 17, 30), hel(2026, 12, 28, 8, 0), false},
		{"New Year's Eve night", hel(2026, 12, 31, 23, 0), hel(2027, 1, 4, 8, 0), false},
		{"given in UTC", time.Date(2026, 11, 25, 5, 30, 0, 0, time.UTC), hel(2026, 11, 25, 8, 0), false},
		{"UTC midnight is 02:00 in Helsinki", time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), hel(2026, 11, 25, 8, 0), false},
		{"UTC evening is the next day in Helsinki", time.Date(2026, 11, 24, 22, 30, 0, 0, time.UTC), hel(2026, 11, 25, 8, 0), false},
	} {
		got := Calendar{}.NextWorkingMoment(tt.at)
		if !got.Equal(tt.want) || got.Location() != helsinki {
			t.Errorf("%s: NextWorkingMoment(%s) = %s, want %s", tt.name, tt.at, got, tt.want)
		}
		if in := (Calendar{}).IsWorkingTime(tt.at); in != tt.inWork {
			t.Errorf("%s: IsWorkingTime(%s) = %v, want %v", tt.name, tt.at, in, tt.inWork)
		}
	}
}

// Finland moves its clocks on the last Sundays of March (03:00 → 04:00) and October (04:00 → 03:00). Working hours
// stay 08:00–17:00 on the wall clock, so their UTC instants move by an hour.
func TestDaylightSavingTime(t *testing.T) {
	c := Calendar{}
	for _, tt := range []struct {
		name     string
		at, want time.Time // want in UTC
	}{
		{"Friday before summer time", hel(2026, 3, 27, 17, 30), time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC)},
		{"the night the clocks go forward", time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC)},
		{"Friday before winter time", hel(2026, 10, 23, 18, 0), time.Date(2026, 10, 26, 6, 0, 0, 0, time.UTC)},
		{"the hour that happens twice", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), time.Date(2026, 10, 26, 6, 0, 0, 0, time.UTC)},
		{"summer morning in UTC", time.Date(2026, 6, 10, 4, 59, 0, 0, time.UTC), time.Date(2026, 6, 10, 5, 0, 0, 0, time.UTC)},
		{"winter morning in UTC", time.Date(2026, 11, 25, 5, 59, 0, 0, time.UTC), time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)},
	} {
		if got := c.NextWorkingMoment(tt.at); !got.Equal(tt.want) {
			t.Errorf("%s: NextWorkingMoment(%s) = %s, want %s", tt.name, tt.at, got.UTC(), tt.want)
		}
	}
	// A working day later is the same wall clock time, 71 hours later across the spring change.
	fri := hel(2026, 3, 27, 10, 0)
	mon := c.AddWorkingDays(fri, 1)
	if !mon.Equal(hel(2026, 3, 30, 10, 0)) || mon.Sub(fri) != 71*time.Hour {
		t.Errorf("AddWorkingDays(%s, 1) = %s, %s later; want Monday 10:00, 71 h later", fri, mon, mon.Sub(fri))
	}
	if back := c.AddWorkingDays(hel(2026, 10, 26, 10, 0), -1); back.Sub(hel(2026, 10, 23, 10, 0)) != 0 ||
		hel(2026, 10, 26, 10, 0).Sub(back) != 73*time.Hour {
		t.Errorf("AddWorkingDays(Monday 26 October 10:00, -1) = %s; want Friday 10:00, 73 h earlier", back)
	}
	// Another location has its own hours: 08:00 in UTC is 10:00 in Helsinki in winter.
	if got := (Calendar{Location: time.UTC}).NextWorkingMoment(hel(2026, 11, 25, 7, 0)); !got.Equal(hel(2026, 11, 25, 10, 0)) {
		t.Errorf("UTC calendar: NextWorkingMoment = %s, want 08:00 UTC", got)
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := Calendar{ExtraHolidays: []domain.Date{date(2026, 5, 15)}}
	for _, tt := range []struct {
		name string
		from domain.Date
		n    int
		want domain.Date
	}{
		{"zero", date(2026, 11, 28), 0, date(2026, 11, 28)},
		{"Friday to Monday", date(2026, 11, 27), 1, date(2026, 11, 30)},
		{"from a Saturday", date(2026, 11, 28), 1, date(2026, 11, 30)},
		{"over Easter", date(2026, 4, 2), 1, date(2026, 4, 7)},
		{"into Easter week", date(2026, 4, 1), 3, date(2026, 4, 8)},
		{"back over Easter", date(2026, 4, 7), -1, date(2026, 4, 2)},
		{"over helatorstai and the bridge day", date(2026, 5, 13), 1, date(2026, 5, 18)},
		{"over Christmas", date(2026, 12, 23), 1, date(2026, 12, 28)},
		{"to New Year's Eve", date(2026, 12, 23), 4, date(2026, 12, 31)},
		{"over New Year", date(2026, 12, 23), 5, date(2027, 1, 4)},
		{"over loppiainen", date(2026, 12, 23), 7, date(2027, 1, 7)},
		{"back from a Sunday over New Year", date(2027, 1, 3), -1, date(2026, 12, 31)},
		{"back over Christmas", date(2026, 12, 28), -2, date(2026, 12, 22)},
		{"twenty working days in December", date(2026, 11, 30), 20, date(2026, 12, 30)},
		{"all of December", date(2026, 11, 30), 21, date(2026, 12, 31)},
	} {
		if got := c.AddWorkingDaysToDate(tt.from, tt.n); got != tt.want {
			t.Errorf("%s: AddWorkingDaysToDate(%s, %d) = %s, want %s", tt.name, tt.from, tt.n, got, tt.want)
		}
		at := time.Date(tt.from.Time().Year(), tt.from.Time().Month(), tt.from.Time().Day(), 14, 30, 0, 0, helsinki)
		want := time.Date(tt.want.Time().Year(), tt.want.Time().Month(), tt.want.Time().Day(), 14, 30, 0, 0, helsinki)
		if got := c.AddWorkingDays(at.UTC(), tt.n); !got.Equal(want) {
			t.Errorf("%s: AddWorkingDays(%s, %d) = %s, want %s", tt.name, at, tt.n, got, want)
		}
	}
	if got := c.NextWorkingDay(date(2026, 12, 23)); got != date(2026, 12, 28) {
		t.Errorf("NextWorkingDay(2026-12-23) = %s", got)
	}
}

// Counting forward and back again returns to the same working day, every day of three years; and n working days
// later there are exactly n working days in between.
func TestAddWorkingDaysRoundTrip(t *testing.T) {
	c := Calendar{}
	for d := date(2025, 1, 1); d.Before(date(2028, 1, 1)); d = d.AddDays(1) {
		if !c.IsWorkingDay(d) {
			continue
		}
		for _, n := range []int{1, 2, 5, 10, 23} {
			later := c.AddWorkingDaysToDate(d, n)
			if back := c.AddWorkingDaysToDate(later, -n); back != d {
				t.Fatalf("%s +%d = %s, -%d = %s", d, n, later, n, back)
			}
			count := 0
			for x := d.AddDays(1); !x.After(later); x = x.AddDays(1) {
				if c.IsWorkingDay(x) {
					count++
				}
			}
			if count != n || !c.IsWorkingDay(later) {
				t.Fatalf("%s +%d = %s with %d working days in between", d, n, later, count)
			}
		}
	}
}

func TestWorkingHoursAreConfigurable(t *testing.T) {
	c := Calendar{WorkStart: 7*time.Hour + 30*time.Minute, WorkEnd: 15*time.Hour + 45*time.Minute}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.NextWorkingMoment(hel(2026, 11, 25, 6, 0)); !got.Equal(hel(2026, 11, 25, 7, 30)) {
		t.Errorf("NextWorkingMoment = %s, want 07:30", got)
	}
	if c.IsWorkingTime(hel(2026, 11, 25, 15, 45)) || !c.IsWorkingTime(hel(2026, 11, 25, 15, 44)) {
		t.Error("working hours end at 15:45")
	}
	if got := c.NextWorkingMoment(hel(2026, 11, 25, 15, 45)); !got.Equal(hel(2026, 11, 26, 7, 30)) {
		t.Errorf("NextWorkingMoment after hours = %s, want 07:30 the next day", got)
	}
	if err := Helsinki().Validate(); err != nil {
		t.Errorf("Helsinki(): %v", err)
	}
	for name, bad := range map[string]Calendar{
		"end before start":  {WorkStart: 17 * time.Hour, WorkEnd: 8 * time.Hour},
		"empty":             {WorkStart: 9 * time.Hour, WorkEnd: 9 * time.Hour},
		"past midnight":     {WorkStart: 8 * time.Hour, WorkEnd: 25 * time.Hour},
		"negative":          {WorkStart: -time.Hour, WorkEnd: 8 * time.Hour},
		"undated day off":   {ExtraHolidays: []domain.Date{{}}},
		"only an end given": {WorkEnd: 0, WorkStart: 8 * time.Hour},
	} {
		if err := bad.Validate(); !domain.IsCode(err, domain.EInvalid) {
			t.Errorf("%s: Validate() = %v, want %s", name, err, domain.EInvalid)
		}
	}
}
