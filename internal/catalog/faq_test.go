package catalog

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// The shipped FAQ is real content: at least 40 entries, every one in all three languages, each link https.
func TestDefaultFAQ(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.FAQ) < 40 {
		t.Fatalf("%d FAQ entries, want at least 40", len(c.FAQ))
	}
	for _, e := range c.FAQ {
		for _, l := range domain.Langs {
			if e.Question.Exact(l) == "" || e.Answer.Exact(l) == "" {
				t.Errorf("%s: no %s question or answer", e.ID, l)
			}
		}
	}
	if _, ok := c.FAQEntry("valtuus-ei-nay"); !ok {
		t.Error("the entry on a mandate that does not show up is missing")
	}
}

// The FAQ speaks the glossary's language: no entry uses a variant glossary.json refuses (say "esimies" for
// esihenkilö or "fullmaktshavare" for fullmaktstagare), in the language it is written in.
func TestFAQFollowsGlossary(t *testing.T) {
	raw, err := os.ReadFile("../i18n/glossary.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Concepts []struct {
			ID         string
			FI, SV, EN struct{ Forbidden []string }
		} `json:"concepts"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.FAQ {
		for _, con := range g.Concepts {
			for l, forbidden := range map[domain.Lang][]string{domain.Finnish: con.FI.Forbidden, domain.Swedish: con.SV.Forbidden, domain.English: con.EN.Forbidden} {
				text := strings.ToLower(e.Question.Exact(l) + " " + e.Answer.Exact(l))
				for _, f := range forbidden {
					if strings.Contains(text, strings.ToLower(f)) {
						t.Errorf("%s (%s) uses %q, which the glossary refuses for %s", e.ID, l, f, con.ID)
					}
				}
			}
		}
	}
}

const baseFAQ = `entries:
  - id: first
    question: {fi: Kysymys, sv: Fråga, en: Question}
    answer: {fi: Vastaus, sv: Svar, en: Answer}
    links:
      - title: {fi: Sivu, sv: Sida, en: Page}
        url: https://www.suomi.fi/valtuudet
  - id: second
    question: {fi: Toinen, sv: Andra, en: Second}
    answer: {fi: Vastaus, sv: Svar, en: Answer}
`

func TestFAQIsOptionalAndLoads(t *testing.T) {
	c, err := Load(baseFS())
	if err != nil || len(c.FAQ) != 0 {
		t.Fatalf("without faq.yaml: %v, %d entries", err, len(c.FAQ))
	}
	fsys := baseFS()
	fsys["faq.yaml"] = &fstest.MapFile{Data: []byte(baseFAQ)}
	if c, err = Load(fsys); err != nil || len(c.FAQ) != 2 || c.FAQ[0].Links[0].URL != "https://www.suomi.fi/valtuudet" {
		t.Fatalf("with faq.yaml: %v %+v", err, c)
	}
}

func TestFAQProblems(t *testing.T) {
	for name, tc := range map[string]struct {
		old, new, file, want string
	}{
		"missing translation": {"answer: {fi: Vastaus, sv: Svar, en: Answer}\n    links", "answer: {fi: Vastaus, en: Answer}\n    links", "faq.yaml", "answer is missing in sv"},
		"plain http link":     {"https://www.suomi.fi", "http://www.suomi.fi", "faq.yaml", "must use https"},
		"duplicate id":        {"id: second", "id: first", "faq.yaml", "duplicate id"},
		"bad id":              {"id: second", "id: Second_Entry", "faq.yaml", "kebab-case"},
		"same question":       {"question: {fi: Toinen", "question: {fi: Kysymys", "faq.yaml", "also the question of entry"},
		"link without title":  {"title: {fi: Sivu, sv: Sida, en: Page}", "title: {fi: Sivu}", "faq.yaml", "title is missing in sv, en"},
		"unknown field":       {"    answer: {fi: Toinen", "    anwser: {fi: Toinen", "faq.yaml", "anwser"},
		"bad channel":         {"covered_themes:", "digituki:\n  channel_id: general\ncovered_themes:", "organisation.yaml", "not a Teams channel id"},
		"no channel":          {"covered_themes:", "digituki:\n  reminder_minutes: 20\ncovered_themes:", "organisation.yaml", "channel_id is missing"},
		"long reminder":       {"covered_themes:", "digituki:\n  channel_id: '19:x@thread.tacv2'\n  reminder_minutes: 900\ncovered_themes:", "organisation.yaml", "reminder_minutes 900"},
	} {
		t.Run(name, func(t *testing.T) {
			fsys := baseFS()
			fsys["faq.yaml"] = &fstest.MapFile{Data: []byte(baseFAQ)}
			if tc.old == "    answer: {fi: Toinen" {
				tc.old = "    answer: {fi: Vastaus, sv: Svar, en: Answer}\n"
				tc.new = "    anwser: {fi: Vastaus, sv: Svar, en: Answer}\n"
			}
			edit(t, fsys, tc.file, tc.old, tc.new)
			_, err := Load(fsys)
			le := loadError(t, err)
			if !strings.Contains(le.Error(), tc.want) {
				t.Errorf("problems %v do not say %q", le.Error(), tc.want)
			}
		})
	}
}

func TestDigitukiLoads(t *testing.T) {
	fsys := baseFS()
	edit(t, fsys, "organisation.yaml", "covered_themes:", "digituki:\n  team_id: '19:team@thread.tacv2'\n  channel_id: '19:chan@thread.tacv2'\ncovered_themes:")
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	d := c.Org.Digituki
	if !d.Enabled() || d.ChannelID != "19:chan@thread.tacv2" || d.ReminderAfter().Minutes() != domain.DefaultReminderMinutes || d.MaxReminders() != domain.DefaultHandoffReminders {
		t.Errorf("digituki %+v", d)
	}
}
