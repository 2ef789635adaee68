package domain

import (
	"testing"
	"time"
)

func TestRequestValidity(t *testing.T) {
	tests := []struct {
		name          string
		today         Date
		months        int
		min, max, def Date
	}{
		{"no policy: 24 months", day(2026, 6, 15), 0, day(2026, 6, 16), day(2051, 6, 15), day(2028, 6, 15)},
		{"negative policy counts as none", day(2026, 6, 15), -3, day(2026, 6, 16), day(2051, 6, 15), day(2028, 6, 15)},
		{"policy 12 months", day(2026, 6, 15), 12, day(2026, 6, 16), day(2051, 6, 15), day(2027, 6, 15)},
		{"policy 1 month", day(2026, 6, 15), 1, day(2026, 6, 16), day(2051, 6, 15), day(2026, 7, 15)},
		{"policy exactly 25 years is the max", day(2026, 6, 15), 300, day(2026, 6, 16), day(2051, 6, 15), day(2051, 6, 15)},
		{"policy a month over 25 years is capped", day(2026, 6, 15), 301, day(2026, 6, 16), day(2051, 6, 15), day(2051, 6, 15)},
		{"policy 100 years is capped", day(2026, 6, 15), 1200, day(2026, 6, 16), day(2051, 6, 15), day(2051, 6, 15)},
		{"new year's eve", day(2026, 12, 31), 0, day(2027, 1, 1), day(2051, 12, 31), day(2028, 12, 31)},
		{"29 Feb", day(2028, 2, 29), 12, day(2028, 3, 1), day(2053, 3, 1), day(2029, 3, 1)},
		{"month end normalised", day(2026, 1, 31), 1, day(2026, 2, 1), day(2051, 1, 31), day(2026, 3, 3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := RequestValidity(tc.today, tc.months)
			want := Validity{Min: tc.min, Max: tc.max, Default: tc.def}
			if v != want {
				t.Fatalf("RequestValidity(%v, %d) = %+v, want %+v", tc.today, tc.months, v, want)
			}
			if !v.Allows(v.Default) {
				t.Fatalf("the default %v is not allowed by %+v", v.Default, v)
			}
		})
	}
}

func TestValidityAllows(t *testing.T) {
	today := day(2026, 6, 15)
	v := RequestValidity(today, 0)
	tests := []struct {
		name  string
		until Date
		want  bool
	}{
		{"zero", Date{}, false},
		{"yesterday", today.AddDays(-1), false},
		{"today", today, false},
		{"tomorrow (min)", today.AddDays(1), true},
		{"default", today.AddMonths(24), true},
		{"max", today.AddYears(25), true},
		{"max + 1 day", today.AddYears(25).AddDays(1), false},
		{"far future", day(2099, 1, 1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := v.Allows(tc.until); got != tc.want {
				t.Fatalf("Allows(%v) = %v, want %v (validity %+v)", tc.until, got, tc.want, v)
			}
		})
	}
	if (Validity{}).Allows(today) {
		t.Fatal("the zero Validity allows a date after it")
	}
}

func TestCheckGrantDates(t *testing.T) {
	today := day(2026, 6, 15)
	tests := []struct {
		name        string
		from, until Date
		key         string // "" = ok
	}{
		{"both zero", Date{}, Date{}, "err.dates_required"},
		{"from zero", Date{}, day(2027, 1, 1), "err.dates_required"},
		{"until zero", today, Date{}, "err.dates_required"},
		{"until zero and from long past: dates first", day(2020, 1, 1), Date{}, "err.dates_required"},
		{"from today", today, day(2027, 6, 15), ""},
		{"from LateGrantDays back", today.AddDays(-LateGrantDays), day(2027, 6, 15), ""},
		{"from a day more back", today.AddDays(-LateGrantDays - 1), day(2027, 6, 15), "err.valid_from_past"},
		{"from too far back and until before from: past first", today.AddDays(-LateGrantDays - 1), today.AddDays(-40), "err.valid_from_past"},
		{"from in the future", day(2027, 1, 1), day(2028, 1, 1), ""},
		{"until equals from", today, today, "err.valid_until_before_from"},
		{"until a day before from", today, today.AddDays(-1), "err.valid_until_before_from"},
		{"until a day after from", today, today.AddDays(1), ""},
		{"until exactly 25 years after from", today, today.AddYears(25), ""},
		{"until 25 years and a day after from", today, today.AddYears(25).AddDays(1), "err.valid_until_range"},
		{"25 years counted from a past from", today.AddDays(-10), today.AddDays(-10).AddYears(25), ""},
		{"25 years and a day from a past from", today.AddDays(-10), today.AddDays(-10).AddYears(25).AddDays(1), "err.valid_until_range"},
		{"LateGrantDays back over 29 Feb", day(2028, 2, 14), day(2029, 1, 1), ""},
		{"a day more back over 29 Feb", day(2028, 2, 13), day(2029, 1, 1), "err.valid_from_past"},
		{"from 29 Feb: 25 years end on 1 Mar", day(2028, 2, 29), day(2053, 3, 1), ""},
		{"from 29 Feb: 2 Mar is too late", day(2028, 2, 29), day(2053, 3, 2), "err.valid_until_range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := today
			if tc.from.Time().Year() == 2028 {
				now = day(2028, 3, 15) // 30 days back is 14 Feb: the leap day counts as a day
			}
			err := CheckGrantDates(now, tc.from, tc.until)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("CheckGrantDates(%v, %v, %v) = %v, want ok", now, tc.from, tc.until, err)
				}
				return
			}
			wantErr(t, err, EInvalid, tc.key)
		})
	}
}

