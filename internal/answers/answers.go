// Package answers finds the FAQ entries that answer a free-text question, in Finnish, Swedish or English or a mix
// of them, as people type: inflected, compounded, misspelt, without punctuation or the Nordic letters.
//
// Every entry is indexed in all three languages at once (question, keywords and answer, weighted in that order),
// each language's text stemmed with its own Snowball stemmer. A question's words are stemmed with all three; each
// word counts once, with the best of its readings (the language whose stem it matches best), so a Swedish question
// with a Finnish service name still finds its entry. A word the index does not know is read as the known stems it
// is closest to: a shared beginning (Finnish consonant gradation: valtuus, valtuuden, valtuuksia), one or two typing
// errors, or the parts of a compound (kesä + työntekijä) or two words written as one. Scores are BM25 over the
// weighted fields. Search returns the best entries with how much of the question they cover, so the caller can tell
// an answer from a guess.
package answers

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Field weights: a question's own words say most about it, the keywords (other words for the same thing) next,
// the answer least.
const (
	weightQuestion = 3.0
	weightKeywords = 2.0
	weightAnswer   = 1.0
)

// BM25 parameters.
const (
	k1 = 1.2
	b  = 0.75
)

// MinCoverage is the share of a question's weight (its words by rarity) that the best entry must match for the
// answer to count as one: below it, the entries found are guesses and the question goes to a person.
const MinCoverage = 0.55

// Hit is an entry found for a question.
type Hit struct {
	Entry domain.FAQEntry
	Score float64
	// Coverage is the share of the question (its words weighted by rarity) the entry matches, 0..1.
	Coverage float64
}

// Index is a searchable set of FAQ entries. It is immutable once built and safe for concurrent use.
type Index struct {
	entries []domain.FAQEntry
	langs   map[domain.Lang]*field
}

// field is the index of one language: each entry's weighted term frequencies and the language's vocabulary.
type field struct {
	tf     []map[string]float64 // per entry
	length []float64
	avg    float64
	df     map[string]int
	vocab  []string // sorted
}

// New indexes entries.
func New(entries []domain.FAQEntry) *Index {
	ix := &Index{entries: slices.Clone(entries), langs: map[domain.Lang]*field{}}
	for _, l := range domain.Langs {
		f := &field{df: map[string]int{}}
		total := 0.0
		for _, e := range ix.entries {
			tf := map[string]float64{}
			add := func(text string, w float64) {
				for _, word := range words(text) {
					if !isStop(word) {
						tf[stem(l, word)] += w
					}
				}
			}
			add(e.Question.Exact(l), weightQuestion)
			add(e.Keywords.Exact(l), weightKeywords)
			add(e.Answer.Exact(l), weightAnswer)
			n := 0.0
			for t, v := range tf {
				f.df[t]++
				n += v
			}
			f.tf = append(f.tf, tf)
			f.length = append(f.length, n)
			total += n
		}
		if len(ix.entries) > 0 {
			f.avg = total / float64(len(ix.entries))
		}
		for t := range f.df {
			f.vocab = append(f.vocab, t)
		}
		sort.Strings(f.vocab)
		ix.langs[l] = f
	}
	return ix
}

// Len is the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// reading is one way to read a question's word: a term of a language's vocabulary, and how sure the reading is.
type reading struct {
	lang   domain.Lang
	term   string
	weight float64
}

// token is a word of the question with its readings.
type token []reading

