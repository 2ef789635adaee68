package cards

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// evilText is directory or Teams text made to be read as markdown: a link, bold, italics, a heading, and a link
// behind a backslash of its own, which must not cancel the escaping of the bracket.
const evilText = `[x](https://evil.example) **b** _i_ # h \[y](https://evil.example)`

// evilShown is evilText as a card must carry it, every markdown character escaped.
const evilShown = `\[x\](https://evil.example) \*\*b\*\* \_i\_ # h \\\[y\](https://evil.example)`

// evil labels evilText with the field it stands in, so that a test can tell which field reached the card.
func evil(field string) string { return "Eve " + field + " " + evilText }

func evilRequest(r domain.Request) domain.Request {
	r.RequesterName = evil("requester")
	r.RequesterMail = evil("mail")
	r.RequesterDepartment = evil("department")
	r.RequesterJobTitle = evil("jobtitle")
	r.ApproverName = evil("approver")
	return r
}

func evilRequests(rs []domain.Request) []domain.Request {
	for i := range rs {
		rs[i] = evilRequest(rs[i])
	}
	return rs
}

// evilCard is one card built from hostile directory data: kind names its exported builder, shows the fields whose
// escaped text the card must carry.
type evilCard struct {
	kind  string
	shows []string
	build func(p i18n.Printer) *Card
}

