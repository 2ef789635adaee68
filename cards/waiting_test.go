package cards

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Fixtures of approvals that wait: Anna Virtanen's request (payrollRequest) reminded, escalated from her
// supervisor Sami Virtanen to Helena Åberg, delegated while Sami is away, and expired.
const (
	samiObjectID = "7c1e4a52-0000-4000-8000-000000000002"
	dinaObjectID = "7c1e4a52-0000-4000-8000-000000000005"
)

var waitingSince = time.Date(2026, 11, 18, 9, 0, 0, 0, time.UTC)

func waitingReminder() domain.ApprovalReminder {
	return domain.ApprovalReminder{Since: waitingSince, Days: 3, MovesOn: domain.NewDate(2026, 11, 27),
		ExpiresOn: domain.NewDate(2026, 12, 16)}
}

// escalatedRequest waited for Sami and moved to Helena, the head of department.
func escalatedRequest(cat *catalog.Catalog) domain.Request {
	r := payrollRequest(cat)
	r.ApproverID, r.ApproverName, r.ApproverBasis = samiObjectID, "Sami Virtanen", domain.ApproverManager
	if err := r.Reassign(domain.Assignment{ID: approverObjectID, Name: "Helena Åberg", Basis: domain.ApproverDepartmentHead,
		Reason: domain.ReassignEscalated}, adminNow); err != nil {
		panic(err)
	}
	return r
}

// delegatedRequest: Sami is away and Dina Korhonen decides for him.
func delegatedRequest(cat *catalog.Catalog) domain.Request {
	r := payrollRequest(cat)
	r.ApproverID, r.ApproverName, r.ApproverBasis = samiObjectID, "Sami Virtanen", domain.ApproverManager
	d := domain.Delegation{ApproverID: samiObjectID, ApproverName: "Sami Virtanen", DelegateID: dinaObjectID, DelegateName: "Dina Korhonen"}
	if err := r.Reassign(d.Delegated(r.ApproverBasis), adminNow); err != nil {
		panic(err)
	}
	return r
}

func expiredRequest(cat *catalog.Catalog) domain.Request {
	r := payrollRequest(cat)
	if err := r.Expire(time.Date(2026, 12, 21, 6, 0, 0, 0, time.UTC)); err != nil {
		panic(err)
	}
	return r
}

func waitingDelegations() []domain.Delegation {
	return []domain.Delegation{
		{ID: 7, ApproverID: samiObjectID, DelegateID: dinaObjectID, DelegateName: "Dina Korhonen",
			From: domain.NewDate(2026, 11, 23), Until: domain.NewDate(2026, 11, 27)},
		{ID: 8, ApproverID: samiObjectID, DelegateID: approverObjectID, DelegateName: "Helena Åberg",
			From: domain.NewDate(2027, 7, 10), Until: domain.NewDate(2027, 7, 24)},
	}
}

func waitingCandidates() []domain.User {
	return []domain.User{
		{ID: approverObjectID, DisplayName: "Helena Åberg", JobTitle: "Talous- ja henkilöstöjohtaja", AccountEnabled: true},
		{ID: mainUserObjectID, DisplayName: "Mikael Nordström", JobTitle: "Tietohallintopäällikkö", AccountEnabled: true},
	}
}

func init() {
	goldenSets = append(goldenSets, waitingGolden)
	evilSets = append(evilSets, waitingEvil)
}

