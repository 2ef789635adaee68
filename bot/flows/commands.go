package flows

import (
	"regexp"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// command is something a person can ask for by typing.
type command int

const (
	cmdNone command = iota
	cmdIntake
	cmdMine
	cmdOverview
	cmdApprovals
	cmdGrantTasks
	cmdMandateList
	cmdUpcoming
	cmdAbsence // an approver away names who decides meanwhile: "poissa 10.–24.7." (see absenceWords)
	cmdMyTeam  // a supervisor's people with their mandates and requests (myteam.go)
	cmdReviewStart
	cmdReviewReport
	// cmdSwitchOrganisation asks to choose again which organisation a person of several works for; the deployment
	// in front of the organisations answers it (internal/app), so a flow only sees it where there is one.
	cmdSwitchOrganisation
)

// commandPhrases map typed text (normalised) to commands, with the language the phrase is in. Exact phrases come
// from the Teams command menu (manifest/) so that picking a suggested command always works.
var commandPhrases = map[string]struct {
	cmd  command
	lang domain.Lang
}{
	"mitä valtuuksia tarvitsen": {cmdIntake, domain.Finnish}, "mitä valtuuksia tarvitsen?": {cmdIntake, domain.Finnish},
	"tarvitsen valtuuden": {cmdIntake, domain.Finnish}, "uusi valtuus": {cmdIntake, domain.Finnish}, "hae valtuutta": {cmdIntake, domain.Finnish},
	"vilka fullmakter behöver jag": {cmdIntake, domain.Swedish}, "jag behöver en fullmakt": {cmdIntake, domain.Swedish}, "ny fullmakt": {cmdIntake, domain.Swedish},
	"which mandates do i need": {cmdIntake, domain.English}, "i need a mandate": {cmdIntake, domain.English}, "new mandate": {cmdIntake, domain.English},
	"omat valtuudet": {cmdMine, domain.Finnish}, "omat valtuuteni": {cmdMine, domain.Finnish}, "valtuuteni": {cmdMine, domain.Finnish},
	"mina fullmakter": {cmdMine, domain.Swedish}, "my mandates": {cmdMine, domain.English},
	"yleiskuva": {cmdOverview, domain.Finnish}, "översikt": {cmdOverview, domain.Swedish}, "overview": {cmdOverview, domain.English},
	"hyväksyttävät": {cmdApprovals, domain.Finnish}, "odottavat hyväksynnät": {cmdApprovals, domain.Finnish},
	"att godkänna": {cmdApprovals, domain.Swedish}, "approvals": {cmdApprovals, domain.English}, "pending approvals": {cmdApprovals, domain.English},
	"tehtävät": {cmdGrantTasks, domain.Finnish}, "myöntötehtävät": {cmdGrantTasks, domain.Finnish},
	"uppgifter": {cmdGrantTasks, domain.Swedish}, "tasks": {cmdGrantTasks, domain.English}, "grant tasks": {cmdGrantTasks, domain.English},
	"valtuusluettelo": {cmdMandateList, domain.Finnish}, "kaupungin valtuusluettelo": {cmdMandateList, domain.Finnish},
	"fullmaktsförteckning": {cmdMandateList, domain.Swedish}, "stadens fullmaktsförteckning": {cmdMandateList, domain.Swedish},
	"mandate list": {cmdMandateList, domain.English}, "the city's mandate list": {cmdMandateList, domain.English},
	"tulevat muistutukset": {cmdUpcoming, domain.Finnish}, "herätteet": {cmdUpcoming, domain.Finnish}, "tulevat herätteet": {cmdUpcoming, domain.Finnish},
	"kommande påminnelser": {cmdUpcoming, domain.Swedish}, "påminnelser": {cmdUpcoming, domain.Swedish},
	"upcoming reminders": {cmdUpcoming, domain.English}, "reminders": {cmdUpcoming, domain.English},
	"tiimini": {cmdMyTeam, domain.Finnish}, "oma tiimi": {cmdMyTeam, domain.Finnish},
	"mitt team": {cmdMyTeam, domain.Swedish}, "my team": {cmdMyTeam, domain.English},
	"aloita katselmointi": {cmdReviewStart, domain.Finnish}, "starta granskning": {cmdReviewStart, domain.Swedish},
	"start review": {cmdReviewStart, domain.English}, "start a review": {cmdReviewStart, domain.English},
	"katselmoinnin raportti": {cmdReviewReport, domain.Finnish}, "katselmointiraportti": {cmdReviewReport, domain.Finnish},
	"granskningsrapport": {cmdReviewReport, domain.Swedish}, "review report": {cmdReviewReport, domain.English},
	"vaihda organisaatiota": {cmdSwitchOrganisation, domain.Finnish}, "vaihda organisaatio": {cmdSwitchOrganisation, domain.Finnish},
	"byt organisation": {cmdSwitchOrganisation, domain.Swedish}, "switch organisation": {cmdSwitchOrganisation, domain.English},
	"switch organization": {cmdSwitchOrganisation, domain.English}, "change organisation": {cmdSwitchOrganisation, domain.English},
}

// intakeWords recognise free-text questions about needing mandates, in all three languages.
var intakeWords = []struct {
	word string
	lang domain.Lang
}{
	{"valtuuksia", domain.Finnish}, {"valtuutta", domain.Finnish}, {"valtuuden", domain.Finnish}, {"valtuus", domain.Finnish},
	{"fullmakter", domain.Swedish}, {"fullmakt", domain.Swedish},
	{"mandates", domain.English}, {"mandate", domain.English}, {"authorization", domain.English}, {"authorisation", domain.English},
}

// matchCommand recognises a command in normalised text.
func matchCommand(text string) (command, domain.Lang) {
	if c, ok := commandPhrases[text]; ok {
		return c.cmd, c.lang
	}
	if l, ok := matchAbsence(text); ok {
		return cmdAbsence, l
	}
	for _, w := range intakeWords {
		for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ' ' || r == '?' || r == ',' || r == '.' }) {
			if f == w.word {
				return cmdIntake, w.lang
			}
		}
	}
	return cmdNone, ""
}