func evilCards() map[string]evilCard {
	cat := defaultCatalog()
	people := map[string]string{mainUserObjectID: evil("granter")}
	approval := func(r domain.Request, interactive bool) func(p i18n.Printer) *Card {
		return func(p i18n.Printer) *Card {
			return Approval(p, ApprovalInput{Catalog: cat, Request: evilRequest(r), ApproverUserID: approverTeamsID,
				Interactive: interactive, Now: adminNow, People: people})
		}
	}
	grant := func(r domain.Request) func(p i18n.Printer) *Card {
		return func(p i18n.Printer) *Card {
			return GrantTask(p, GrantTaskInput{Catalog: cat, Request: evilRequest(r), OrgName: porvoo,
				BusinessID: "1061512-1", Today: adminToday, People: people})
		}
	}
	notice := func(build func(i18n.Printer, NoticeInput) *Card, r domain.Request) func(p i18n.Printer) *Card {
		return func(p i18n.Printer) *Card { return build(p, NoticeInput{Catalog: empCat, Request: evilRequest(r)}) }
	}
	// Decided by someone named by a value that is not an object id: the value is shown as the name.
	decidedByName := rejectedRequest(cat)
	decidedByName.DecidedBy = evil("decider")
	topDepartments := busyOverview()
	topDepartments.TopDepartments[0].Department = evil("department")
	recommend := empRecommendInput(empTasks)
	recommend.Error = evil("error")
	out := map[string]evilCard{
		"approval-base":        {"Approval", []string{"requester", "jobtitle", "department", "approver"}, approval(payrollRequest(cat), false)},
		"approval-interactive": {"Approval", []string{"requester", "jobtitle", "department", "approver"}, approval(payrollRequest(cat), true)},
		"approval-partly":      {"Approval", []string{"requester", "department", "approver"}, approval(partlyApproved(cat), false)},
		"approval-rejected":    {"Approval", []string{"requester", "department", "decider"}, approval(decidedByName, false)},
		"approval-cancelled":   {"Approval", []string{"requester", "department"}, approval(cancelledRequest(cat), false)},
		"approval-completed":   {"Approval", []string{"requester", "department", "approver", "granter"}, approval(completedRequest(cat), false)},
		"grant-task": {"GrantTask", []string{"requester", "mail", "jobtitle", "department", "approver", "granter"},
			grant(partlyGranted(cat))},
		"grant-final": {"GrantTask", []string{"requester", "mail", "jobtitle", "department", "granter"},
			grant(completedRequest(cat))},
		"pending": {"PendingApprovals", []string{"requester"}, func(p i18n.Printer) *Card {
			return PendingApprovals(p, PendingInput{Catalog: cat, Requests: evilRequests(pendingRequests(cat)), Now: adminNow})
		}},
		"grants": {"GrantTasks", []string{"requester", "department"}, func(p i18n.Printer) *Card {
			return GrantTasks(p, GrantListInput{Catalog: cat, Requests: evilRequests(grantQueue(cat)), Now: adminNow})
		}},
		"batch": {"GrantBatch", []string{"requester", "mail", "jobtitle", "department"}, func(p i18n.Printer) *Card {
			in := batchInput(domain.PathDirect, evilRequests(batchQueue(cat)))
			in.Results = []BatchResult{{Request: evilRequest(partlyGranted(cat)), ItemIDs: []int64{101}}}
			return GrantBatch(p, in)
		}},
		"weekly": {"WeeklyDigest", []string{"requester", "department"}, func(p i18n.Printer) *Card {
			in := weeklyInput(cat)
			in.Grants = evilRequests(in.Grants)
			return WeeklyDigest(p, in)
		}},
		"marked": {"Marked", []string{"requester", "department"}, func(p i18n.Printer) *Card {
			return Marked(GrantTask(p, grantInput(evilRequest(payrollRequest(cat)))), "Muistutus")
		}},
		"upcoming": {"Upcoming", []string{"requester"}, func(p i18n.Printer) *Card {
			return Upcoming(p, UpcomingInput{Days: 30, Rows: []UpcomingRow{{At: adminNow, To: []string{evil("requester")}, What: "x"}}})
		}},
		"cancel": {"CancelConfirm", nil, func(p i18n.Printer) *Card { return CancelConfirm(p, evilRequest(payrollRequest(cat))) }},
		"digest": {"GrantDigest", []string{"requester", "department"}, func(p i18n.Printer) *Card {
			return GrantDigest(p, GrantListInput{Catalog: cat, Requests: evilRequests(grantQueue(cat)), Now: adminNow})
		}},
		"application": {"ApplicationNeeded", []string{"requester", "department"}, func(p i18n.Printer) *Card {
			return ApplicationNeeded(p, ApplicationInput{Catalog: cat, Request: evilRequest(payrollRequest(cat)),
				ThemeIDs: []string{"ely-valtionavustukset-hakeminen"}})
		}},
		"cancelled-notice": {"CancelledNotice", []string{"requester"}, func(p i18n.Printer) *Card {
			return CancelledNotice(p, CancelledInput{Catalog: cat, Request: evilRequest(cancelledRequest(cat))})
		}},
		"overview": {"Overview", []string{"department"}, func(p i18n.Printer) *Card {
			return Overview(p, OverviewInput{Overview: topDepartments, Today: adminToday})
		}},
		"welcome": {"Welcome", []string{"firstname"}, func(p i18n.Printer) *Card {
			return Welcome(p, WelcomeInput{FirstName: evil("firstname"), OrgName: porvoo, Flow: true, Approver: true, MainUser: true})
		}},
		"intake": {"Intake", []string{"department", "jobtitle", "error"}, func(p i18n.Printer) *Card {
			return Intake(p, IntakeInput{Catalog: empCat, Department: evil("department"), JobTitle: evil("jobtitle"),
				Error: evil("error")})
		}},
		"recommend": {"Recommendation", []string{"error"}, func(p i18n.Printer) *Card { return Recommendation(p, recommend) }},
		"request-pending": {"RequestStatus", []string{"approver"}, func(p i18n.Printer) *Card {
			return RequestStatus(p, RequestStatusInput{Catalog: empCat, Request: evilRequest(empRequest()), Now: empNow})
		}},
		"request-completed": {"RequestStatus", []string{"approver"}, func(p i18n.Printer) *Card {
			return RequestStatus(p, RequestStatusInput{Catalog: empCat, Request: evilRequest(empCompleted()), Now: empNow})
		}},
		"steps": {"RequestSteps", nil, func(p i18n.Printer) *Card {
			return RequestSteps(p, StepsInput{Catalog: empCat, Request: evilRequest(empDecided()), OrgName: porvoo, BusinessID: "1061512-1"})
		}},
		"decision-partly": {"DecisionNotice", []string{"approver"}, notice(DecisionNotice, empDecided())},
		"granted":         {"GrantedNotice", nil, notice(GrantedNotice, empGrantedTwo())},
		"notgranted":      {"NotGrantedNotice", nil, notice(NotGrantedNotice, empGrantedTwo())},
		"mymandates": {"MyMandates", nil, func(p i18n.Printer) *Card {
			mandates := empMandates()
			for i := range mandates {
				mandates[i].HolderName = evil("holder")
			}
			return MyMandates(p, MyMandatesInput{Catalog: empCat, Mandates: mandates, Requests: evilRequests(empMyRequests()), Today: empNow})
		}},
		"private-chat": {"PrivateChat", nil, func(p i18n.Printer) *Card { return PrivateChat(p, "28:11111111-2222-4333-8444-555555555555") }},
		// The answers and the hand-off (handoff_test.go).
		"faq-answers":     {"Answers", []string{"faq"}, evilAnswers},
		"faq-thanks":      {"FeedbackThanks", nil, func(p i18n.Printer) *Card { return FeedbackThanks(p, false, true, 7, evil("question")) }},
		"handoff-ask":     {"AskPerson", nil, func(p i18n.Printer) *Card { return AskPerson(p, 7, evil("question"), "") }},
		"handoff-started": {"HandoffStarted", []string{"taker"}, func(p i18n.Printer) *Card { return HandoffStarted(p, evilHandoff(domain.HandoffTaken)) }},
		"handoff-notice": {"HandoffNotice", []string{"taker"}, func(p i18n.Printer) *Card {
			return HandoffNotice(p, evilHandoff(domain.HandoffTaken), domain.NoticeTaken)
		}},
		"handoff-channel": {"HandoffChannel", []string{"employee", "department", "taker"}, func(p i18n.Printer) *Card {
			return HandoffChannel(p, HandoffChannelInput{Handoff: evilHandoff(domain.HandoffTaken), Now: adminNow})
		}},
		"proposal": {"ProposalReview", nil, func(p i18n.Printer) *Card { return ProposalReview(p, ProposalInput{Proposal: sampleProposal()}) }},
		"support-measures": {"SupportMeasures", nil, func(p i18n.Printer) *Card {
			return SupportMeasures(p, MeasuresInput{Measures: sampleMeasures(), Days: 30})
		}},
	}
	for _, more := range evilSets {
		for name, ec := range more() {
			if _, dup := out[name]; dup {
				panic("two evil cards named " + name)
			}
			out[name] = ec
		}
	}
	return out
}