func waitingGolden() map[string]func(p i18n.Printer) *Card {
	cat := defaultCatalog()
	approval := func(r domain.Request, reader string, interactive bool) func(p i18n.Printer) *Card {
		return func(p i18n.Printer) *Card {
			return Approval(p, ApprovalInput{Catalog: cat, Request: r, ApproverUserID: approverTeamsID,
				Interactive: interactive, Now: adminNow, People: adminPeople, Reader: reader})
		}
	}
	changed := func(reason domain.ReassignReason, reader string) func(p i18n.Printer) *Card {
		return func(p i18n.Printer) *Card {
			r := escalatedRequest(cat)
			ch := domain.ApproverChanged{Reason: reason, FromID: samiObjectID, FromName: "Sami Virtanen",
				ToID: approverObjectID, ToName: "Helena Åberg", Days: 7}
			if reason == domain.ReassignDelegated {
				r = delegatedRequest(cat)
				ch.ToID, ch.ToName = dinaObjectID, "Dina Korhonen"
			}
			return ApproverChanged(p, ApproverChangedInput{Catalog: cat, Request: r, Change: ch, Reader: reader})
		}
	}
	requester := payrollRequest(cat).RequesterID
	return map[string]func(p i18n.Printer) *Card{
		"approval-reminder": func(p i18n.Printer) *Card {
			return ApprovalReminder(p, ReminderInput{Catalog: cat, Request: payrollRequest(cat), Reminder: waitingReminder()})
		},
		"approval-escalated":          approval(escalatedRequest(cat), "", true),
		"approval-delegated":          approval(delegatedRequest(cat), "", false),
		"approval-moved":              approval(escalatedRequest(cat), samiObjectID, false),
		"approval-expired":            approval(expiredRequest(cat), approverObjectID, false),
		"changed-approver":            changed(domain.ReassignEscalated, samiObjectID),
		"changed-requester":           changed(domain.ReassignEscalated, requester),
		"changed-requester-delegated": changed(domain.ReassignDelegated, requester),
		"request-expired": func(p i18n.Printer) *Card {
			return RequestExpired(p, ExpiredInput{Catalog: cat, Request: expiredRequest(cat), Days: 20})
		},
		"request-status-expired": func(p i18n.Printer) *Card {
			return RequestStatus(p, RequestStatusInput{Catalog: cat, Request: expiredRequest(cat), Now: adminNow})
		},
		"request-status-escalated": func(p i18n.Printer) *Card {
			return RequestStatus(p, RequestStatusInput{Catalog: cat, Request: escalatedRequest(cat), Now: adminNow})
		},
		"delegation": func(p i18n.Printer) *Card {
			return Delegation(p, DelegationInput{Delegations: waitingDelegations(), Candidates: waitingCandidates(),
				Today: adminToday, Saved: p.Format("waiting.delegation.saved", "name", "Dina Korhonen", "from", "23.11.2026", "until", "27.11.2026")})
		},
		"delegation-nobody": func(p i18n.Printer) *Card {
			return Delegation(p, DelegationInput{Today: adminToday, Error: p.Get("err.delegate_self")})
		},
	}
}

func waitingEvil() map[string]evilCard {
	cat := defaultCatalog()
	evilEscalated := func() domain.Request {
		r := evilRequest(escalatedRequest(cat))
		r.Reassigned.FromName = evil("from")
		return r
	}
	evilDelegations := waitingDelegations()
	for i := range evilDelegations {
		evilDelegations[i].DelegateName = evil("delegate")
	}
	return map[string]evilCard{
		"approval-reminder": {"ApprovalReminder", []string{"requester", "department"}, func(p i18n.Printer) *Card {
			return ApprovalReminder(p, ReminderInput{Catalog: cat, Request: evilRequest(payrollRequest(cat)), Reminder: waitingReminder()})
		}},
		"approval-escalated": {"Approval", []string{"requester", "from", "approver"}, func(p i18n.Printer) *Card {
			return Approval(p, ApprovalInput{Catalog: cat, Request: evilEscalated(), Interactive: true, Now: adminNow})
		}},
		"approval-moved": {"Approval", []string{"requester", "from", "approver"}, func(p i18n.Printer) *Card {
			return Approval(p, ApprovalInput{Catalog: cat, Request: evilEscalated(), Now: adminNow, Reader: samiObjectID})
		}},
		"approval-expired": {"Approval", []string{"requester", "department"}, func(p i18n.Printer) *Card {
			return Approval(p, ApprovalInput{Catalog: cat, Request: evilRequest(expiredRequest(cat)), Now: adminNow})
		}},
		"changed": {"ApproverChanged", []string{"to", "requester"}, func(p i18n.Printer) *Card {
			return ApproverChanged(p, ApproverChangedInput{Catalog: cat, Request: evilRequest(payrollRequest(cat)),
				Change: domain.ApproverChanged{Reason: domain.ReassignEscalated, FromName: evil("from"), ToName: evil("to"), Days: 7},
				Reader: samiObjectID})
		}},
		"changed-requester": {"ApproverChanged", []string{"from", "to"}, func(p i18n.Printer) *Card {
			r := evilRequest(payrollRequest(cat))
			return ApproverChanged(p, ApproverChangedInput{Catalog: cat, Request: r,
				Change: domain.ApproverChanged{Reason: domain.ReassignEscalated, FromName: evil("from"), ToName: evil("to"), Days: 7},
				Reader: r.RequesterID})
		}},
		"request-expired": {"RequestExpired", nil, func(p i18n.Printer) *Card {
			return RequestExpired(p, ExpiredInput{Catalog: cat, Request: evilRequest(expiredRequest(cat)), Days: 20})
		}},
		"request-status-escalated": {"RequestStatus", []string{"approver", "from"}, func(p i18n.Printer) *Card {
			return RequestStatus(p, RequestStatusInput{Catalog: cat, Request: evilEscalated(), Now: adminNow})
		}},
		"delegation": {"Delegation", []string{"delegate", "error"}, func(p i18n.Printer) *Card {
			return Delegation(p, DelegationInput{Delegations: evilDelegations, Candidates: waitingCandidates(), Today: adminToday,
				Error: evil("error")})
		}},
	}
}