func TestRequestCheckGrantDates(t *testing.T) {
	today := day(2026, 6, 15)
	// Approved at 00:30 on 1 June in Finland: 21:30 UTC on 31 May.
	decided := time.Date(2026, 5, 31, 21, 30, 0, 0, time.UTC)
	approvedUntil := day(2027, 6, 1).Time()
	tests := []struct {
		name        string
		decidedAt   time.Time
		validUntil  time.Time
		from, until Date
		key         string
	}{
		{"general rule first", decided, approvedUntil, Date{}, day(2027, 1, 1), "err.dates_required"},
		{"general range rule", decided, approvedUntil, today, today, "err.valid_until_before_from"},
		{"from on the Finnish day of approval", decided, approvedUntil, day(2026, 6, 1), day(2027, 1, 1), ""},
		{"from the UTC day of approval is before it", decided, approvedUntil, day(2026, 5, 31), day(2027, 1, 1), "err.valid_from_before_approval"},
		{"until the approved end", decided, approvedUntil, today, day(2027, 6, 1), ""},
		{"until a day after the approved end", decided, approvedUntil, today, day(2027, 6, 2), "err.valid_until_after_approved"},
		{"no approved end: only 25 years limit", decided, time.Time{}, today, today.AddYears(25), ""},
		{"no decision time: any from within LateGrantDays", time.Time{}, approvedUntil, today.AddDays(-30), today.AddDays(1), ""},
		{"until yesterday", time.Time{}, time.Time{}, today.AddDays(-20), today.AddDays(-1), "err.valid_until_past"},
		{"until today", time.Time{}, time.Time{}, today.AddDays(-20), today, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Request{State: RequestApproved, DecidedAt: tc.decidedAt, ValidUntil: tc.validUntil}
			err := r.CheckGrantDates(today, tc.from, tc.until)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("CheckGrantDates(%v, %v) = %v, want ok", tc.from, tc.until, err)
				}
				return
			}
			wantErr(t, err, EInvalid, tc.key)
		})
	}
}

func TestGrantDefaults(t *testing.T) {
	today := day(2026, 6, 15)
	latest := day(2051, 6, 15)
	tests := []struct {
		name      string
		requested Date
		until     Date
	}{
		{"no requested end", Date{}, Date{}},
		{"requested end passed", today.AddDays(-1), Date{}},
		{"requested end long passed", day(2020, 1, 1), Date{}},
		{"tomorrow", today.AddDays(1), today.AddDays(1)},
		{"in range", day(2028, 6, 15), day(2028, 6, 15)},
		{"exactly the latest", latest, latest},
		{"a day beyond the latest", latest.AddDays(1), latest},
		{"far beyond the latest", day(2099, 1, 1), latest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from, until, gotLatest := GrantDefaults(today, tc.requested)
			if from != today || until != tc.until || gotLatest != latest {
				t.Fatalf("GrantDefaults(%v, %v) = %v, %v, %v; want %v, %v, %v",
					today, tc.requested, from, until, gotLatest, today, tc.until, latest)
			}
			if !until.IsZero() {
				if err := CheckGrantDates(today, from, until); err != nil {
					t.Fatalf("the proposed dates are refused: %v", err)
				}
			}
		})
	}
}

