package answers

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// labelled is one question of the retrieval test set.
type labelled struct {
	lang     domain.Lang
	entry    string
	question string
	line     int
}

func loadSet(t *testing.T) []labelled {
	t.Helper()
	f, err := os.Open("testdata/questions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 || !domain.Lang(cols[0]).Valid() {
			t.Fatalf("questions.tsv:%d: want language, entry id and question separated by tabs", n)
		}
		out = append(out, labelled{lang: domain.Lang(cols[0]), entry: cols[1], question: cols[2], line: n})
	}
	return out
}

func defaultIndex(t testing.TB) *Index {
	t.Helper()
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	return New(c.FAQ)
}

// The acceptance figure of issue 11: for at least 90 % of the test set's questions in each language the right
// entry is among the three answers shown. Run with -v to see the figures (docs/answers.md quotes them).
func TestRetrievalTopThree(t *testing.T) {
	ix := defaultIndex(t)
	set := loadSet(t)
	if len(set) < 150 {
		t.Fatalf("the test set has %d questions, want at least 150", len(set))
	}
	known := map[string]bool{}
	for _, e := range ix.entries {
		known[e.ID] = true
	}
	total, hit, first := map[domain.Lang]int{}, map[domain.Lang]int{}, map[domain.Lang]int{}
	for _, q := range set {
		if !known[q.entry] {
			t.Errorf("questions.tsv:%d: unknown entry %q", q.line, q.entry)
			continue
		}
		total[q.lang]++
		hits := ix.Search(q.question, 3)
		var got []string
		for i, h := range hits {
			got = append(got, fmt.Sprintf("%s %.1f/%.2f", h.Entry.ID, h.Score, h.Coverage))
			if h.Entry.ID == q.entry {
				hit[q.lang]++
				if i == 0 {
					first[q.lang]++
				}
			}
		}
		if !containsEntry(hits, q.entry) {
			t.Logf("miss (%s) %q: want %s, got %v", q.lang, q.question, q.entry, got)
		}
	}
	for _, l := range domain.Langs {
		share := float64(hit[l]) / float64(total[l])
		t.Logf("%s: %d questions, right answer in the top three for %d (%.1f %%), first for %d (%.1f %%)",
			l, total[l], hit[l], 100*share, first[l], 100*float64(first[l])/float64(total[l]))
		if total[l] < 50 {
			t.Errorf("%s: only %d questions", l, total[l])
		}
		if share < 0.9 {
			t.Errorf("%s: the right answer is in the top three for %.1f %% of the questions, want at least 90 %%", l, 100*share)
		}
	}
}

func containsEntry(hits []Hit, id string) bool {
	for _, h := range hits {
		if h.Entry.ID == id {
			return true
		}
	}
	return false
}

// Questions the FAQ does not answer are told apart from those it does, so they go to a person instead of getting
// a guess; and most of the test set's questions count as answered.
func TestAnsweredTellsAnswersFromGuesses(t *testing.T) {
	ix := defaultIndex(t)
	for _, q := range []string{
		"miten saan kaupungin auton avaimet",
		"missä on henkilökunnan ruokala",
		"var hittar jag parkeringstillstånd för personalen",
		"how do i book a meeting room",
		"tulostin ei toimi kolmannessa kerroksessa",
		"asdf qwerty",
	} {
		if hits := ix.Search(q, 3); Answered(hits) {
			t.Errorf("%q counts as answered by %s (%.2f)", q, hits[0].Entry.ID, hits[0].Coverage)
		}
	}
	answered, n := 0, 0
	for _, q := range loadSet(t) {
		n++
		if hits := ix.Search(q.question, 3); Answered(hits) && hits[0].Entry.ID == q.entry {
			answered++
		}
	}
	share := float64(answered) / float64(n)
	t.Logf("%d of %d questions (%.0f %%) are answered with the right entry first", answered, n, 100*share)
	if share < 0.75 {
		t.Error("too few answers count as answered")
	}
}

// The pieces: stems meet across inflection, a typo, a missing Nordic letter and a compound.
func TestReadings(t *testing.T) {
	ix := New([]domain.FAQEntry{
		{ID: "a", Question: domain.Text{FI: "Kesätyöntekijän valtuudet", SV: "Sommarjobbarens fullmakter", EN: "Summer worker's mandates"}},
		{ID: "b", Question: domain.Text{FI: "Pääkäyttäjät ja valtuutusoikeus", SV: "Huvudanvändare och fullmaktsrätt", EN: "Main users and the right to grant mandates"}},
	})
	for q, want := range map[string]string{
		"kesätyöntekijöille":     "a",
		"kesa tyontekija":        "a",
		"paakayttajat":           "b",
		"pääkäytäjät":            "b", // a letter missing
		"huvudanvändarna":        "b",
		"sommarjobbarna":         "a",
		"valtuutusoikeuden":      "b",
		"right to grant mandate": "b",
	} {
		hits := ix.Search(q, 1)
		if len(hits) == 0 || hits[0].Entry.ID != want {
			t.Errorf("%q: got %+v, want %s", q, hits, want)
		}
	}
	if d := distance([]rune("valtuus"), []rune("vlatuus")); d != 1 {
		t.Errorf("a transposition costs %d", d)
	}
}
