package cards

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() {
	goldenSets = append(goldenSets, mandateGolden)
	evilSets = append(evilSets, mandateEvil)
}

// mandateEvil builds every mandate card from hostile directory data (names, department).
func mandateEvil() map[string]evilCard {
	cat := defaultCatalog()
	view := func() MandateView {
		v := payView()
		v.Mandate.HolderName, v.Mandate.Department = evil("holder"), evil("department")
		v.People = map[string]string{mandateBoss: evil("asker"), mandateMain: evil("confirmer")}
		return v
	}
	asked := view()
	asked.Invalidation = openInvalidation(domain.InvalidationBySupervisor, mandateBoss)
	confirmed := view()
	confirmed.Invalidation = openInvalidation(domain.InvalidationBySupervisor, mandateBoss)
	confirmed.Invalidation.ConfirmedBy, confirmed.Invalidation.ConfirmedAt = mandateMain, mandateToday
	confirmed.Invalidation.InvalidatedOn = domain.DateOf(mandateToday)
	lapsing := view()
	lapsing.Mandate.LapseBy, lapsing.Mandate.LapseAt = mandateBoss, mandateToday
	list := mandateListInput(cat, 3, true, 0)
	for i := range list.Mandates {
		list.Mandates[i].HolderName = evil("holder")
	}
	return map[string]evilCard{
		"expiry-supervisor": {"ExpiryNotice", []string{"holder", "department"}, func(p i18n.Printer) *Card {
			return ExpiryNotice(p, ExpiryInput{Catalog: cat, View: view(), ForSupervisor: true, MayRenew: true, MayLapse: true})
		}},
		"expiry-lapsing": {"ExpiryNotice", []string{"holder", "asker"}, func(p i18n.Printer) *Card {
			return ExpiryNotice(p, ExpiryInput{Catalog: cat, View: lapsing})
		}},
		"expired": {"ExpiredNotice", []string{"holder", "department"}, func(p i18n.Printer) *Card {
			return ExpiredNotice(p, MandateNoticeInput{Catalog: cat, View: view()})
		}},
		"revoked": {"RevokedNotice", []string{"holder"}, func(p i18n.Printer) *Card {
			return RevokedNotice(p, MandateNoticeInput{Catalog: cat, View: confirmed})
		}},
		"invalidate-form": {"InvalidationForm", []string{"holder", "asker"}, func(p i18n.Printer) *Card {
			return InvalidationForm(p, InvalidationFormInput{Catalog: cat, View: asked, MainUser: true})
		}},
		"invalidation-task": {"InvalidationTask", []string{"holder", "department", "asker"}, func(p i18n.Printer) *Card {
			return InvalidationTask(p, InvalidationTaskInput{Catalog: cat, View: asked, MayConfirm: true, Reminder: 2})
		}},
		"invalidation-task-done": {"InvalidationTask", []string{"holder", "confirmer"}, func(p i18n.Printer) *Card {
			return InvalidationTask(p, InvalidationTaskInput{Catalog: cat, View: confirmed})
		}},
		"mandate-list": {"MandateList", []string{"holder"}, func(p i18n.Printer) *Card { return MandateList(p, list) }},
	}
}

const (
	mandateHolder = "7c1e4a52-0000-4000-8000-000000000001"
	mandateBoss   = "7c1e4a52-0000-4000-8000-000000000002"
	mandateMain   = "7c1e4a52-0000-4000-8000-000000000004"
)

var mandateToday = time.Date(2027, 1, 7, 0, 0, 0, 0, time.UTC)

// payMandate is Anna Virtanen's mandate for the Incomes Register's pay data, ending on 7.3.2027.
func payMandate() domain.Mandate {
	return domain.Mandate{ID: 17, HolderID: mandateHolder, HolderName: "Anna Virtanen", Department: "Talous- ja henkilöstöpalvelut",
		ThemeID: "tulorekisteri-palkkatiedot-ilmoittaminen", ValidFrom: time.Date(2025, 3, 8, 0, 0, 0, 0, time.UTC),
		ValidUntil: time.Date(2027, 3, 7, 0, 0, 0, 0, time.UTC), State: domain.MandateActive, RequestID: 42, ItemID: 101}
}