func TestReminderSaysSinceWhatNextAndWhatToDo(t *testing.T) {
	cat := mustCatalog(t)
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		c := ApprovalReminder(p, ReminderInput{Catalog: cat, Request: payrollRequest(cat), Reminder: waitingReminder()})
		text := empText(t, c)
		for _, want := range []string{"VB-2026-0042", "Anna Virtanen", Date(p.Lang, waitingSince),
			plural(p, "waiting.workdays", 3),
			p.Format("waiting.reminder.moves", "date", Date(p.Lang, domain.NewDate(2026, 11, 27).Time())),
			p.Format("waiting.reminder.expires", "date", Date(p.Lang, domain.NewDate(2026, 12, 16).Time())),
			p.Get("waiting.reminder.what")} {
			if !strings.Contains(text, want) {
				t.Errorf("reminder lacks %q", want)
			}
		}
		if v := empVerbs(t, c); !slices.Equal(v, []string{VerbApprovalOpen, VerbDelegationOpen}) {
			t.Errorf("verbs %v", v)
		}
		// Nobody else can decide it: the reminder does not promise that it moves.
		rem := waitingReminder()
		rem.MovesOn = domain.Date{}
		c = ApprovalReminder(p, ReminderInput{Catalog: cat, Request: payrollRequest(cat), Reminder: rem})
		if strings.Contains(empText(t, c), p.Format("waiting.reminder.moves", "date", Date(p.Lang, domain.NewDate(2026, 11, 27).Time()))) {
			t.Error("the reminder promises a move nobody can take")
		}
	})
}

func TestApprovalCardShowsWhyTheApproverChanged(t *testing.T) {
	cat := mustCatalog(t)
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		c := Approval(p, ApprovalInput{Catalog: cat, Request: delegatedRequest(cat), Now: adminNow})
		text := empText(t, c)
		if want := p.Format("waiting.approval.delegated", "from", "Sami Virtanen", "to", "Dina Korhonen"); !strings.Contains(text, want) {
			t.Errorf("the delegated card lacks %q", want)
		}
		c = Approval(p, ApprovalInput{Catalog: cat, Request: escalatedRequest(cat), Now: adminNow, Interactive: true})
		text = empText(t, c)
		if want := p.Format("waiting.approval.escalated", "from", "Sami Virtanen"); !strings.Contains(text, want) {
			t.Errorf("the escalated card lacks %q", want)
		}
		// The directory rule's line would be false: the head of department got it because Sami did not decide.
		if strings.Contains(text, p.Get("admin.approval.basis.department_head")) {
			t.Error("an escalated request is explained by the directory rule")
		}
	})
	if strings.Contains(empText(t, Approval(bundle.Printer(domain.Finnish), ApprovalInput{Catalog: cat, Request: delegatedRequest(cat)})),
		"Sami Virtanen on poissa; päättää sijaisena: Dina Korhonen.") == false {
		t.Error("the Finnish card does not say who decides for whom")
	}
}

