package cards

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, empMyMandatesGolden) }

// empMyRequests are Elina's requests: VB-2026-0038 pending, VB-2026-0042 approved, and an old completed one.
func empMyRequests() []domain.Request {
	done := empOpenRequest()
	done.ID, done.State = 12, domain.RequestCompleted
	done.CreatedAt = time.Date(2025, 3, 28, 10, 0, 0, 0, time.UTC)
	return []domain.Request{done, empDecided(), empOpenRequest()}
}

func empMyMandatesGolden() map[string]func(p i18n.Printer) *Card {
	return map[string]func(p i18n.Printer) *Card{
		"mymandates": func(p i18n.Printer) *Card {
			return MyMandates(p, MyMandatesInput{Catalog: empCat, Mandates: empMandates(), Requests: empMyRequests(), Today: empNow})
		},
		"mymandates-empty": func(p i18n.Printer) *Card {
			return MyMandates(p, MyMandatesInput{Catalog: empCat, Today: empNow})
		},
	}
}

func TestMyMandatesSectionsAndOrder(t *testing.T) {
	p := bundle.Printer(domain.English)
	c := MyMandates(p, MyMandatesInput{Catalog: empCat, Mandates: empMandates(), Requests: empMyRequests(), Today: empNow})
	text := empText(t, c)
	name := func(id string) string { th, _ := empCat.Theme(id); return th.Name.In(p.Lang) }

	// Active, by end date: browsing (7 Dec 2026), reporting (31 Mar 2028), Statistics Finland (30 Nov 2029).
	order := []string{name("tulorekisteri-palkkatiedot-katselu"), name("tulorekisteri-palkkatiedot-ilmoittaminen"),
		name("tilastokeskus-tiedonkeruut")}
	last := -1
	for _, n := range order {
		i := strings.Index(text, n)
		if i < 0 || i < last {
			t.Fatalf("active mandates out of order or missing at %q:\n%s", n, text)
		}
		last = i
	}
	// The tax filing theme ended on 31 Oct (25 days ago) and is listed as ended; the one revoked in March 2025 is
	// older than 90 days and is not.
	if !strings.Contains(text, p.Format("mymandates.ended.expired", "date", "31 Oct 2026")) {
		t.Error("recently ended mandate missing")
	}
	if strings.Contains(text, name("vero-veroasiat")) {
		t.Error("a mandate revoked long ago is listed")
	}
	// The one starting next week says so.
	if !strings.Contains(text, p.Format("emp.valid_range", "from", "1 Dec 2026", "until", "30 Nov 2029")) {
		t.Error("a mandate that has not started should show its start")
	}

	// Only the mandate ending within 30 days is flagged, with the days left.
	var warned []string
	for _, ct := range empNodes(empDecode(t, c), "Container") {
		if ct["style"] == "warning" {
			warned = append(warned, empText(t, &Card{Type: "AdaptiveCard", Version: "1.5", Body: []Element{empRaw(ct)}}))
		}
	}
	if len(warned) != 1 || !strings.Contains(warned[0], name("tulorekisteri-palkkatiedot-katselu")) ||
		!strings.Contains(warned[0], p.Format("mymandates.ending.many", "days", "12")) {
		t.Errorf("ending-soon flags: %q", warned)
	}

	// Open requests: both open ones, newest first; a cancel button only for the pending one; the completed one
	// is not listed.
	i42, i38 := strings.Index(text, "VB-2026-0042"), strings.Index(text, "VB-2026-0038")
	if i42 < 0 || i38 < 0 || i42 > i38 || strings.Contains(text, "VB-2025-0012") {
		t.Errorf("open requests wrong: 0042 at %d, 0038 at %d", i42, i38)
	}
	var cancels []float64
	for _, a := range empNodes(empDecode(t, c), "Action.Execute") {
		if a["verb"] == VerbRequestCancel {
			cancels = append(cancels, a["data"].(map[string]any)["requestId"].(float64))
		}
	}
	if !slices.Equal(cancels, []float64{38}) {
		t.Errorf("cancel buttons for %v, want only the pending request 38", cancels)
	}
}