var mandatePeople = map[string]string{mandateHolder: "Anna Virtanen", mandateBoss: "Sami Virtanen", mandateMain: "Mikael Nordström"}

func payView() MandateView {
	return MandateView{Mandate: payMandate(), Today: mandateToday, People: mandatePeople}
}

func openInvalidation(role domain.InvalidationRole, by string) domain.Invalidation {
	return domain.Invalidation{MandateID: 17, RequestedBy: by, RequestedRole: role,
		RequestedAt: time.Date(2027, 1, 4, 9, 30, 0, 0, time.UTC), Reason: "Siirtyi [toiseen](https://x.example) yksikköön *heti*"}
}

func mandateGolden() map[string]func(p i18n.Printer) *Card {
	cat := defaultCatalog()
	renewFrom, renewUntil := time.Date(2027, 3, 7, 0, 0, 0, 0, time.UTC), time.Date(2030, 3, 7, 0, 0, 0, 0, time.UTC)
	lapsing := payView()
	lapsing.Mandate.LapseBy, lapsing.Mandate.LapseAt = mandateBoss, time.Date(2027, 1, 7, 9, 0, 0, 0, time.UTC)
	renewing := payView()
	renewing.Renewal = domain.Request{ID: 57, CreatedAt: mandateToday, State: domain.RequestPending, RenewsMandateID: 17}
	ended := payView()
	ended.Today = time.Date(2027, 3, 8, 0, 0, 0, 0, time.UTC)
	revoked := payView()
	revoked.Mandate.State = domain.MandateRevoked
	revoked.Invalidation = openInvalidation(domain.InvalidationBySupervisor, mandateBoss)
	revoked.Invalidation.ConfirmedBy, revoked.Invalidation.ConfirmedAt = mandateMain, time.Date(2027, 1, 7, 12, 0, 0, 0, time.UTC)
	revoked.Invalidation.InvalidatedOn = domain.NewDate(2027, 1, 7)
	bySupervisor := payView()
	bySupervisor.Invalidation = openInvalidation(domain.InvalidationBySupervisor, mandateBoss)
	byMainUser := payView()
	byMainUser.Invalidation = openInvalidation(domain.InvalidationByMainUser, mandateMain)
	task := func(v MandateView, reminder int) InvalidationTaskInput {
		return InvalidationTaskInput{Catalog: cat, View: v, OrgName: porvoo, BusinessID: "1061512-1", Reminder: reminder,
			OtherMandates: 2, MayConfirm: v.Invalidation.Open()}
	}
	return map[string]func(p i18n.Printer) *Card{
		"expiry-holder": func(p i18n.Printer) *Card {
			return ExpiryNotice(p, ExpiryInput{Catalog: cat, View: payView(), MayRenew: true, MayLapse: true, RenewFrom: renewFrom, RenewUntil: renewUntil})
		},
		"expiry-supervisor": func(p i18n.Printer) *Card {
			return ExpiryNotice(p, ExpiryInput{Catalog: cat, View: payView(), ForSupervisor: true, MayRenew: true, MayLapse: true, RenewFrom: renewFrom, RenewUntil: renewUntil})
		},
		"expiry-lapsing": func(p i18n.Printer) *Card {
			return ExpiryNotice(p, ExpiryInput{Catalog: cat, View: lapsing})
		},
		"expiry-renewing": func(p i18n.Printer) *Card {
			return ExpiryNotice(p, ExpiryInput{Catalog: cat, View: renewing, ForSupervisor: true})
		},
		"expired": func(p i18n.Printer) *Card { return ExpiredNotice(p, MandateNoticeInput{Catalog: cat, View: ended}) },
		"revoked": func(p i18n.Printer) *Card { return RevokedNotice(p, MandateNoticeInput{Catalog: cat, View: revoked}) },
		"invalidate-form-main-user": func(p i18n.Printer) *Card {
			return InvalidationForm(p, InvalidationFormInput{Catalog: cat, View: payView(), MainUser: true, MayAsk: true})
		},
		"invalidate-form-supervisor": func(p i18n.Printer) *Card {
			return InvalidationForm(p, InvalidationFormInput{Catalog: cat, View: payView(), MayAsk: true, Error: "Kirjoita syy."})
		},
		"invalidate-form-pending": func(p i18n.Printer) *Card {
			return InvalidationForm(p, InvalidationFormInput{Catalog: cat, View: bySupervisor, MainUser: true})
		},
		"invalidation-task":          func(p i18n.Printer) *Card { return InvalidationTask(p, task(bySupervisor, 0)) },
		"invalidation-task-reminder": func(p i18n.Printer) *Card { return InvalidationTask(p, task(byMainUser, 3)) },
		"invalidation-task-done":     func(p i18n.Printer) *Card { return InvalidationTask(p, task(revoked, 0)) },
		"mandate-list": func(p i18n.Printer) *Card {
			return MandateList(p, mandateListInput(cat, 20, true, 15))
		},
		"mandate-list-supervisor": func(p i18n.Printer) *Card {
			return MandateList(p, mandateListInput(cat, 2, false, 0))
		},
		"mandate-list-empty": func(p i18n.Printer) *Card { return MandateList(p, MandateListInput{Catalog: cat}) },
		"approval-renewal": func(p i18n.Printer) *Card {
			return Approval(p, ApprovalInput{Catalog: cat, Request: renewalRequest(cat), Interactive: true, Now: adminNow})
		},
		"grant-renewal": func(p i18n.Printer) *Card {
			return GrantTask(p, GrantTaskInput{Catalog: cat, Request: approvedRenewal(cat), OrgName: porvoo,
				BusinessID: "1061512-1", Today: adminToday})
		},
		"steps-renewal": func(p i18n.Printer) *Card {
			return RequestSteps(p, StepsInput{Catalog: cat, Request: approvedRenewal(cat), OrgName: porvoo, BusinessID: "1061512-1"})
		},
	}
}