func TestMovedCopyHasNothingToPress(t *testing.T) {
	cat := mustCatalog(t)
	r := escalatedRequest(cat)
	for _, reader := range []string{samiObjectID, "someone-earlier"} {
		c := Approval(bundle.Printer(domain.English), ApprovalInput{Catalog: cat, Request: r, ApproverUserID: "29:sami",
			Interactive: true, Now: adminNow, Reader: reader})
		if len(c.Actions) != 0 || c.Refresh != nil || len(empVerbs(t, c)) != 0 {
			t.Errorf("%s: a moved copy has actions %v or refresh %v", reader, c.Actions, c.Refresh)
		}
		if !strings.Contains(empText(t, c), "Helena Åberg decides on the request now.") {
			t.Errorf("%s: the moved copy does not say who decides", reader)
		}
	}
	// The approver's own copy stays live; so does a copy without a known reader.
	for _, reader := range []string{approverObjectID, ""} {
		c := Approval(bundle.Printer(domain.English), ApprovalInput{Catalog: cat, Request: r, ApproverUserID: approverTeamsID, Now: adminNow, Reader: reader})
		if c.Refresh == nil || !slices.Contains(empVerbs(t, c), VerbApprovalOpen) {
			t.Errorf("reader %q: the approver's copy lost its refresh or open button", reader)
		}
	}
}

func TestExpiredRequestCards(t *testing.T) {
	cat := mustCatalog(t)
	r := expiredRequest(cat)
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		notice := RequestExpired(p, ExpiredInput{Catalog: cat, Request: r, Days: 20})
		text := empText(t, notice)
		for _, want := range []string{p.Format("waiting.expired.title", "ref", r.Reference()), plural(p, "waiting.workdays", 20),
			p.Get("waiting.expired.what")} {
			if !strings.Contains(text, want) {
				t.Errorf("expired notice lacks %q", want)
			}
		}
		again := intakeData(t, notice)
		if again == nil || again.RoleID != "palkkasihteeri" {
			t.Errorf("ask again: %+v", again)
		}
		status := RequestStatus(p, RequestStatusInput{Catalog: cat, Request: r, Now: adminNow})
		stext := empText(t, status)
		if !strings.Contains(stext, p.Get("waiting.state.expired")) || strings.Contains(stext, p.Get("reqstatus.explain.cancelled")) {
			t.Error("the status card calls an expired request withdrawn")
		}
		if d := intakeData(t, status); d == nil || d.RoleID != "palkkasihteeri" {
			t.Errorf("status card ask again: %+v", d)
		}
		final := Approval(p, ApprovalInput{Catalog: cat, Request: r, Now: adminNow})
		ftext := empText(t, final)
		if !strings.Contains(ftext, p.Format("waiting.approval.expired.title", "ref", r.Reference())) ||
			strings.Contains(ftext, p.Get("admin.approval.final.cancelled.note")) || len(final.Actions) != 0 {
			t.Errorf("approval card of an expired request: %s", ftext)
		}
		if strings.Contains(ftext, domain.SystemActor) {
			t.Error("the card names the system as a person")
		}
	})
}

