// Package hetu recognises Finnish personal identity codes (henkilötunnus) in free text so the bot can refuse them.
//
// The bot never needs a personal identity code: granting uses the HR system or the employee's own mandate request
// in Suomi.fi. When someone types one into the chat anyway, the message must be neither stored nor logged, and the
// person is told why. Only checksum-valid codes with a real date count, so ordinary numbers do not trigger it.
//
// A code is DDMMYY, a century sign, a three-digit individual number and a check character. The century signs are
// those of the 2023 reform: + for the 1800s, - Y X W V U for the 1900s and A B C D E F for the 2000s. Letters may be
// lowercase. A code must stand alone, so that ordinary long numbers and identifiers do not trigger it: the
// character written before and after it (if any, and not counting the invisible characters dropped below) is not an
// ASCII letter or digit.
//
// Text pasted from Word, Outlook or a phone rarely holds the plain ASCII a person meant, so the text is normalised
// before matching, the way a reader sees it:
//
//   - Unicode NFKC, which turns full-width and other compatibility forms of digits, letters and + into ASCII;
//   - every dash and hyphen variant (the Unicode Dash property: en and em dash, non-breaking hyphen U+2011, minus
//     sign U+2212, small and full-width hyphen-minus, Armenian, Mongolian and two- and three-em dashes, …, and the
//     hyphen bullet U+2043 and modifier minus U+02D7) counts as '-';
//   - invisible formatting characters are dropped: category Cf (zero-width space, non-joiner and joiner U+200B–U+200D,
//     direction marks, word joiner U+2060, byte order mark U+FEFF, soft hyphen U+00AD, …), variation selectors and
//     the other default-ignorable code points such as the combining grapheme joiner U+034F.
//
// Every candidate in the text is checked, so an invalid code does not hide a valid one after it. Matching is a single
// linear pass without regular expressions; text that is already NFKC (the usual case) is scanned without allocating.
package hetu

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// codeLen is the length of a normalised code: DDMMYY, century sign, individual number ZZZ, check character.
const codeLen = 11

// marker replaces each code in Redact's output.
const marker = "***"

const checkChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"

// Valid reports whether s, normalised as described in the package comment, is exactly one checksum-valid personal
// identity code with a real date of birth. Surrounding text, even a space, makes it false.
func Valid(s string) bool {
	if len(s) == codeLen && isASCII(s) {
		return validCode(s)
	}
	sc := scanner{mode: modeValid}
	sc.run(s)
	return sc.found && sc.n == codeLen
}

// Contains reports whether text holds a checksum-valid personal identity code anywhere, after normalisation.
func Contains(text string) bool {
	if !mayHoldCode(text) {
		return false
	}
	sc := scanner{mode: modeContains}
	sc.run(text)
	return sc.found
}

// Redact returns text with every personal identity code that Contains would find replaced by "***", for logs and
// error messages. The replaced stretch is the code as written, including any invisible characters inside it; all
// other text is kept byte for byte. Text without a code is returned unchanged (the same string, no allocation).
// Redact(text) never Contains a code.
func Redact(text string) string {
	for mayHoldCode(text) {
		sc := scanner{mode: modeRedact}
		sc.run(text)
		if len(sc.spans) == 0 {
			break
		}
		var b strings.Builder
		b.Grow(len(text))
		prev := 0
		for _, sp := range sc.spans {
			b.WriteString(text[prev:sp.start])
			b.WriteString(marker)
			prev = sp.end
		}
		b.WriteString(text[prev:])
		// Replacing a code can make a neighbouring near-code stand alone: in １３１０５２－３０８Ｔ131052-308T the
		// full-width code is glued to the ASCII 1 after it, which is itself the start of a code. Scan again until
		// nothing is found; every round removes digits, so this ends.
		text = b.String()
	}
	return text
}

// mayHoldCode is the fast path: plain ASCII text needs at least nine digits to hold a code. Text with other
// characters may hold full-width or other digits and goes through normalisation.
func mayHoldCode(s string) bool {
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if c >= '0' && c <= '9' {
			digits++
		}
	}
	return digits >= 9
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

