package cards

import (
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Text helpers shared by every card. Two kinds of outside text reach a card, and each has one way in:
//   - names and directory data (display names, department, job title, mail) share a TextBlock or FactSet with our
//     own text, so they go through escapeMarkdown;
//   - text people typed (a justification, a reason) stands alone in a TextRun (typedText), which is never markdown.

// escapeMarkdown keeps names and directory data from being read as markdown where they share a TextBlock or FactSet
// value with our own text, so they cannot turn into a link or formatting. Free text people typed goes into
// typedText instead.
func escapeMarkdown(s string) string {
	return markdownEscaper.Replace(s)
}

var markdownEscaper = strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `*`, `\*`, `_`, `\_`, "`", "\\`")

// richTextBlock and textRun show text people typed (a justification, a reason). Unlike a TextBlock, a TextRun is
// never parsed as markdown, so a typed link or formatting shows literally instead of becoming a live link.
type richTextBlock struct {
	Type    string    `json:"type"`
	Inlines []textRun `json:"inlines"`
	Spacing string    `json:"spacing,omitempty"`
}

func (richTextBlock) elementType() string { return "RichTextBlock" }

type textRun struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// typedText shows user-typed text literally.
func typedText(s string) richTextBlock {
	return richTextBlock{Type: "RichTextBlock", Inlines: []textRun{{Type: "TextRun", Text: strings.TrimSpace(s)}}}
}

// joinNames lists theme or task names in running text. A semicolon separates them: the names contain commas.
func joinNames(names []string) string { return strings.Join(names, "; ") }

// plural picks key+".one" for 1 and key+".other" otherwise, filling {n}.
func plural(p i18n.Printer, key string, n int) string {
	suffix := ".other"
	if n == 1 {
		suffix = ".one"
	}
	return p.Format(key+suffix, "n", strconv.Itoa(n))
}

// age says how long ago t was in calendar days (UTC): "today", "1 day ago", "3 days ago". Calendar days, not 24-hour
// periods, so that something done yesterday afternoon is not "today" the next morning.
func age(p i18n.Printer, t, now time.Time) string {
	if t.IsZero() || now.IsZero() {
		return ""
	}
	day := func(x time.Time) time.Time {
		y, m, d := x.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	days := int(day(now).Sub(day(t)).Hours() / 24)
	if days <= 0 {
		return p.Get("admin.age.today")
	}
	return plural(p, "admin.age.days", days)
}

// dateWithAge is "22.11.2026 (3 days ago)", or a dash for no date.
func dateWithAge(p i18n.Printer, t, now time.Time) string {
	if t.IsZero() {
		return "–"
	}
	if a := age(p, t, now); a != "" {
		return Date(p.Lang, t) + " (" + a + ")"
	}
	return Date(p.Lang, t)
}

// errorBox shows a server message about the last action, or nothing.
func errorBox(msg string) []Element {
	if strings.TrimSpace(msg) == "" {
		return nil
	}
	return []Element{Container{Type: "Container", Style: "attention", Items: []Element{
		TextBlock{Type: "TextBlock", Text: msg, Color: "Attention", Weight: "Bolder", Wrap: true},
	}}}
}

// subtle is small, muted, wrapping text for hints.
func subtle(s string) TextBlock {
	return TextBlock{Type: "TextBlock", Text: s, IsSubtle: true, Size: "Small", Wrap: true}
}

// sectionHeading starts a section of a card: a medium, bold line with room above it.
func sectionHeading(s string) TextBlock {
	return TextBlock{Type: "TextBlock", Text: s, Weight: "Bolder", Size: "Medium", Wrap: true, Spacing: "Large"}
}

// orDash shows a dash for a missing value, so a FactSet row is never blank.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}