// renewalRequest is the renewal of Anna's pay-data mandate: one theme, from its end date 7.3.2027.
func renewalRequest(cat *catalog.Catalog) domain.Request {
	r := payrollRequest(cat)
	r.Items = r.Items[:1]
	r.ValidFrom, r.ValidUntil, r.RenewsMandateID = payMandate().ValidUntil, time.Date(2030, 3, 7, 0, 0, 0, 0, time.UTC), 17
	return r
}

func approvedRenewal(cat *catalog.Catalog) domain.Request {
	r := renewalRequest(cat)
	r.State, r.GrantPath, r.DecidedBy, r.DecidedAt = domain.RequestApproved, domain.PathRequest, approverObjectID, adminNow
	r.Items[0].State = domain.ItemApproved
	return r
}

// A renewal says so to the approver and the main users, the grant task proposes the old end date as the start, and
// the employee's steps ask for it.
func TestRenewalOnTheRequestCards(t *testing.T) {
	cat := mustCatalog(t)
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		note := p.Format("mandate.renewal.note", "from", Date(p.Lang, payMandate().ValidUntil))
		approval := strings.Join(strs(decoded(t, Approval(p, ApprovalInput{Catalog: cat, Request: renewalRequest(cat), Now: adminNow}))), "\n")
		if !strings.Contains(approval, note) {
			t.Errorf("approval card lacks %q", note)
		}
		grant := decoded(t, GrantTask(p, GrantTaskInput{Catalog: cat, Request: approvedRenewal(cat), Today: adminToday}))
		if !strings.Contains(strings.Join(strs(grant), "\n"), note) {
			t.Errorf("grant task lacks %q", note)
		}
		for _, in := range nodes(grant, "Input.Date") {
			if in["id"] == ValidFromInput && in["value"] != "2027-03-07" {
				t.Errorf("the grant proposes the start %v", in["value"])
			}
		}
		steps := strings.Join(strs(decoded(t, RequestSteps(p, StepsInput{Catalog: cat, Request: approvedRenewal(cat)}))), "\n")
		if !strings.Contains(steps, "**"+Date(p.Lang, payMandate().ValidUntil)+"**") {
			t.Errorf("the steps do not give the start: %s", steps)
		}
		// A new request is not a renewal.
		if plain := strings.Join(strs(decoded(t, Approval(p, ApprovalInput{Catalog: cat, Request: payrollRequest(cat), Now: adminNow}))), "\n"); strings.Contains(plain, note) {
			t.Error("a new request reads as a renewal")
		}
	})
}