type mode uint8

const (
	modeContains mode = iota // stop at the first code
	modeRedact               // record the span of every code
	modeValid                // stop after codeLen+1 normalised bytes
)

// span is a half-open byte range of the original text.
type span struct{ start, end int }

// scanner feeds the normalised text, one ASCII byte per normalised character, through a window of the last 16 bytes
// and checks each place a code could end. Each byte remembers the original span of the character it came from.
type scanner struct {
	mode  mode
	found bool
	done  bool
	n     int // normalised bytes in the window so far
	// nonDigits counts the non-digits at the end of the window, up to 2.
	nonDigits int
	ring      [16]byte
	glue      [16]bool // the byte is an ASCII letter or digit as written (perhaps followed by combining marks)
	from      [16]span
	spans     []span
}

// run normalises s and pushes it through the window. Text that NFKC leaves as it is (the quick check says so for
// nearly all real messages) is decoded rune by rune; only the stretches NFKC changes go through norm.Iter.
func (sc *scanner) run(s string) {
	var it *norm.Iter
	for pos := 0; pos < len(s) && !sc.done; {
		n := pos + norm.NFKC.QuickSpanString(s[pos:])
		for pos < n && !sc.done {
			c := s[pos]
			if sc.nonDigits >= 2 && !isDigit(c) {
				// Only the last of a run of non-digits can matter (see push), so jump to the next digit. Runes
				// NFKC leaves alone never become digits, so only ASCII digits end the run.
				d := pos + 1
				for d < n && !isDigit(s[d]) {
					d++
				}
				sc.pushLast(s, pos, d)
				pos = d
				continue
			}
			if c < utf8.RuneSelf {
				sc.push(c, isAlnum(c), span{pos, pos + 1})
				pos++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[pos:])
			if c, ok := classify(r); ok {
				sc.push(c, false, span{pos, pos + size})
			}
			pos += size
		}
		if pos >= len(s) || sc.done {
			break
		}
		// s[pos] starts a stretch NFKC changes. Every ASCII character is a normalisation boundary (nothing composes
		// with it and it is a starter), so the stretch ends at the next ASCII byte after pos.
		end := pos + 1
		for end < len(s) && s[end] >= utf8.RuneSelf {
			end++
		}
		if it == nil {
			it = iterPool.Get().(*norm.Iter)
		}
		chunk := s[pos:end]
		it.InitString(norm.NFKC, chunk)
		for !it.Done() && !sc.done {
			a := it.Pos()
			seg := it.Next()
			b := it.Pos()
			if b == a {
				// A decomposition that spans several segments (½ is 1, ⁄, 2) returns its first parts without
				// advancing; they all come from the one character at a.
				_, size := utf8.DecodeRuneInString(chunk[a:])
				b = a + size
			}
			for k := 0; len(seg) > 0 && !sc.done; k++ {
				r, size := utf8.DecodeRune(seg)
				seg = seg[size:]
				if c, ok := classify(r); ok {
					// The segment starts with the ASCII character as written, perhaps followed by combining marks.
					glue := k == 0 && isAlnum(c) && chunk[a] == c
					sc.push(c, glue, span{pos + a, pos + b})
				}
			}
		}
		pos = end
	}
	if it != nil {
		*it = norm.Iter{} // keep no piece of the message in the pool
		iterPool.Put(it)
	}
	if !sc.done {
		sc.check()
	}
}

// pushLast pushes the last rune of s[start:end] that is not dropped, all of them NFKC-stable runes that are not
// digits. The others would only overwrite each other in push.
func (sc *scanner) pushLast(s string, start, end int) {
	for end > start {
		r, size := utf8.DecodeLastRuneInString(s[start:end])
		if c, ok := classify(r); ok {
			sc.push(c, size == 1 && isAlnum(c), span{end - size, end})
			return
		}
		end -= size
	}
}

var iterPool = sync.Pool{New: func() any { return new(norm.Iter) }}

