package catalog

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// faqFile is faq.yaml: the answers the bot gives to free-text questions.
type faqFile struct {
	Entries []domain.FAQEntry `yaml:"entries"`
}

// faqFileName is the FAQ's file in a catalog. It is optional: a catalog without it has no answers to give, and
// every question goes to the support network.
const faqFileName = "faq.yaml"

// loadFAQ reads and validates faq.yaml into c.FAQ, adding every problem to r.
func loadFAQ(fsys fs.FS, c *Catalog, r *reporter) {
	if _, err := fs.Stat(fsys, faqFileName); errors.Is(err, fs.ErrNotExist) {
		return
	}
	var f faqFile
	doc, ok := decodeFile(fsys, fileSpec{name: faqFileName, sections: map[string]string{"entries": "entry"}}, &f, r)
	if !ok {
		return
	}
	validateFAQ(f.Entries, doc, r)
	c.FAQ = f.Entries
}

// validateFAQ checks every entry: a kebab-case id, used once; the question and the answer in every language; and
// links with a title in every language and an https address.
func validateFAQ(entries []domain.FAQEntry, doc yamlDoc, r *reporter) {
	file := doc.spec.name
	if len(entries) == 0 {
		r.add(file, doc.keyLine("entries"), "", "no entries: the file needs a non-empty \"entries\" list (or remove the file)")
	}
	checkIDs(doc, "entries", "entry", entries, func(e domain.FAQEntry) string { return e.ID }, r)
	questions := map[string]string{} // language + lower-cased question → id
	for i, e := range entries {
		line, entry := doc.itemLine("entries", i), entryName("entry", e.ID, i)
		add := func(format string, args ...any) { r.add(file, line, entry, format, args...) }
		checkText(add, "question", e.Question, true)
		checkText(add, "answer", e.Answer, true)
		checkText(add, "keywords", e.Keywords, false)
		for _, lang := range domain.Langs {
			q := strings.ToLower(strings.TrimSpace(textIn(e.Question, lang)))
			if q == "" {
				continue
			}
			if other, dup := questions[string(lang)+"\x00"+q]; dup {
				add("question.%s is also the question of entry %q", lang, other)
			}
			questions[string(lang)+"\x00"+q] = e.ID
		}
		for j, l := range e.Links {
			if p := urlProblem(l.URL); p != "" {
				add("links[%d].url %q %s", j, l.URL, p)
			}
			checkText(func(format string, args ...any) { add("links[%d]: "+format, append([]any{j}, args...)...) },
				"title", l.Title, true)
		}
	}
}

// validateDigituki checks the digital-support channel of organisation.yaml, when one is configured: a channel
// conversation id as Teams writes it, and reminder settings within reason.
func validateDigituki(o domain.Organisation, doc yamlDoc, r *reporter) {
	d := o.Digituki
	if d == (domain.Digituki{}) {
		return
	}
	add := func(format string, args ...any) {
		r.add(doc.spec.name, doc.keyLine("digituki"), "digituki", format, args...)
	}
	switch {
	case d.ChannelID == "":
		add("channel_id is missing: give the conversation id of the support network's channel (19:…@thread.tacv2)")
	case !strings.HasPrefix(d.ChannelID, "19:") || strings.ContainsAny(d.ChannelID, " ;/"):
		add("channel_id %q is not a Teams channel id (19:…@thread.tacv2)", d.ChannelID)
	}
	if d.TeamID != "" && (!strings.HasPrefix(d.TeamID, "19:") || strings.ContainsAny(d.TeamID, " ;/")) {
		add("team_id %q is not a Teams team id (the id of its General channel, 19:…@thread.tacv2)", d.TeamID)
	}
	if d.ReminderMinutes < 0 || d.ReminderMinutes > 8*60 {
		add("reminder_minutes %d must be between 1 and 480 working minutes (0 for the default %d)", d.ReminderMinutes, domain.DefaultReminderMinutes)
	}
	if d.Reminders < 0 || d.Reminders > 10 {
		add("reminders %d must be between 1 and 10 (0 for the default %d)", d.Reminders, domain.DefaultHandoffReminders)
	}
}

// FAQEntry returns the catalog's FAQ entry with the given id.
func (c *Catalog) FAQEntry(id string) (domain.FAQEntry, bool) {
	for _, e := range c.FAQ {
		if e.ID == id {
			return e, true
		}
	}
	return domain.FAQEntry{}, false
}
