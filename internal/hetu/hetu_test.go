package hetu

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// Codes from DVV's public examples and computed ones; none belongs to a real person (the individual numbers 900–999
// are reserved for temporary and test codes).
func TestValid(t *testing.T) {
	valid := []string{"131052-308T", "010101A900R", "311299-999E", "290200A902D", "010594Y9032", "020517U900R",
		"131052–308T", "１３１０５２－３０８Ｔ", "131052-30\u200b8t", "010594+9032"}
	for _, s := range valid {
		if !Valid(s) {
			t.Errorf("%q should be valid", s)
		}
	}
	invalid := []string{"131052-308U", "310252-308T", "290201A902N", "131052*308T", "131052-30XT", "", "131052-308",
		"131052-308TT", "1310520308T", " 131052-308T", "131052-308T.", "290200-902D", "310225-9003", "131052G308T",
		"001052-308T", "131352-308T", "１３１０５２－３０８Ｔ１"}
	for _, s := range invalid {
		if Valid(s) {
			t.Errorf("%q should be invalid", s)
		}
	}
}

func TestContains(t *testing.T) {
	yes := []string{"hetuni on 131052-308T", "131052-308t", "(010101A900R)", "id: 311299-999E.", "nämä: 010594Y9032, 020517U900R"}
	for _, s := range yes {
		if !Contains(s) {
			t.Errorf("Contains(%q) = false", s)
		}
	}
	no := []string{"tilaus 131052-308U", "puhelin 040 1234567", "x131052-308T", "131052-308Tx", "Y-tunnus 1061512-1", "pvm 12.10.2026", ""}
	for _, s := range no {
		if Contains(s) {
			t.Errorf("Contains(%q) = true", s)
		}
	}
}