// Words that open the welcome card, with the language each is written in ("" when it says nothing about that).
// People greet in their own language whatever their Teams client is set to, so when someone has not chosen a
// language, a Finnish "hei" gets a Finnish answer even from an English client.
var helpWords = map[string]domain.Lang{
	"apua": domain.Finnish, "ohje": domain.Finnish, "hei": domain.Finnish, "moi": domain.Finnish,
	"moikka": domain.Finnish, "terve": domain.Finnish, "aloita": domain.Finnish, "kieli": domain.Finnish,
	"hjälp": domain.Swedish, "hej": domain.Swedish, "hejsan": domain.Swedish, "börja": domain.Swedish, "språk": domain.Swedish,
	"help": domain.English, "hello": domain.English, "hi": domain.English, "start": domain.English, "language": domain.English,
	"?": "",
}

// Phrases that choose a language.
var languageWords = map[string]domain.Lang{
	"suomi": domain.Finnish, "suomeksi": domain.Finnish, "finnish": domain.Finnish, "in finnish": domain.Finnish, "på finska": domain.Finnish, "finska": domain.Finnish,
	"svenska": domain.Swedish, "ruotsi": domain.Swedish, "ruotsiksi": domain.Swedish, "swedish": domain.Swedish, "in swedish": domain.Swedish, "på svenska": domain.Swedish,
	"english": domain.English, "englanti": domain.English, "englanniksi": domain.English, "engelska": domain.English, "in english": domain.English, "på engelska": domain.English,
}

// languageCommand understands "svenska", "kieli ruotsi", "language: english" and the like.
func languageCommand(cmd string) (domain.Lang, bool) {
	if l, ok := languageWords[cmd]; ok {
		return l, true
	}
	for _, prefix := range []string{"kieli", "språk", "language", "lang"} {
		if rest, ok := strings.CutPrefix(cmd, prefix); ok {
			rest = strings.Trim(rest, " :=")
			if l, ok := languageWords[rest]; ok {
				return l, true
			}
			if l := domain.Lang(rest); l.Valid() {
				return l, true
			}
		}
	}
	return "", false
}

var mentionRE = regexp.MustCompile(`(?s)<at>.*?</at>`)
var tagRE = regexp.MustCompile(`<[^>]*>`)

// normalise turns message text into a command word: mentions and markup removed, lower case, no trailing marks.
func normalise(text string) string {
	text = mentionRE.ReplaceAllString(text, " ")
	text = tagRE.ReplaceAllString(text, " ")
	text = strings.ToLower(strings.Join(strings.Fields(text), " "))
	if trimmed := strings.Trim(text, " !?.,;:"); trimmed != "" {
		return trimmed
	}
	return text // a lone "?" is a command too

}

// IsSwitchOrganisation reports whether text asks to choose the organisation again ("vaihda organisaatiota").
func IsSwitchOrganisation(text string) bool {
	c, _ := matchCommand(normalise(text))
	return c == cmdSwitchOrganisation
}