// Search returns up to n entries for the question, best first. Entries that match nothing are left out.
func (ix *Index) Search(question string, n int) []Hit {
	toks := ix.tokens(question)
	if len(toks) == 0 || len(ix.entries) == 0 {
		return nil
	}
	// What each word weighs in the question: the idf of its rarest sure reading; a word read only as something
	// near, or not at all, weighs like the rarest word, so a guess covers only part of it.
	maxIDF := ix.idf(0)
	want := make([]float64, len(toks))
	total := 0.0
	for i, tok := range toks {
		want[i] = 0
		for _, r := range tok {
			if r.weight >= 0.8 {
				want[i] = math.Max(want[i], ix.idf(ix.langs[r.lang].df[r.term]))
			}
		}
		if want[i] == 0 {
			want[i] = maxIDF
		}
		total += want[i]
	}
	var hits []Hit
	for d := range ix.entries {
		score, covered := 0.0, 0.0
		for i, tok := range toks {
			best, cover := 0.0, 0.0
			for _, r := range tok {
				if s := r.weight * ix.bm25(r.lang, r.term, d); s > 0 {
					best = math.Max(best, s)
					cover = math.Max(cover, math.Min(want[i], r.weight*ix.idf(ix.langs[r.lang].df[r.term])))
				}
			}
			score += best
			covered += cover
		}
		if score > 0 {
			hits = append(hits, Hit{Entry: ix.entries[d], Score: score, Coverage: covered / total})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits
}

// Answered reports whether the best of hits answers the question rather than guesses.
func Answered(hits []Hit) bool { return len(hits) > 0 && hits[0].Coverage >= MinCoverage }

func (ix *Index) idf(df int) float64 {
	n := float64(len(ix.entries))
	return math.Log(1 + (n-float64(df)+0.5)/(float64(df)+0.5))
}

func (ix *Index) bm25(l domain.Lang, term string, d int) float64 {
	f := ix.langs[l]
	tf := f.tf[d][term]
	if tf == 0 {
		return 0
	}
	norm := tf * (k1 + 1) / (tf + k1*(1-b+b*f.length[d]/f.avg))
	return ix.idf(f.df[term]) * norm
}

// tokens reads the question's words. Two neighbouring words are also read as one (people split compounds:
// "kesä työntekijä"), and a word no language knows as the parts of a compound.
func (ix *Index) tokens(question string) []token {
	var ws []string
	for _, w := range words(question) {
		if !isStop(w) {
			ws = append(ws, w)
		}
	}
	var out []token
	for i, w := range ws {
		tok := ix.read(w)
		if i+1 < len(ws) {
			for _, r := range ix.exact(w + ws[i+1]) {
				r.weight *= 0.9
				tok = append(tok, r)
			}
		}
		if len(tok) == 0 {
			if parts := ix.split(w); len(parts) > 0 {
				out = append(out, parts...)
				continue
			}
		}
		out = append(out, tok)
	}
	return out
}

// exact reads a word as the stems each language's vocabulary has.
func (ix *Index) exact(w string) token {
	var tok token
	for _, l := range domain.Langs {
		s := stem(l, w)
		if ix.langs[l].df[s] > 0 {
			tok = append(tok, reading{lang: l, term: s, weight: 1})
		}
	}
	return tok
}

// read reads a word: as known stems, or else as the known stems it comes closest to.
func (ix *Index) read(w string) token {
	if tok := ix.exact(w); len(tok) > 0 {
		return tok
	}
	var tok token
	for _, l := range domain.Langs {
		tok = append(tok, ix.near(l, stem(l, w))...)
	}
	return tok
}

// maxNear is how many near stems a word is read as, at most, per language.
const maxNear = 3

// near lists the vocabulary's stems close to s: sharing a long beginning (inflection the stemmer missed, consonant
// gradation) or within typing distance (one edit for words of four letters or more, two from eight).
func (ix *Index) near(l domain.Lang, s string) token {
	rs := []rune(s)
	if len(rs) < 4 {
		return nil
	}
	var cands token
	for _, v := range ix.langs[l].vocab {
		rv := []rune(v)
		w := 0.0
		if p := commonPrefix(rs, rv); p >= 5 && float64(p) >= 0.75*float64(min(len(rs), len(rv))) {
			w = 0.6 + 0.3*float64(p)/float64(max(len(rs), len(rv)))
		}
		if abs(len(rs)-len(rv)) <= 2 {
			switch d := distance(rs, rv); {
			case d == 1:
				w = math.Max(w, 0.8)
			case d == 2 && len(rs) >= 8:
				w = math.Max(w, 0.6)
			}
		}
		if w > 0 {
			cands = append(cands, reading{lang: l, term: v, weight: w})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].weight > cands[j].weight })
	if len(cands) > maxNear {
		cands = cands[:maxNear]
	}
	return cands
}

// split reads an unknown word as a compound of two known parts, each a token of its own: "sommarjobbare" as
// sommar + jobbare when both are known (a Swedish linking s may join them: "inkomsts|register").
func (ix *Index) split(w string) []token {
	rs := []rune(w)
	if len(rs) < 7 {
		return nil
	}
	for i := len(rs) - 3; i >= 3; i-- {
		left, right := string(rs[:i]), string(rs[i:])
		lt := ix.exact(left)
		if len(lt) == 0 && strings.HasSuffix(left, "s") {
			lt = ix.exact(strings.TrimSuffix(left, "s"))
		}
		if len(lt) == 0 {
			continue
		}
		rt := ix.read(right)
		if len(rt) == 0 {
			continue
		}
		for i := range lt {
			lt[i].weight *= 0.8
		}
		for i := range rt {
			rt[i].weight *= 0.8
		}
		return []token{lt, rt}
	}
	return nil
}

func commonPrefix(a, b []rune) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// distance is the optimal string alignment distance: insertions, deletions, substitutions and transpositions of
// neighbours each cost one.
func distance(a, b []rune) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