// TestContainsForms covers each way Word, Outlook, phones and people write a code that the plain ASCII form misses.
func TestContainsForms(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"ASCII hyphen-minus", "hetu 131052-308T", true},
		{"hyphen U+2010", "hetu 131052\u2010308T", true},
		{"non-breaking hyphen U+2011", "hetu 131052\u2011308T", true},
		{"figure dash U+2012", "hetu 131052\u2012308T", true},
		{"en dash U+2013", "hetu 131052–308T", true},
		{"em dash U+2014", "hetu 131052—308T", true},
		{"horizontal bar U+2015", "hetu 131052\u2015308T", true},
		{"minus sign U+2212", "hetu 131052\u2212308T", true},
		{"small em dash U+FE58", "hetu 131052\uFE58308T", true},
		{"small hyphen-minus U+FE63", "hetu 131052\uFE63308T", true},
		{"full-width hyphen-minus U+FF0D", "hetu 131052\uFF0D308T", true},
		{"hyphen bullet U+2043", "hetu 131052\u2043308T", true},
		{"Armenian hyphen U+058A", "hetu 131052\u058A308T", true},
		{"Mongolian todo soft hyphen U+1806", "hetu 131052\u1806308T", true},
		{"two-em dash U+2E3A", "hetu 131052\u2E3A308T", true},
		{"three-em dash U+2E3B", "hetu 131052\u2E3B308T", true},
		{"full-width digits", "hetu １３１０５２-３０８T", true},
		{"full-width everything", "hetu １３１０５２－３０８Ｔ", true},
		{"full-width lowercase check", "hetu １３１０５２－３０８ｔ", true},
		{"mathematical bold digits", "hetu 𝟏𝟑𝟏𝟎𝟓𝟐-𝟑𝟎𝟖T", true},
		{"zero-width space inside", "hetu 1310\u200b52-308T", true},
		{"zero-width joiner inside", "hetu 131052-\u200d308T", true},
		{"zero-width non-joiner inside", "hetu 131052-308\u200cT", true},
		{"word joiner inside", "hetu 13\u20601052-308T", true},
		{"byte order mark inside", "hetu 131052\uFEFF-308T", true},
		{"left-to-right mark inside", "hetu 131052-\u200e308T", true},
		{"soft hyphen inside", "hetu 131\u00ad052-308T", true},
		{"soft hyphen next to the dash", "hetu 131052\u00ad-308T", true},
		{"variation selector inside", "hetu 1310\uFE0F52-308T", true},
		{"several invisibles at once", "\u200b1\u200b3\u200c1\u200d0\u20605\uFEFF2\u00ad-\u200e3\u200f08T\u200b", true},
		{"after an invalid checksum", "131052-308U ja 010594Y9032", true},
		{"after an impossible date", "310225-9003 ja sitten 131052-308T", true},
		{"after a glued code", "x131052-308T 131052-308T", true},
		{"after many candidates", strings.Repeat("131052-308U ", 50) + "131052-308T", true},
		{"lowercase check character", "hetu 131052-308t", true},
		{"lowercase century letter", "hetu 010594y9032", true},
		{"lowercase 2000s letter", "hetu 010101a900r", true},
		{"century + (1800s)", "010594+9032", true},
		{"full-width + (1800s)", "010594＋9032", true},
		{"century - (1900s)", "010594-9032", true},
		{"century Y (1900s)", "010594Y9032", true},
		{"century X (1900s)", "010594X9032", true},
		{"century W (1900s)", "010594W9032", true},
		{"century V (1900s)", "010594V9032", true},
		{"century U (1900s)", "010594U9032", true},
		{"century A (2000s)", "010594A9032", true},
		{"century B (2000s)", "010594B9032", true},
		{"century C (2000s)", "010594C9032", true},
		{"century D (2000s)", "010594D9032", true},
		{"century E (2000s)", "010594E9032", true},
		{"century F (2000s)", "010594F9032", true},
		{"leap day 2000", "290200A902D", true},
		{"no-break spaces around", "hetu:\u00a0131052-308T\u00a0kiitos", true},
		{"next to non-ASCII letters", "ä131052-308Tö", true},
		{"superscript footnote mark", "131052-308T¹", true},
		{"glued after full-width code", "１３１０５２－３０８Ｔ131052-308T", true},

		{"wrong checksum", "hetu 131052–308U", false},
		{"impossible date 310225", "hetu 310225-9003", false},
		{"no leap day 1900", "290200-902D", false},
		{"no leap day 1800", "290200+902D", false},
		{"month 13", "hetu 011352-9001", false},
		{"day 0", "hetu 001052-308T", false},
		{"unknown century sign G", "131052G308T", false},
		{"lowercase unknown century sign", "131052g308t", false},
		{"century sign is a space", "131052 308T", false},
		{"century sign dropped as soft hyphen", "131052\u00ad308T", false},
		{"glued before", "x131052–308T", false},
		{"glued after", "１３１０５２－３０８Ｔx", false},
		{"glued across a zero-width space", "x\u200b131052-308T", false},
		{"seven digits", "1131052-308T", false},
		{"only digits", "puhelin +358 40 123 4567, tilaus 1310523089", false},
		{"no digits", strings.Repeat("hyvää päivää ", 40), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Contains(tt.text); got != tt.want {
				t.Errorf("Contains(%q) = %v, want %v", tt.text, got, tt.want)
			}
			red := Redact(tt.text)
			if Contains(red) {
				t.Errorf("Redact(%q) = %q still contains a code", tt.text, red)
			}
			if tt.want != (red != tt.text) {
				t.Errorf("Redact(%q) = %q", tt.text, red)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"ei tunnusta 040 1234567", "ei tunnusta 040 1234567"},
		{"hetu 131052-308T, kiitos", "hetu ***, kiitos"},
		{"131052-308T", "***"},
		{"a 131052–308T b 010101A900R c", "a *** b *** c"},
		{"väärä 131052-308U, oikea 010594Y9032.", "väärä 131052-308U, oikea ***."},
		{"hetu 13\u200b1052\u2011308t!", "hetu ***!"},
		{"hetu １３１０５２－３０８Ｔ.", "hetu ***."},
		{"\u200b131052-308T\u200b", "\u200b***\u200b"},
		{"131052-308T-010101A900R", "***-***"},
		{"１３１０５２－３０８Ｔ131052-308T", "******"},
		{"131052-308T½31052-3088", "******"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	msg := benchmarkMessage()
	for name, s := range map[string]string{
		"no digits":  strings.Repeat("hyvää päivää ", 40),
		"ASCII":      strings.Repeat("order 1234 on 12.10.2026 ", 20),
		"Finnish":    msg,
		"with code":  msg + " 131052-308T",
		"full-width": "puhelin ０４０ １２３ ４５６７",
	} {
		if n := testing.AllocsPerRun(100, func() { Contains(s) }); n != 0 {
			t.Errorf("Contains(%s) allocates %v times", name, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Redact(msg) }); n != 0 {
		t.Errorf("Redact without a code allocates %v times", n)
	}
}

// centurySigns lists the valid century signs per century.
var centurySigns = map[int][]string{1800: {"+"}, 1900: {"-", "Y", "X", "W", "V", "U"}, 2000: {"A", "B", "C", "D", "E", "F"}}

// checkChar computes the check character of the nine digits DDMMYYZZZ, independently of the package.
func checkChar(ddmmyy string, individual int) byte {
	var n int
	if _, err := fmt.Sscanf(fmt.Sprintf("%s%03d", ddmmyy, individual), "%d", &n); err != nil {
		panic(err)
	}
	return "0123456789ABCDEFHJKLMNPRSTUVWXY"[n%31]
}

func daysInMonth(year, month int) int {
	return [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1] + boolInt(month == 2 && isLeap(year))
}

func isLeap(year int) bool { return year%4 == 0 && (year%100 != 0 || year%400 == 0) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// randomCode returns a valid code in plain ASCII: a real date in 1800–2099, an individual number 002–899, a random
// century sign of the century and the right check character.
func randomCode(rng *rand.Rand) string {
	year := 1800 + rng.IntN(300)
	month := 1 + rng.IntN(12)
	day := 1 + rng.IntN(daysInMonth(year, month))
	signs := centurySigns[year/100*100]
	ddmmyy := fmt.Sprintf("%02d%02d%02d", day, month, year%100)
	individual := 2 + rng.IntN(898)
	return fmt.Sprintf("%s%s%03d%c", ddmmyy, signs[rng.IntN(len(signs))], individual, checkChar(ddmmyy, individual))
}

// nearMiss returns an ASCII string that looks like a code but is not one: a wrong check character, an impossible
// date with the right check character for its digits, an unknown century sign, or a valid code glued to a letter or
// digit. Only code is to be rendered; glue is the letter or digit in plain ASCII that goes before or after it.
func nearMiss(rng *rand.Rand) (glueBefore, code, glueAfter string) {
	code = nearMissCode(rng)
	switch code[0] {
	case '<':
		return code[1:2], code[2:], ""
	case '>':
		return "", code[1 : len(code)-1], code[len(code)-1:]
	}
	return "", code, ""
}

func nearMissCode(rng *rand.Rand) string {
	code := randomCode(rng)
	switch rng.IntN(5) {
	case 0: // wrong check character
		right := code[10]
		wrong := right
		for wrong == right {
			wrong = "0123456789ABCDEFHJKLMNPRSTUVWXY"[rng.IntN(31)]
		}
		return code[:10] + string(wrong)
	case 1: // impossible date
		year := 1800 + rng.IntN(300)
		month := 1 + rng.IntN(12)
		var day int
		switch rng.IntN(5) {
		case 0:
			day = 0
		case 1:
			month = 0
			day = 1 + rng.IntN(31)
		case 2:
			month = 13 + rng.IntN(87)
			day = 1 + rng.IntN(31)
		case 3:
			day = daysInMonth(year, month) + 1 + rng.IntN(99-daysInMonth(year, month))
		default:
			month = 2
			for isLeap(year) {
				year = 1800 + rng.IntN(300)
			}
			day = 29
		}
		ddmmyy := fmt.Sprintf("%02d%02d%02d", day, month, year%100)
		individual := 2 + rng.IntN(898)
		signs := centurySigns[year/100*100]
		return fmt.Sprintf("%s%s%03d%c", ddmmyy, signs[rng.IntN(len(signs))], individual, checkChar(ddmmyy, individual))
	case 2: // unknown century sign
		bad := []string{"G", "g", "Z", "H", "*", "/", ".", "_", "#", " ", "="}
		return code[:6] + bad[rng.IntN(len(bad))] + code[7:]
	case 3: // glued before, marked for nearMiss with a leading <
		return "<" + string("xYk7Q0"[rng.IntN(6)]) + code
	default: // glued after, marked for nearMiss with a leading >
		return ">" + code + string("xYk7Q0"[rng.IntN(6)])
	}
}

var (
	dashes     = []string{"-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\uFE58", "\uFE63", "\uFF0D", "\u2043", "\u058A", "\u1806", "\u2E3A", "\u2E3B"}
	pluses     = []string{"+", "\uFF0B", "\uFE62", "\u207A"}
	invisibles = []string{"\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\uFEFF", "\u00ad", "\uFE0F"}
	words      = []string{"hei", "moi", "kiitos", "hyvää", "päivää", "henkilötunnus", "valtuutus", "työntekijä",
		"Åbo", "Öljy", "ÄÄNI", "hej", "tack", "här", "är", "mitt", "nummer", "personbeteckning", "på", "svenska",
		"Y-tunnus", "puh.", "klo", "pvm", "ok", "xyz", "ID", "2026", "12.10.", "040", "123", "4567", "€", "🙂",
		"１２３", "ｈｅｉ", "(", ")", ",", ".", "!", "?", ":", ";", "-", "–", "+", "/", "\"", "«", "»", "*", "#", "@"}
	separators = []string{" ", "  ", "\n", "\t", "\u00a0", ", ", ": ", " (", ") ", " – ", " \"", "\" ", "; ", "! ", ". "}
)

// render writes an ASCII code the way it may arrive: dash variants, full-width characters, invisible characters
// between its characters and lowercase letters, each chosen at random.
func render(rng *rand.Rand, code string) string {
	if rng.IntN(8) == 0 {
		return code
	}
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		if i > 0 && rng.IntN(5) == 0 {
			b.WriteString(invisibles[rng.IntN(len(invisibles))])
		}
		c := code[i]
		switch {
		case c == '-':
			b.WriteString(dashes[rng.IntN(len(dashes))])
		case c == '+':
			b.WriteString(pluses[rng.IntN(len(pluses))])
		case c >= 'A' && c <= 'Z':
			if rng.IntN(2) == 0 {
				c += 'a' - 'A'
			}
			if rng.IntN(4) == 0 {
				b.WriteRune(rune(c) - '!' + '\uFF01')
			} else {
				b.WriteByte(c)
			}
		case c >= '0' && c <= '9':
			switch rng.IntN(8) {
			case 0:
				b.WriteRune(rune(c) - '0' + '\uFF10') // full-width
			case 1:
				b.WriteRune(rune(c) - '0' + '\U0001D7CE') // mathematical bold
			default:
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// filler is random text of words, numbers and punctuation; it ends and starts with a separator so that whatever is
// put next to it stands alone. With withNearMisses it also holds codes that are not valid.
func filler(rng *rand.Rand, withNearMisses bool) string {
	var b strings.Builder
	b.WriteString(separators[rng.IntN(len(separators))])
	for n := rng.IntN(12); n > 0; n-- {
		switch k := rng.IntN(10); {
		case k == 0 && withNearMisses:
			before, code, after := nearMiss(rng)
			b.WriteString(before + render(rng, code) + after)
		case k == 1:
			fmt.Fprintf(&b, "%d", rng.IntN(100000)) // at most five digits, never a code
		case k == 2:
			b.WriteRune(rune('a' + rng.IntN(26)))
		default:
			b.WriteString(words[rng.IntN(len(words))])
		}
		b.WriteString(separators[rng.IntN(len(separators))])
	}
	return b.String()
}

func TestPropertyValidCodesAreFound(t *testing.T) {
	rng := rand.New(rand.NewPCG(2023, 1))
	for i := range 5000 {
		code := randomCode(rng)
		written := render(rng, code)
		prefix, suffix := filler(rng, true), filler(rng, true)
		text := prefix + written + suffix
		if !Valid(written) {
			t.Fatalf("#%d: Valid(%q) (from %s) = false", i, written, code)
		}
		if !Contains(text) {
			t.Fatalf("#%d: Contains(%q) (code %s) = false", i, text, code)
		}
		red := Redact(text)
		if Contains(red) {
			t.Fatalf("#%d: Redact(%q) = %q still contains a code", i, text, red)
		}
		if strings.Contains(red, written) {
			t.Fatalf("#%d: Redact(%q) = %q keeps %q", i, text, red, written)
		}
		if !Contains(prefix) && !Contains(suffix) {
			if want := prefix + "***" + suffix; red != want {
				t.Fatalf("#%d: Redact(%q) = %q, want %q", i, text, red, want)
			}
		}
	}
}

func TestPropertyNearMissesAreNotFound(t *testing.T) {
	rng := rand.New(rand.NewPCG(2023, 2))
	for i := range 5000 {
		before, code, after := nearMiss(rng)
		miss := before + render(rng, code) + after
		text := filler(rng, true) + miss + filler(rng, true)
		if Contains(text) {
			t.Fatalf("#%d: Contains(%q) (near miss %q) = true", i, text, miss)
		}
		if red := Redact(text); red != text {
			t.Fatalf("#%d: Redact(%q) = %q, want it unchanged", i, text, red)
		}
		if !utf8.ValidString(text) {
			t.Fatalf("#%d: generated invalid UTF-8 %q", i, text)
		}
	}
}

func FuzzContains(f *testing.F) {
	f.Add("131052-308T")
	f.Add("010101A900R ja 311299-999E")
	f.Add("hetu 13\u200b1052\u2011308t, ei 131052-308U")
	f.Add("１３１０５２－３０８Ｔ131052-308T")
	f.Add("131052-308T½31052-3088")
	f.Add("010594+9032 010594\u22129032 290200A902D")
	f.Fuzz(func(t *testing.T, s string) {
		found := Contains(s)
		red := Redact(s)
		if Contains(red) {
			t.Fatalf("Redact(%q) = %q still contains a code", s, red)
		}
		if found != (red != s) {
			t.Fatalf("Contains(%q) = %v but Redact gives %q", s, found, red)
		}
		if Valid(s) && !found {
			t.Fatalf("Valid(%q) but not Contains", s)
		}
	})
}

// benchmarkMessage is a 1 KB chat message in Finnish with numbers but no personal identity code.
func benchmarkMessage() string {
	const sentence = "Hei! Tarvitsisin valtuutuksen yrityksen 1234567-8 asioihin Suomi.fi-palvelussa 12.10.2026 klo 14.30 " +
		"mennessä; tilausnumero 20261012, puhelin 040 123 4567. Kiitos paljon avusta, ystävällisin terveisin Äijälä. "
	msg := strings.Repeat(sentence, 1024/len(sentence)+1)
	return msg[:strings.LastIndexByte(msg[:1024], ' ')]
}

func BenchmarkContains(b *testing.B) {
	msg := benchmarkMessage()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if Contains(msg) {
			b.Fatal("found a code")
		}
	}
}

func BenchmarkContainsFullWidth(b *testing.B) {
	msg := strings.Repeat("hetu １３１０５２－３０８Ｕ ", 1024/36)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if Contains(msg) {
			b.Fatal("found a code")
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	msg := benchmarkMessage() + " 131052-308T"
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		_ = Redact(msg)
	}
}