func TestMyMandatesEndingBoundaries(t *testing.T) {
	p := bundle.Printer(domain.English)
	for days, want := range map[int]string{
		0:  p.Get("mymandates.ending.today"),
		1:  p.Get("mymandates.ending.one"),
		30: p.Format("mymandates.ending.many", "days", "30"),
		31: "",
	} {
		m := domain.Mandate{ID: 1, ThemeID: "vero-veroasiat", State: domain.MandateActive,
			ValidFrom: empDay(2025, 1, 1), ValidUntil: empToday.AddDate(0, 0, days)}
		c := MyMandates(p, MyMandatesInput{Catalog: empCat, Mandates: []domain.Mandate{m}, Today: empNow})
		flagged := false
		for _, ct := range empNodes(empDecode(t, c), "Container") {
			flagged = flagged || ct["style"] == "warning"
		}
		text := empText(t, c)
		if flagged != (want != "") || (want != "" && !strings.Contains(text, want)) {
			t.Errorf("%d days left: flagged %v, text %q", days, flagged, text)
		}
	}
}

func TestMyMandatesEmptyOffersIntake(t *testing.T) {
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		// Only a long-ended mandate and a completed request: nothing to show.
		old := domain.Mandate{ID: 1, ThemeID: "vero-veroasiat", State: domain.MandateActive,
			ValidFrom: empDay(2020, 1, 1), ValidUntil: empDay(2026, 1, 31)}
		done := empOpenRequest()
		done.State = domain.RequestCompleted
		c := MyMandates(p, MyMandatesInput{Catalog: empCat, Mandates: []domain.Mandate{old}, Requests: []domain.Request{done}, Today: empNow})
		if !strings.Contains(empText(t, c), p.Get("mymandates.empty")) {
			t.Error("empty state text missing")
		}
		if v := empVerbs(t, c); !slices.Equal(v, []string{VerbIntakeOpen}) {
			t.Errorf("verbs %v, want just the intake", v)
		}
	})
}

func TestMyMandatesIsBounded(t *testing.T) {
	var ms []domain.Mandate
	for i := range 45 {
		ms = append(ms, domain.Mandate{ID: int64(i + 1), ThemeID: empCat.Themes[i%len(empCat.Themes)].ID,
			State: domain.MandateActive, ValidFrom: empDay(2025, 1, 1), ValidUntil: empToday.AddDate(0, 0, 5+i*20)})
		ms = append(ms, domain.Mandate{ID: int64(100 + i), ThemeID: empCat.Themes[i%len(empCat.Themes)].ID,
			State: domain.MandateActive, ValidFrom: empDay(2024, 1, 1), ValidUntil: empToday.AddDate(0, 0, -1-i)})
	}
	var rs []domain.Request
	for i := range 15 {
		r := empRequest()
		r.ID = int64(100 + i)
		rs = append(rs, r)
	}
	for _, l := range domain.Langs {
		p := bundle.Printer(l)
		c := MyMandates(p, MyMandatesInput{Catalog: empCat, Mandates: ms, Requests: rs, Today: empNow})
		raw, err := c.JSON()
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		text := empText(t, c)
		for _, more := range []int{45 - myMandatesMaxActive, 15 - myMandatesMaxRequests, 45 - myMandatesMaxEnded} {
			if !strings.Contains(text, p.Format("emp.more", "count", fmt.Sprint(more))) {
				t.Errorf("%s: %q missing", l, p.Format("emp.more", "count", fmt.Sprint(more)))
			}
		}
		if n := strings.Count(string(raw), `"verb":"requestCancel"`); n != myMandatesMaxRequests {
			t.Errorf("%s: %d cancel buttons, want %d", l, n, myMandatesMaxRequests)
		}
		t.Logf("%s: %d bytes with 90 mandates and 15 requests", l, len(raw))
	}
}

// The register shows how each mandate was granted: through the person's valtuuspyyntö or directly.
func TestMyMandatesShowTheGrantPath(t *testing.T) {
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		until := empNow.AddDate(1, 0, 0)
		ms := []domain.Mandate{
			{ID: 1, ThemeID: "vero-veroasiat", State: domain.MandateActive, ValidFrom: empNow, ValidUntil: until, GrantPath: domain.PathRequest},
			{ID: 2, ThemeID: "vero-veroilmoittaminen", State: domain.MandateActive, ValidFrom: empNow, ValidUntil: until, GrantPath: domain.PathDirect},
		}
		text := empText(t, MyMandates(p, MyMandatesInput{Catalog: empCat, Mandates: ms, Today: empNow}))
		for _, key := range []string{"mymandates.path.valtuuspyynto", "mymandates.path.direct"} {
			if !strings.Contains(text, p.Get(key)) {
				t.Errorf("the card lacks %s", key)
			}
		}
	})
}