// intakeData is the data of the card's VerbIntakeOpen action, nil without one.
func intakeData(t *testing.T, c *Card) *IntakeData {
	t.Helper()
	for _, a := range empNodes(empDecode(t, c), "Action.Execute") {
		if a["verb"] == VerbIntakeOpen {
			raw, _ := json.Marshal(a["data"])
			var d IntakeData
			dec := json.NewDecoder(strings.NewReader(string(raw)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&d); err != nil {
				t.Fatal(err)
			}
			return &d
		}
	}
	return nil
}

func TestApproverChangedSpeaksToEachReader(t *testing.T) {
	cat := mustCatalog(t)
	r := escalatedRequest(cat)
	ch := domain.ApproverChanged{Reason: domain.ReassignEscalated, FromID: samiObjectID, FromName: "Sami Virtanen",
		ToID: approverObjectID, ToName: "Helena Åberg", Days: 7}
	p := bundle.Printer(domain.English)
	toRequester := empText(t, ApproverChanged(p, ApproverChangedInput{Catalog: cat, Request: r, Change: ch, Reader: r.RequesterID}))
	toSami := empText(t, ApproverChanged(p, ApproverChangedInput{Catalog: cat, Request: r, Change: ch, Reader: samiObjectID}))
	for _, want := range []string{"Your request VB-2026-0042 moved to another approver", "because Sami Virtanen did not",
		"Helena Åberg decides on it now", "7 working days", p.Get("waiting.changed.requester.what")} {
		if !strings.Contains(toRequester, want) {
			t.Errorf("to the requester: lacks %q in %s", want, toRequester)
		}
	}
	for _, want := range []string{"Anna Virtanen asked", "so Helena Åberg decides on it now", p.Get("waiting.changed.approver.what")} {
		if !strings.Contains(toSami, want) {
			t.Errorf("to the approver: lacks %q in %s", want, toSami)
		}
	}
	for _, reason := range []domain.ReassignReason{domain.ReassignEscalated, domain.ReassignDelegated, domain.ReassignReturned, "unknown"} {
		for _, reader := range []string{r.RequesterID, samiObjectID} {
			c := ApproverChanged(p, ApproverChangedInput{Catalog: cat, Request: r, Change: domain.ApproverChanged{Reason: reason, FromName: "A", ToName: "B"}, Reader: reader})
			if strings.Contains(empText(t, c), "waiting.") {
				t.Errorf("%s to %s: untranslated text", reason, reader)
			}
		}
	}
}

func TestDelegationCard(t *testing.T) {
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		c := Delegation(p, DelegationInput{Delegations: waitingDelegations(), Candidates: waitingCandidates(), Today: adminToday})
		m := empDecode(t, c)
		var ends []int64
		for _, a := range empNodes(m, "Action.Execute") {
			if a["verb"] == VerbDelegationEnd {
				raw, _ := json.Marshal(a["data"])
				var d DelegationData
				dec := json.NewDecoder(strings.NewReader(string(raw)))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&d); err != nil {
					t.Fatal(err)
				}
				ends = append(ends, d.DelegationID)
			}
		}
		if !slices.Equal(ends, []int64{7, 8}) {
			t.Errorf("end buttons for %v", ends)
		}
		text := empText(t, c)
		for _, want := range []string{
			p.Format("waiting.delegation.current", "name", "Dina Korhonen", "from", Date(p.Lang, domain.NewDate(2026, 11, 23).Time()), "until", Date(p.Lang, domain.NewDate(2026, 11, 27).Time())),
			p.Format("waiting.delegation.upcoming", "name", "Helena Åberg", "from", Date(p.Lang, domain.NewDate(2027, 7, 10).Time()), "until", Date(p.Lang, domain.NewDate(2027, 7, 24).Time())),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("lacks %q", want)
			}
		}
		inputs := map[string]map[string]any{}
		for _, in := range empNodes(m, "Input.Date", "Input.ChoiceSet") {
			inputs[in["id"].(string)] = in
		}
		if len(inputs) != 3 || inputs[ValidFromInput]["value"] != "2026-11-25" || inputs[ValidFromInput]["min"] != "2026-11-25" ||
			inputs[ValidUntilInput]["isRequired"] != true || len(inputs[DelegateInput]["choices"].([]any)) != 2 {
			t.Errorf("inputs %v", inputs)
		}
		if v := empVerbs(t, c); v[len(v)-1] != VerbDelegationSet {
			t.Errorf("verbs %v", v)
		}
		// Nobody to choose: no form, and whom to ask.
		c = Delegation(p, DelegationInput{Today: adminToday})
		if slices.Contains(empVerbs(t, c), VerbDelegationSet) || !strings.Contains(empText(t, c), p.Get("waiting.delegation.nobody")) {
			t.Error("a card without candidates offers the form")
		}
	})
}

// Every refusal of the new rules has a text in every language.
func TestWaitingErrorsAreWorded(t *testing.T) {
	for _, key := range []string{"err.approver_is_requester", "err.same_approver", "err.bad_reassignment", "err.delegate_self",
		"err.delegate_unavailable", "err.delegation_dates", "err.delegation_too_long", "err.delegation_overlaps",
		"err.not_delegator", "err.delegation_ended", "err.not_pending", "err.no_approver", "err.unknown_user"} {
		for _, l := range domain.Langs {
			if got := bundle.Printer(l).Get(key); got == key || got == "" {
				t.Errorf("%s: %s has no text", l, key)
			}
		}
	}
}