// mandateListInput is n mandates (every third left to lapse, the second with an open task).
func mandateListInput(cat *catalog.Catalog, n int, mainUser bool, offset int) MandateListInput {
	in := MandateListInput{Catalog: cat, MainUser: mainUser, Offset: offset, Invalidations: map[int64]domain.Invalidation{}}
	for i := range n {
		m := payMandate()
		m.ID, m.HolderName = int64(100+i), fmt.Sprintf("Henkilö %02d", i+1)
		if i%3 == 2 {
			m.LapseBy = mandateHolder
		}
		in.Mandates = append(in.Mandates, m)
	}
	if n > 1 {
		in.Invalidations[101] = openInvalidation(domain.InvalidationByMainUser, mandateMain)
	}
	return in
}

// verbsOf lists the verbs of a card's Action.Execute actions, in the body and at the bottom, sorted.
func verbsOf(m map[string]any) []string {
	var out []string
	for _, a := range nodes(m, "Action.Execute") {
		out = append(out, a["verb"].(string))
	}
	slices.Sort(out)
	return out
}

// bottomVerbs are the verbs of the card's own actions, in order.
func bottomVerbs(c *Card) []string {
	var out []string
	for _, a := range c.Actions {
		out = append(out, a.Verb)
	}
	return out
}

// The expiry notice offers Renew and Let it lapse only while the reader may use them, names the mandate and its
// end, and says why it came; once a choice was made it says so, without buttons.
func TestExpiryNoticeOffersTheChoiceOnlyWhileOpen(t *testing.T) {
	cat := mustCatalog(t)
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		c := ExpiryNotice(p, ExpiryInput{Catalog: cat, View: payView(), MayRenew: true, MayLapse: true})
		if got := bottomVerbs(c); !slices.Equal(got, []string{VerbMandateRenew, VerbMandateLapse}) || c.Actions[0].Style != "positive" {
			t.Errorf("actions %v", c.Actions)
		}
		m := decoded(t, c)
		for _, a := range nodes(m, "Action.Execute") {
			if d, _ := a["data"].(map[string]any); d["mandateId"] != float64(17) {
				t.Errorf("action data %v", a["data"])
			}
		}
		all := strings.Join(strs(m), "\n")
		for _, want := range []string{Date(p.Lang, payMandate().ValidUntil), "Anna Virtanen", p.Get("mandate.expiry.why.holder"),
			plural(p, "mandate.left", 59)} {
			if !strings.Contains(all, want) {
				t.Errorf("card lacks %q", want)
			}
		}
		if got := verbsOf(decoded(t, ExpiryNotice(p, ExpiryInput{Catalog: cat, View: payView(), MayLapse: true}))); len(got) != 1 || got[0] != VerbMandateLapse {
			t.Errorf("without the right to renew: %v", got)
		}
		lapsing := payView()
		lapsing.Mandate.LapseBy, lapsing.Mandate.LapseAt = mandateBoss, mandateToday
		m = decoded(t, ExpiryNotice(p, ExpiryInput{Catalog: cat, View: lapsing, MayRenew: true}))
		if got := verbsOf(m); len(got) != 1 || got[0] != VerbMyMandates {
			t.Errorf("after the choice the card offers %v", got)
		}
		if all := strings.Join(strs(m), "\n"); !strings.Contains(all, "Sami Virtanen") {
			t.Errorf("the card does not say who chose: %s", all)
		}
	})
}

