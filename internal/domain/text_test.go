package domain

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFreeTextCheck(t *testing.T) {
	type rule struct {
		name string
		f    FreeText
		max  int
	}
	rules := []rule{
		{"Justification", Justification, 1000},
		{"Reason", Reason, 500},
		{"RequiredReason", RequiredReason, 500},
	}
	for _, r := range rules {
		if r.f.Max != r.max {
			t.Fatalf("%s.Max = %d, want %d", r.name, r.f.Max, r.max)
		}
	}
	keys := map[string][3]string{ // missing, too long, hetu
		"Justification":  {"err.justification_required", "err.justification_too_long", "err.justification_hetu"},
		"Reason":         {"", "err.reason_too_long", "err.reason_hetu"},
		"RequiredReason": {"err.reason_required", "err.reason_too_long", "err.reason_hetu"},
	}
	const (
		ok      = iota // the trimmed text comes back
		missing        // the rule's MissingKey, or ok with "" when the rule does not require text
		tooLong
		hasHetu
	)
	for _, r := range rules {
		k := keys[r.name]
		tests := []struct {
			name string
			in   string
			want int
			out  string
		}{
			{"plain", "Palkanlaskenta tarvitsee tämän.", ok, "Palkanlaskenta tarvitsee tämän."},
			{"trimmed", " \t Hoidan palkat.\n\n", ok, "Hoidan palkat."},
			{"inner space kept", "a  b\nc", ok, "a  b\nc"},
			{"empty", "", missing, ""},
			{"only white space", " \t\n\u00a0 ", missing, ""},
			{"exactly Max ä letters", strings.Repeat("ä", r.max), ok, strings.Repeat("ä", r.max)},
			{"Max ä letters with spaces around", "  " + strings.Repeat("ä", r.max) + "\n", ok, strings.Repeat("ä", r.max)},
			{"Max+1 ä letters", strings.Repeat("ä", r.max+1), tooLong, ""},
			{"Max+1 ASCII letters", strings.Repeat("a", r.max+1), tooLong, ""},
			{"valid henkilötunnus inside", "hetuni on 131052-308T, kiitos", hasHetu, ""},
			{"valid henkilötunnus, lower case", "131052-308t", hasHetu, ""},
			{"valid 2000s henkilötunnus", "lapsen 010101A900R asia", hasHetu, ""},
			{"invalid checksum accepted", "tilaus 131052-308U", ok, "tilaus 131052-308U"},
			{"Y-tunnus accepted", "Y-tunnus 1061512-1", ok, "Y-tunnus 1061512-1"},
			{"too long wins over hetu", "131052-308T " + strings.Repeat("a", r.max), tooLong, ""},
		}
		for _, tc := range tests {
			t.Run(r.name+"/"+tc.name, func(t *testing.T) {
				got, err := r.f.Check(tc.in)
				want := tc.want
				if want == missing && !r.f.Required {
					want = ok
				}
				if want == ok {
					if err != nil || got != tc.out {
						t.Fatalf("Check(%.40q) = %.40q, %v; want %.40q, nil", tc.in, got, err, tc.out)
					}
					if n := utf8.RuneCountInString(got); n > r.f.Max {
						t.Fatalf("accepted %d runes", n)
					}
					return
				}
				if got != "" {
					t.Fatalf("refused text returned %.40q", got)
				}
				wantErr(t, err, EInvalid, k[want-1])
			})
		}
	}
}
