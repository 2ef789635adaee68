package cards

import (
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// UpcomingRows is how many alerts the list shows; the rest are counted.
const UpcomingRows = 30

// UpcomingRow is one alert to come: when (Finnish time), to whom (names) and what.
type UpcomingRow struct {
	At   time.Time
	To   []string
	What string
}

// UpcomingInput is what the main users' list of alerts to come shows.
type UpcomingInput struct {
	Rows []UpcomingRow
	Days int
}

// Upcoming lists the alerts (herätteet) the bot will send in the next days, in time order, with a refresh button.
func Upcoming(p i18n.Printer, in UpcomingInput) *Card {
	c := New(string(p.Lang))
	heading := p.Format("upcoming.title", "days", strconv.Itoa(in.Days))
	c.FallbackText = heading
	c.Body = []Element{Heading(heading), subtle(p.Get("upcoming.why"))}
	if len(in.Rows) == 0 {
		c.Body = append(c.Body, Text(p.Get("alert.preview.none")))
	}
	var facts []Fact
	for _, r := range in.Rows[:min(len(in.Rows), UpcomingRows)] {
		facts = append(facts, Fact{Title: Date(p.Lang, r.At) + " " + r.At.Format("15:04"),
			Value: escapeMarkdown(strings.Join(r.To, ", ")) + ": " + escapeMarkdown(r.What)})
	}
	if len(facts) > 0 {
		c.Body = append(c.Body, FactSet{Type: "FactSet", Facts: facts})
	}
	if len(in.Rows) > UpcomingRows {
		c.Body = append(c.Body, subtle(p.Format("admin.list.more", "n", strconv.Itoa(len(in.Rows)-UpcomingRows))))
	}
	c.Actions = []Action{Execute(p.Get("admin.list.refresh"), VerbUpcoming, struct{}{})}
	return c
}