func TestThemeCapValidity(t *testing.T) {
	policy := Theme{ID: "palkat", DefaultValidityMonths: 24, MaxValidityMonths: 60}
	noPolicy := Theme{ID: "vanha"} // a stand-in with no policy: only Suomi.fi's limit and the contract apply
	from := NewDate(2026, time.December, 3)
	tests := []struct {
		name            string
		theme           Theme
		from, requested Date
		contractEnd     Date
		want            Date
		by              ValidityCap
	}{
		{name: "within every limit", theme: policy, from: from, requested: NewDate(2028, time.June, 30),
			want: NewDate(2028, time.June, 30)},
		{name: "exactly the theme's maximum stands", theme: policy, from: from, requested: NewDate(2031, time.December, 3),
			want: NewDate(2031, time.December, 3)},
		{name: "a day over the theme's maximum", theme: policy, from: from, requested: NewDate(2031, time.December, 4),
			want: NewDate(2031, time.December, 3), by: CapThemePolicy},
		{name: "no request: the theme's default", theme: policy, from: from,
			want: NewDate(2028, time.December, 3)},
		{name: "no request and no policy: the general default", theme: noPolicy, from: from,
			want: NewDate(2028, time.December, 3)},
		{name: "no policy: Suomi.fi's 25 years", theme: noPolicy, from: from, requested: NewDate(2060, time.January, 1),
			want: NewDate(2051, time.December, 3), by: CapSuomiFi},
		{name: "a fixed-term contract ends first", theme: policy, from: from, requested: NewDate(2028, time.December, 3),
			contractEnd: NewDate(2027, time.May, 31), want: NewDate(2027, time.May, 31), by: CapContractEnd},
		{name: "the contract ends on the requested day: no cap", theme: policy, from: from, requested: NewDate(2027, time.May, 31),
			contractEnd: NewDate(2027, time.May, 31), want: NewDate(2027, time.May, 31)},
		{name: "the contract ends after the theme's maximum", theme: policy, from: from, requested: NewDate(2040, time.January, 1),
			contractEnd: NewDate(2035, time.January, 1), want: NewDate(2031, time.December, 3), by: CapThemePolicy},
		{name: "contract and policy end the same day: the contract is named", theme: policy, from: from,
			requested: NewDate(2040, time.January, 1), contractEnd: NewDate(2031, time.December, 3),
			want: NewDate(2031, time.December, 3), by: CapContractEnd},
		{name: "a policy longer than Suomi.fi allows is held to 25 years", theme: Theme{MaxValidityMonths: 400}, from: from,
			requested: NewDate(2070, time.January, 1), want: NewDate(2051, time.December, 3), by: CapSuomiFi},
		{name: "the default request is capped by the contract", theme: policy, from: from,
			contractEnd: NewDate(2027, time.March, 31), want: NewDate(2027, time.March, 31), by: CapContractEnd},
		{name: "months count from the start in the calendar", theme: Theme{MaxValidityMonths: 1}, from: NewDate(2027, time.January, 31),
			requested: NewDate(2027, time.December, 31), want: NewDate(2027, time.March, 3), by: CapThemePolicy},
		{name: "leap day plus 25 years", theme: noPolicy, from: NewDate(2028, time.February, 29),
			requested: NewDate(2060, time.January, 1), want: NewDate(2053, time.March, 1), by: CapSuomiFi},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, by := tt.theme.CapValidity(tt.from, tt.requested, tt.contractEnd)
			if got != tt.want || by != tt.by {
				t.Errorf("CapValidity(%s, %s, %s) = %s, %q; want %s, %q", tt.from, tt.requested, tt.contractEnd, got, by, tt.want, tt.by)
			}
		})
	}
}

// civil parses a civil date for a test.
func civil(t *testing.T, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestValidityCapped(t *testing.T) {
	MustDate := func(s string) Date { return civil(t, s) }
	today := MustDate("2026-11-25")
	short := Theme{ID: "short", MaxValidityMonths: 12}
	long := Theme{ID: "long", MaxValidityMonths: 60}
	tests := []struct {
		name     string
		themes   []Theme
		contract Date
		max      Date
		by       ValidityCap
		theme    string
	}{
		{"no policy", []Theme{{ID: "free"}}, Date{}, MustDate("2051-11-25"), CapNone, ""},
		{"the shortest policy wins", []Theme{long, short}, Date{}, MustDate("2027-11-25"), CapThemePolicy, "short"},
		{"the contract ends first", []Theme{long}, MustDate("2027-08-31"), MustDate("2027-08-31"), CapContractEnd, ""},
		{"the policy ends before the contract", []Theme{short}, MustDate("2030-01-01"), MustDate("2027-11-25"), CapThemePolicy, "short"},
		{"the contract alone", nil, MustDate("2027-08-31"), MustDate("2027-08-31"), CapContractEnd, ""},
	}
	for _, tc := range tests {
		v := RequestValidity(today, 24).Capped(today, tc.themes, tc.contract)
		if v.Max != tc.max || v.CappedBy != tc.by || v.CapTheme != tc.theme || v.Default.After(v.Max) || !v.Open() {
			t.Errorf("%s: %+v", tc.name, v)
		}
	}
	if v := RequestValidity(today, 24).Capped(today, nil, today); v.Open() {
		t.Errorf("a contract ending today leaves no end date open: %+v", v)
	}
}
