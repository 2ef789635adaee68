package domain

import (
	"testing"
	"time"
)

// day is a short name for NewDate in the tables.
func day(y int, m time.Month, d int) Date { return NewDate(y, m, d) }

func TestNewDateIsMidnightUTC(t *testing.T) {
	d := NewDate(2026, time.March, 5)
	want := time.Date(2026, time.March, 5, 0, 0, 0, 0, time.UTC)
	if !d.Time().Equal(want) || d.Time().Location() != time.UTC {
		t.Fatalf("NewDate = %v, want %v", d.Time(), want)
	}
	if d.IsZero() || d.String() != "2026-03-05" {
		t.Fatalf("IsZero %v, String %q", d.IsZero(), d.String())
	}
	// Out-of-range days are normalised like time.Date.
	if got := NewDate(2026, time.February, 29); got != day(2026, time.March, 1) {
		t.Fatalf("NewDate(2026-02-29) = %v", got)
	}
}

func TestDateOf(t *testing.T) {
	helsinki := mustHelsinki(t)
	tests := []struct {
		name string
		in   time.Time
		want Date
	}{
		{"zero time is the zero date", time.Time{}, Date{}},
		{"UTC instant keeps its UTC day", time.Date(2026, 5, 31, 23, 59, 59, 0, time.UTC), day(2026, 5, 31)},
		{"an instant counts in its own location", time.Date(2026, 6, 1, 0, 30, 0, 0, helsinki), day(2026, 6, 1)},
		{"the same instant in UTC is the day before", time.Date(2026, 6, 1, 0, 30, 0, 0, helsinki).UTC(), day(2026, 5, 31)},
		{"time of day dropped", time.Date(2028, 2, 29, 12, 0, 0, 1, time.UTC), day(2028, 2, 29)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DateOf(tc.in); got != tc.want {
				t.Fatalf("DateOf(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func mustHelsinki(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		t.Fatalf("tzdata: %v", err)
	}
	return loc
}

func TestOrgLocationIsHelsinki(t *testing.T) {
	if OrgLocation.String() != "Europe/Helsinki" {
		t.Fatalf("OrgLocation = %q: tzdata missing, summer time would be wrong", OrgLocation)
	}
}

func TestToday(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		want Date
	}{
		{"new year's eve 22:30Z is new year in Finland (UTC+2)", time.Date(2026, 12, 31, 22, 30, 0, 0, time.UTC), day(2027, 1, 1)},
		{"new year's eve 21:59Z is still the 31st", time.Date(2026, 12, 31, 21, 59, 59, 0, time.UTC), day(2026, 12, 31)},
		{"winter 22:00Z is midnight", time.Date(2026, 1, 14, 22, 0, 0, 0, time.UTC), day(2026, 1, 15)},
		{"summer 21:00Z is midnight (UTC+3)", time.Date(2026, 6, 30, 21, 0, 0, 0, time.UTC), day(2026, 7, 1)},
		{"summer 20:59Z is still the 30th", time.Date(2026, 6, 30, 20, 59, 59, 0, time.UTC), day(2026, 6, 30)},
		{"summer 21:30Z is the next day, though winter time would not say so", time.Date(2026, 8, 15, 21, 30, 0, 0, time.UTC), day(2026, 8, 16)},
		{"eve of the spring change 21:59Z (EET)", time.Date(2026, 3, 28, 21, 59, 0, 0, time.UTC), day(2026, 3, 28)},
		{"eve of the spring change 22:00Z (EET)", time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC), day(2026, 3, 29)},
		{"day of the spring change 21:00Z (EEST)", time.Date(2026, 3, 29, 21, 0, 0, 0, time.UTC), day(2026, 3, 30)},
		{"day of the autumn change 21:30Z (EET again)", time.Date(2026, 10, 25, 21, 30, 0, 0, time.UTC), day(2026, 10, 25)},
		{"location of now does not matter", time.Date(2026, 6, 30, 17, 0, 0, 0, time.FixedZone("EDT", -4*3600)), day(2026, 7, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Today(tc.now); got != tc.want {
				t.Fatalf("Today(%v) = %v, want %v", tc.now, got, tc.want)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	good := []struct {
		in   string
		want Date
	}{
		{"2026-12-31", day(2026, 12, 31)},
		{"2028-02-29", day(2028, 2, 29)},
		{"0001-01-02", day(1, 1, 2)},
	}
	for _, tc := range good {
		t.Run("good "+tc.in, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.Time().Location() != time.UTC {
				t.Fatalf("location %v", got.Time().Location())
			}
		})
	}
	bad := []string{"", "2026-02-30", "2027-02-29", "2026-13-01", "2026-1-5", "31.12.2026", "2026-12-31T00:00:00Z", " 2026-12-31", "2026/12/31", "tomorrow"}
	for _, in := range bad {
		t.Run("bad "+in, func(t *testing.T) {
			got, err := ParseDate(in)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %v, want an error", in, got)
			}
			if !got.IsZero() {
				t.Fatalf("ParseDate(%q) returned %v with its error", in, got)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		name string
		got  Date
		want Date
	}{
		{"AddDays +1 over a month end", day(2026, 1, 31).AddDays(1), day(2026, 2, 1)},
		{"AddDays -1 over a year start", day(2027, 1, 1).AddDays(-1), day(2026, 12, 31)},
		{"AddDays -30", day(2026, 3, 15).AddDays(-30), day(2026, 2, 13)},
		{"AddDays over the spring change stays at midnight", day(2026, 3, 28).AddDays(2), day(2026, 3, 30)},
		{"AddDays 0", day(2026, 3, 28).AddDays(0), day(2026, 3, 28)},
		{"AddMonths +24", day(2026, 6, 15).AddMonths(24), day(2028, 6, 15)},
		{"AddMonths normalises Jan 31 + 1 to Mar 3", day(2026, 1, 31).AddMonths(1), day(2026, 3, 3)},
		{"AddMonths -1", day(2026, 3, 31).AddMonths(-1), day(2026, 3, 3)},
		{"AddYears +1", day(2026, 6, 15).AddYears(1), day(2027, 6, 15)},
		{"AddYears 29 Feb + 1 is 1 Mar", day(2028, 2, 29).AddYears(1), day(2029, 3, 1)},
		{"AddYears 29 Feb + 4 is 29 Feb", day(2028, 2, 29).AddYears(4), day(2032, 2, 29)},
		{"AddYears 29 Feb + 25 is 1 Mar", day(2028, 2, 29).AddYears(25), day(2053, 3, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %v, want %v", tc.got, tc.want)
			}
			if h, m, s := tc.got.Time().Clock(); h|m|s != 0 || tc.got.Time().Location() != time.UTC {
				t.Fatalf("not midnight UTC: %v", tc.got.Time())
			}
		})
	}
}

func TestDateOrder(t *testing.T) {
	a, b := day(2026, 6, 1), day(2026, 6, 2)
	tests := []struct {
		name          string
		x, y          Date
		cmp           int
		before, after bool
	}{
		{"earlier", a, b, -1, true, false},
		{"later", b, a, 1, false, true},
		{"same", a, day(2026, 6, 1), 0, false, false},
		{"zero before any date", Date{}, a, -1, true, false},
		{"zero and zero", Date{}, Date{}, 0, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.x.Compare(tc.y); got != tc.cmp {
				t.Errorf("Compare = %d, want %d", got, tc.cmp)
			}
			if got := tc.x.Before(tc.y); got != tc.before {
				t.Errorf("Before = %v, want %v", got, tc.before)
			}
			if got := tc.x.After(tc.y); got != tc.after {
				t.Errorf("After = %v, want %v", got, tc.after)
			}
		})
	}
}

func TestDaysUntil(t *testing.T) {
	tests := []struct {
		name     string
		from, to Date
		want     int
	}{
		{"same day", day(2026, 6, 1), day(2026, 6, 1), 0},
		{"tomorrow", day(2026, 6, 1), day(2026, 6, 2), 1},
		{"yesterday", day(2026, 6, 1), day(2026, 5, 31), -1},
		{"30 days", day(2026, 6, 1), day(2026, 7, 1), 30},
		{"over the spring change", day(2026, 3, 28), day(2026, 3, 30), 2},
		{"common year", day(2026, 1, 1), day(2027, 1, 1), 365},
		{"leap year", day(2028, 1, 1), day(2029, 1, 1), 366},
		{"back a year", day(2027, 1, 1), day(2026, 1, 1), -365},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.from.DaysUntil(tc.to); got != tc.want {
				t.Fatalf("%v.DaysUntil(%v) = %d, want %d", tc.from, tc.to, got, tc.want)
			}
		})
	}
}

func TestDateStringAndCivil(t *testing.T) {
	if s := (Date{}).String(); s != "" {
		t.Fatalf("zero String = %q", s)
	}
	if !(Date{}).IsZero() || !(Date{}).Time().IsZero() {
		t.Fatal("zero Date is not zero")
	}
	if s := day(2026, 1, 5).String(); s != "2026-01-05" {
		t.Fatalf("String = %q", s)
	}
	helsinki := mustHelsinki(t)
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"zero", time.Time{}, time.Time{}},
		{"UTC afternoon", time.Date(2026, 6, 1, 15, 4, 5, 6, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"Helsinki just after midnight keeps its own day", time.Date(2026, 6, 1, 0, 15, 0, 0, helsinki), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Civil(tc.in)
			if !got.Equal(tc.want) || (!got.IsZero() && got.Location() != time.UTC) {
				t.Fatalf("Civil(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
