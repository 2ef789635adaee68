package hetu

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// referenceStarts is the slow, obvious version of the scanner: normalise the whole text with one norm.Iter, then try
// every position. It returns where in the original text each code starts, leaving out codes that overlap the one
// before (Redact replaces them together).
func referenceStarts(s string) []int {
	var (
		bytes []byte
		glue  []bool
		from  []span
		it    norm.Iter
	)
	it.InitString(norm.NFKC, s)
	for !it.Done() {
		a := it.Pos()
		seg := it.Next()
		b := it.Pos()
		if b == a {
			_, size := utf8.DecodeRuneInString(s[a:])
			b = a + size
		}
		for k := 0; len(seg) > 0; k++ {
			r, size := utf8.DecodeRune(seg)
			seg = seg[size:]
			if c, ok := classify(r); ok {
				bytes = append(bytes, c)
				glue = append(glue, k == 0 && isAlnum(c) && s[a] == c)
				from = append(from, span{a, b})
			}
		}
	}
	var starts []int
	end := 0
	for i := 0; i+codeLen <= len(bytes); i++ {
		if i > 0 && glue[i-1] || i+codeLen < len(bytes) && glue[i+codeLen] {
			continue
		}
		if validCode(bytes[i : i+codeLen]) {
			if len(starts) == 0 || from[i].start >= end {
				starts = append(starts, from[i].start)
			}
			end = max(end, from[i+codeLen-1].end)
		}
	}
	return starts
}

// TestMatchesReference compares the scanner (quick-check path, chunks through norm.Iter, compressed runs of
// non-digits) with referenceStarts on random text made of pieces that stress normalisation.
func TestMatchesReference(t *testing.T) {
	pieces := []string{"0", "1", "2", "3", "5", "8", "9", "0", "1", "2", "4", "6", "7", "9", "１", "𝟐", "½", "¹", "①",
		"-", "–", "\u2011", "+", "＋", "A", "a", "Y", "u", "T", "Ｔ", "x", "ä", "a\u0308", "\u0301", "\u0337", "\u200b",
		"\u00ad", " ", " ", ".", "ﬁ", "Ⅻ", "™", "\xff", "\u0308", "ǟ", "\U0001D7CE"}
	rng := rand.New(rand.NewPCG(2023, 3))
	found := 0
	for i := range 20000 {
		var b strings.Builder
		for n := rng.IntN(40); n > 0; n-- {
			if rng.IntN(8) == 0 {
				b.WriteString(render(rng, randomCode(rng)))
			} else {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
		}
		s := b.String()
		want := referenceStarts(s)
		sc := scanner{mode: modeRedact}
		sc.run(s)
		var got []int
		for _, sp := range sc.spans {
			got = append(got, sp.start)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("#%d %q: scanner finds codes at %v, reference at %v", i, s, got, want)
		}
		if Contains(s) != (len(want) > 0) {
			t.Fatalf("#%d %q: Contains = %v, reference finds %v", i, s, !(len(want) > 0), want)
		}
		if len(want) > 0 {
			found++
		}
	}
	if found < 1000 {
		t.Errorf("only %d texts held a code; the generator is too weak", found)
	}
}