// The task card gives the Suomi.fi steps with the organisation and the person, shows the reason as typed text, and
// asks for the day; once confirmed it has no inputs or actions.
func TestInvalidationTaskStepsAndConfirmation(t *testing.T) {
	cat := mustCatalog(t)
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		v := payView()
		v.Invalidation = openInvalidation(domain.InvalidationBySupervisor, mandateBoss)
		c := InvalidationTask(p, InvalidationTaskInput{Catalog: cat, View: v, OrgName: porvoo, BusinessID: "1061512-1", MayConfirm: true})
		m := decoded(t, c)
		all := strings.Join(strs(m), "\n")
		th, _ := cat.Theme("tulorekisteri-palkkatiedot-ilmoittaminen")
		for _, want := range []string{"1061512-1", porvoo.In(p.Lang), "Anna Virtanen", "Sami Virtanen", th.OfficialName.FI,
			SuomiFiMandatesURL, p.Get("mandate.task.done")} {
			if !strings.Contains(all, want) {
				t.Errorf("task lacks %q", want)
			}
		}
		if ids := inputIDs(m); len(ids) != 1 || ids[0] != InvalidatedOnInput {
			t.Errorf("inputs %v", ids)
		}
		if got := verbsOf(m); len(got) != 1 || got[0] != VerbInvalidationDone {
			t.Errorf("verbs %v", got)
		}
		// The reason people typed is never markdown.
		for _, tb := range nodes(m, "TextBlock") {
			if strings.Contains(tb["text"].(string), "https://x.example") {
				t.Errorf("typed reason in a TextBlock: %v", tb)
			}
		}
		if n := len(nodes(m, "RichTextBlock")); n != 1 {
			t.Errorf("%d RichTextBlocks, want the reason's", n)
		}
		// Without the right to confirm (not a main user) the steps are shown but nothing can be recorded.
		if got := verbsOf(decoded(t, InvalidationTask(p, InvalidationTaskInput{Catalog: cat, View: v}))); len(got) != 0 {
			t.Errorf("verbs without the right to confirm: %v", got)
		}
		v.Invalidation.ConfirmedBy, v.Invalidation.ConfirmedAt, v.Invalidation.InvalidatedOn = mandateMain, mandateToday, domain.DateOf(mandateToday)
		v.Mandate.State = domain.MandateRevoked
		done := decoded(t, InvalidationTask(p, InvalidationTaskInput{Catalog: cat, View: v, MayConfirm: true}))
		if len(nodes(done, "Action.")) != 0 || len(inputIDs(done)) != 0 {
			t.Errorf("the confirmed task still asks for something")
		}
		if all := strings.Join(strs(done), "\n"); !strings.Contains(all, "Mikael Nordström") || !strings.Contains(all, Date(p.Lang, mandateToday)) {
			t.Errorf("the confirmed task does not say who and when: %s", all)
		}
	})
}

// The list pages through the mandates, and a mandate with an open task has no button.
func TestMandateListPages(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.English)
	firstCard := MandateList(p, mandateListInput(cat, 20, true, 0))
	opens := 0
	for _, v := range verbsOf(decoded(t, firstCard)) {
		if v == VerbInvalidationOpen {
			opens++
		}
	}
	if opens != MandateListPage-1 { // one of the first page has an open task
		t.Errorf("%d invalidate buttons on the first page", opens)
	}
	if got := firstCard.Actions; len(got) != 1 || got[0].Verb != VerbMandateList || got[0].Data.(MandateListData).Offset != MandateListPage {
		t.Errorf("first page's actions: %+v", got)
	}
	last := decoded(t, MandateList(p, mandateListInput(cat, 20, true, 15)))
	all := strings.Join(strs(last), "\n")
	if !strings.Contains(all, "Henkilö 16") || strings.Contains(all, "Henkilö 15") || !strings.Contains(all, "16–20 of 20") {
		t.Errorf("second page: %s", all)
	}
	// An offset from old or tampered card data stays within the list.
	if c := MandateList(p, mandateListInput(cat, 3, true, 999)); len(c.Body) < 4 {
		t.Errorf("offset beyond the end shows nothing: %+v", c.Body)
	}
	if c := MandateList(p, mandateListInput(cat, 3, true, -5)); len(c.Body) < 4 {
		t.Errorf("negative offset shows nothing: %+v", c.Body)
	}
}

// The employee's own list shows a mandate left to lapse as such.
func TestMyMandatesShowsTheLapse(t *testing.T) {
	cat := mustCatalog(t)
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		m := payMandate()
		in := MyMandatesInput{Catalog: cat, Mandates: []domain.Mandate{m}, Today: mandateToday}
		if all := strings.Join(strs(decoded(t, MyMandates(p, in))), "\n"); strings.Contains(all, p.Get("mandate.list.lapsing")) {
			t.Errorf("a mandate nobody let lapse shows as lapsing")
		}
		in.Mandates[0].LapseBy, in.Mandates[0].LapseAt = mandateHolder, mandateToday
		if all := strings.Join(strs(decoded(t, MyMandates(p, in))), "\n"); !strings.Contains(all, p.Get("mandate.list.lapsing")) {
			t.Errorf("the lapse is not shown: %s", all)
		}
	})
}