// evilSets are more cards for the escaping test, one set per feature's test file (registered in an init function,
// as goldenSets are).
var evilSets []func() map[string]evilCard

// Names and directory data share TextBlocks and FactSets with the bot's own markdown, so every card escapes them:
// a display name, department, job title or mail that looks like a link or formatting shows literally. Every card
// kind is built from such data, in every language.
func TestDirectoryTextIsNeverMarkdown(t *testing.T) {
	for name, ec := range evilCards() {
		for _, l := range domain.Langs {
			t.Run(name+"."+string(l), func(t *testing.T) {
				texts := markdownTexts(decoded(t, ec.build(bundle.Printer(l))))
				for _, s := range texts {
					if liveEvilLink(s) || strings.Contains(s, "**b**") || strings.Contains(s, "_i_") {
						t.Errorf("markdown from directory data survives in %q", s)
					}
				}
				all := strings.Join(texts, "\n")
				for _, field := range ec.shows {
					if want := "Eve " + field + " " + evilShown; !strings.Contains(all, want) {
						t.Errorf("the card should show the %s escaped, as %q; texts:\n%s", field, want, all)
					}
				}
			})
		}
	}
}

// liveEvilLink reports whether s has a link to evil.example whose closing bracket is not escaped, that is, not
// preceded by an odd number of backslashes.
func liveEvilLink(s string) bool {
	const link = "](https://evil.example"
	for i := 0; ; i++ {
		j := strings.Index(s[i:], link)
		if j < 0 {
			return false
		}
		i += j
		slashes := 0
		for k := i - 1; k >= 0 && s[k] == '\\'; k-- {
			slashes++
		}
		if slashes%2 == 0 {
			return true
		}
	}
}

// markdownTexts are the texts of a decoded card that Teams reads as markdown: TextBlock texts and FactSet titles
// and values.
func markdownTexts(card map[string]any) []string {
	var out []string
	for _, tb := range nodes(card, "TextBlock") {
		s, _ := tb["text"].(string)
		out = append(out, s)
	}
	for _, fs := range nodes(card, "FactSet") {
		for _, f := range fs["facts"].([]any) {
			fact := f.(map[string]any)
			out = append(out, fact["title"].(string), fact["value"].(string))
		}
	}
	return out
}

// The escaping test builds every exported card builder of the package: a new card must join it.
func TestDirectoryTextTestCoversEveryCard(t *testing.T) {
	built := map[string]bool{}
	for _, ec := range evilCards() {
		built[ec.kind] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var builders []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || !fd.Name.IsExported() || fd.Name.Name == "New" || fd.Type.Results == nil ||
				len(fd.Type.Results.List) != 1 {
				continue
			}
			if star, ok := fd.Type.Results.List[0].Type.(*ast.StarExpr); ok {
				if id, ok := star.X.(*ast.Ident); ok && id.Name == "Card" {
					builders = append(builders, fd.Name.Name)
				}
			}
		}
	}
	if len(builders) < 15 {
		t.Fatalf("found only %d card builders: %v", len(builders), builders)
	}
	for _, b := range builders {
		if !built[b] {
			t.Errorf("%s builds a card, but TestDirectoryTextIsNeverMarkdown does not build it", b)
		}
	}
	for kind := range built {
		if !slices.Contains(builders, kind) {
			t.Errorf("evilCards names %s, which is not a card builder", kind)
		}
	}
}
