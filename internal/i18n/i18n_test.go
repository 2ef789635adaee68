package i18n

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

// The three message files must stay in step: a key or placeholder missing in one language is a bug a person sees.
func TestMessageFilesAgree(t *testing.T) {
	b := MustLoad()
	en := b.msgs[domain.English]
	for _, l := range domain.Langs {
		m := b.msgs[l]
		if len(m) == 0 {
			t.Fatalf("%s: no messages", l)
		}
		for k, v := range en {
			other, ok := m[k]
			if !ok {
				t.Errorf("%s.json lacks %q", l, k)
				continue
			}
			if other == "" {
				t.Errorf("%s.json: %q is empty", l, k)
			}
			a, b := placeholderRE.FindAllString(v, -1), placeholderRE.FindAllString(other, -1)
			sort.Strings(a)
			sort.Strings(b)
			if len(a) != len(b) {
				t.Errorf("%s.json: %q placeholders %v, English has %v", l, k, b, a)
				continue
			}
			for i := range a {
				if a[i] != b[i] {
					t.Errorf("%s.json: %q placeholders %v, English has %v", l, k, b, a)
					break
				}
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json has %q that en.json lacks", l, k)
			}
		}
	}
}

func TestMatchLocale(t *testing.T) {
	cases := map[string]domain.Lang{
		"fi-FI": domain.Finnish, "fi": domain.Finnish, "sv-SE": domain.Swedish, "sv-FI": domain.Swedish,
		"sv": domain.Swedish, "en-US": domain.English, "en": domain.English, "en-GB": domain.English,
	}
	for in, want := range cases {
		if got, ok := MatchLocale(in); !ok || got != want {
			t.Errorf("MatchLocale(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "de-DE", "zz", "!!", "ja-JP"} {
		if got, ok := MatchLocale(in); ok {
			t.Errorf("MatchLocale(%q) = %q, want no match", in, got)
		}
	}
}

func TestChoose(t *testing.T) {
	if got := Choose(domain.Swedish, "fi-FI", domain.Finnish); got != domain.Swedish {
		t.Errorf("own choice must win, got %s", got)
	}
	if got := Choose("", "sv-SE", domain.Finnish); got != domain.Swedish {
		t.Errorf("locale second, got %s", got)
	}
	if got := Choose("", "de-DE", domain.Swedish); got != domain.Swedish {
		t.Errorf("org default third, got %s", got)
	}
	if got := Choose("xx", "", ""); got != domain.Finnish {
		t.Errorf("last resort Finnish, got %s", got)
	}
}

func TestFormat(t *testing.T) {
	p := MustLoad().Printer(domain.Swedish)
	if got := p.Format("welcome.intro", "org", "Borgå stad"); got == p.Get("welcome.intro") || !regexp.MustCompile("Borgå stad").MatchString(got) {
		t.Errorf("placeholder not filled: %q", got)
	}
	if got := p.Get("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key shows %q", got)
	}
	if MustLoad().Printer("xx").Lang != domain.Finnish {
		t.Error("unknown language should fall back to Finnish")
	}
}

// fill does what strings.NewReplacer did for Format: every known {name}, once, left to right, values never
// rescanned, unknown and unbalanced braces kept.
func TestFill(t *testing.T) {
	for _, tc := range []struct {
		s    string
		kv   []string
		want string
	}{
		{"Hei {name}!", []string{"name", "Elina"}, "Hei Elina!"},
		{"{n} / {n} {name}", []string{"n", "2", "name", "x"}, "2 / 2 x"},
		{"{a} {b}", []string{"a", "{b}", "b", "B"}, "{b} B"},
		{"{unknown} {a}", []string{"a", "1"}, "{unknown} 1"},
		{"{{a}}", []string{"a", "1"}, "{1}"},
		{"open { and {a", []string{"a", "1"}, "open { and {a"},
		{"no placeholders", []string{"a", "1"}, "no placeholders"},
		{"", []string{"a", "1"}, ""},
		{"{a}", []string{"a", ""}, ""},
	} {
		pairs := make([]string, 0, len(tc.kv))
		for i := 0; i+1 < len(tc.kv); i += 2 {
			pairs = append(pairs, "{"+tc.kv[i]+"}", tc.kv[i+1])
		}
		if got, old := fill(tc.s, tc.kv), strings.NewReplacer(pairs...).Replace(tc.s); got != tc.want || got != old {
			t.Errorf("fill(%q, %q) = %q, want %q (NewReplacer: %q)", tc.s, tc.kv, got, tc.want, old)
		}
	}
}