// classify maps one NFKC-normalised rune to the byte the matcher sees: ASCII as is, any dash as '-', and everything
// else as a space (a separator). ok is false for invisible formatting characters, which are dropped.
func classify(r rune) (c byte, ok bool) {
	switch {
	case r < utf8.RuneSelf:
		return byte(r), true
	case unicode.Is(unicode.Dash, r) || r == '\u2043' || r == '\u02D7':
		return '-', true
	case ignorable(r):
		return 0, false
	default:
		return ' ', true
	}
}

// ignorable reports whether r is an invisible formatting character: category Cf (zero-width characters, direction
// marks, soft hyphen, byte order mark, …), a variation selector or another default-ignorable code point.
func ignorable(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// push adds one normalised byte. Unless it glues to what precedes it (see scanner.glue), the preceding codeLen bytes
// may be a code, so they are checked.
//
// A code has no two non-digits in a row, so after two non-digits (and the check that the second one triggers for a
// code ending at the first) only the last non-digit matters, as the byte before a code that may follow: further
// non-digits overwrite it instead of filling the window.
func (sc *scanner) push(c byte, glue bool, from span) {
	digit := isDigit(c)
	if !digit && sc.nonDigits >= 2 {
		i := (sc.n - 1) & 15
		sc.ring[i] = c
		sc.glue[i] = glue
		sc.from[i] = from
		return
	}
	if digit {
		sc.nonDigits = 0
	} else {
		sc.nonDigits++
	}
	if !glue {
		sc.check()
		if sc.done {
			return
		}
	}
	i := sc.n & 15
	sc.ring[i] = c
	sc.glue[i] = glue
	sc.from[i] = from
	sc.n++
	if sc.mode == modeValid && sc.n > codeLen {
		sc.done = true
	}
}

// check looks at the last codeLen bytes pushed, which are followed by a byte that does not glue to them or by the end
// of the text. A letter or digit that NFKC made out of something else (full-width ｘ, superscript ¹, the 1 of ½) does
// not glue, just as it did not before normalisation was added.
func (sc *scanner) check() {
	n := sc.n
	if n < codeLen || !isAlnum(sc.ring[(n-1)&15]) || !isAlnum(sc.ring[(n-codeLen)&15]) {
		return
	}
	if n > codeLen && sc.glue[(n-codeLen-1)&15] {
		return
	}
	var code [codeLen]byte
	for k := range code {
		code[k] = sc.ring[(n-codeLen+k)&15]
	}
	if !validCode(code[:]) {
		return
	}
	sc.found = true
	switch sc.mode {
	case modeContains:
		sc.done = true
	case modeRedact:
		sp := span{sc.from[(n-codeLen)&15].start, sc.from[(n-1)&15].end}
		if k := len(sc.spans) - 1; k >= 0 && sp.start < sc.spans[k].end {
			// Codes can overlap when full-width digits run on, and two codes can take parts of the same original
			// character (½ gives 1⁄2): redact the union.
			sc.spans[k].end = max(sc.spans[k].end, sp.end)
		} else {
			sc.spans = append(sc.spans, sp)
		}
	}
}

// validCode reports whether s (exactly codeLen normalised bytes) is a checksum-valid code with a real date.
func validCode[T string | []byte](s T) bool {
	if len(s) != codeLen {
		return false
	}
	for i := 0; i < codeLen-1; i++ {
		if i != 6 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	var century int
	switch upper(s[6]) {
	case '+':
		century = 1800
	case '-', 'Y', 'X', 'W', 'V', 'U':
		century = 1900
	case 'A', 'B', 'C', 'D', 'E', 'F':
		century = 2000
	default:
		return false
	}
	day := num(s[0], s[1])
	month := num(s[2], s[3])
	year := century + num(s[4], s[5])
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return false
	}
	n := (day*10000+month*100+num(s[4], s[5]))*1000 + num(s[7], s[8])*10 + int(s[9]-'0')
	return checkChars[n%31] == upper(s[10])
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func num(tens, ones byte) int { return int(tens-'0')*10 + int(ones-'0') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
