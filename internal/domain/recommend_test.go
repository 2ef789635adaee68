package domain

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestHoldingsOf(t *testing.T) {
	today := day(2026, 6, 15)
	mandate := func(theme string, state MandateState, from, until Date) Mandate {
		return Mandate{ID: int64(len(theme)), HolderID: requester, ThemeID: theme, State: state, ValidFrom: from.Time(), ValidUntil: until.Time()}
	}
	held := mandate("held", MandateActive, day(2025, 1, 1), day(2027, 1, 1))
	lastDay := mandate("last-day", MandateActive, day(2025, 1, 1), today)
	future := mandate("future", MandateActive, day(2026, 7, 1), day(2027, 7, 1))
	mandates := []Mandate{
		held,
		lastDay,
		future,
		mandate("expired", MandateActive, day(2024, 1, 1), today.AddDays(-1)),
		mandate("revoked", MandateRevoked, day(2025, 1, 1), day(2027, 1, 1)),
	}
	request := func(id int64, created int, state RequestState, items ...RequestItem) Request {
		return Request{ID: id, RequesterID: requester, State: state, CreatedAt: time.Date(created, 3, 1, 10, 0, 0, 0, time.UTC), Items: items}
	}
	item := func(theme string, s ItemState) RequestItem { return RequestItem{ThemeID: theme, State: s} }
	requests := []Request{
		request(7, 2026, RequestPending, item("asked", ItemPending), item("asked-too", ItemPending)),
		request(8, 2025, RequestApproved,
			item("to-grant", ItemApproved), item("rejected", ItemRejected), item("granted", ItemGranted), item("not-granted", ItemNotGranted)),
		request(9, 2026, RequestRejected, item("closed-rejected", ItemRejected)),
		request(10, 2026, RequestCompleted, item("closed-completed", ItemApproved)),
		request(11, 2026, RequestCancelled, item("closed-cancelled", ItemPending)),
	}
	h := HoldingsOf(today, mandates, requests)
	wantHeld := map[string]Mandate{"held": held, "last-day": lastDay, "future": future}
	if !reflect.DeepEqual(h.Held, wantHeld) {
		t.Errorf("Held\n got %+v\nwant %+v", h.Held, wantHeld)
	}
	wantPending := map[string]string{"asked": "VB-2026-0007", "asked-too": "VB-2026-0007", "to-grant": "VB-2025-0008"}
	if !reflect.DeepEqual(h.Pending, wantPending) {
		t.Errorf("Pending\n got %v\nwant %v", h.Pending, wantPending)
	}

	empty := HoldingsOf(today, nil, nil)
	if empty.Held == nil || empty.Pending == nil || len(empty.Held)+len(empty.Pending) != 0 {
		t.Errorf("holdings of nothing: %+v", empty)
	}
}

// Themes of the recommendation tests: policy months in the name's number.
var (
	themeA12     = Theme{ID: "a", DefaultValidityMonths: 12}
	themeB6      = Theme{ID: "b", DefaultValidityMonths: 6}
	themeHeld3   = Theme{ID: "held", DefaultValidityMonths: 3}
	themePend1   = Theme{ID: "pend", DefaultValidityMonths: 1}
	themeHidden1 = Theme{ID: "hidden", DefaultValidityMonths: 1, Hidden: true}
	themeX       = Theme{ID: "x", DefaultValidityMonths: 24}
	themeLong    = Theme{ID: "long", DefaultValidityMonths: 400}
	taskPayroll  = Task{ID: "payroll", Themes: []string{"a", "b"}}
	taskTax      = Task{ID: "tax", Themes: []string{"b"}}
	heldMandate  = Mandate{ID: 5, HolderID: requester, ThemeID: "held", State: MandateActive, ValidUntil: day(2027, 1, 1).Time()}
	pendingRefs  = map[string]string{"pend": "VB-2026-0007"}
)

func holdings() Holdings {
	return Holdings{Held: map[string]Mandate{"held": heldMandate}, Pending: pendingRefs}
}

// needs builds fresh needs for the themes, each with its look-alikes.
func needs(themes ...Theme) []Need {
	lookAlikes := map[string][]Theme{"a": {themeB6, themeX}, "b": {themeA12}, "held": {themeA12, themeHidden1}}
	tasks := map[string][]Task{"a": {taskPayroll}, "b": {taskPayroll, taskTax}}
	var out []Need
	for _, th := range themes {
		out = append(out, Need{Theme: th, Tasks: tasks[th.ID], Covered: th.ID != "b", LookAlikes: slices.Clone(lookAlikes[th.ID])})
	}
	return out
}

func themeIDs(ts []Theme) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func TestRecommend(t *testing.T) {
	today := day(2026, 6, 15)
	in := needs(themeA12, themeB6, themeHeld3, themePend1, themeHidden1)
	taskIDs := []string{"payroll", "tax"}
	rec := Recommend(today, taskIDs, in, holdings())

	if !slices.Equal(rec.TaskIDs, taskIDs) {
		t.Errorf("TaskIDs %v", rec.TaskIDs)
	}
	type view struct {
		theme      string
		lookAlikes []string
		held       bool
		pending    string
		requested  bool
	}
	want := []view{
		{"a", []string{"x"}, false, "", true}, // b is needed itself: no warning about it
		{"b", []string{}, false, "", true},
		{"held", []string{"hidden"}, true, "", false}, // a is needed; hidden is no need, so its warning stays
		{"pend", []string{}, false, "VB-2026-0007", false},
	}
	var got []view
	for _, n := range rec.Needs {
		got = append(got, view{n.Theme.ID, themeIDs(n.LookAlikes), n.Held != nil, n.PendingReference, n.Requestable()})
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("needs\n got %+v\nwant %+v", got, want)
	}
	if h := rec.Needs[2].Held; *h != heldMandate {
		t.Errorf("Held %+v, want %+v", *h, heldMandate)
	}
	if !reflect.DeepEqual(rec.Needs[1].Tasks, []Task{taskPayroll, taskTax}) || rec.Needs[1].Covered || !rec.Needs[0].Covered {
		t.Errorf("tasks or coverage not kept: %+v", rec.Needs[:2])
	}
	// Shortest policy among the themes still to request: b's 6 months (held 3, pending 1 and hidden 1 do not count).
	if want := RequestValidity(today, 6); rec.Validity != want {
		t.Errorf("Validity %+v, want %+v", rec.Validity, want)
	}
	// The caller's needs are untouched.
	if !reflect.DeepEqual(in, needs(themeA12, themeB6, themeHeld3, themePend1, themeHidden1)) {
		t.Errorf("input needs mutated: %+v", in)
	}
}

func TestRecommendValidity(t *testing.T) {
	today := day(2026, 6, 15)
	tests := []struct {
		name   string
		themes []Theme
		months int // expected policy passed to RequestValidity
	}{
		{"shortest of two", []Theme{themeA12, themeB6}, 6},
		{"order does not matter", []Theme{themeB6, themeA12}, 6},
		{"held theme's shorter policy ignored", []Theme{themeA12, themeHeld3}, 12},
		{"pending theme's shorter policy ignored", []Theme{themePend1, themeA12}, 12},
		{"hidden theme's shorter policy ignored", []Theme{themeA12, themeHidden1}, 12},
		{"nothing to request: the general default", []Theme{themeHeld3, themePend1}, 0},
		{"no needs: the general default", nil, 0},
		{"a policy longer than 25 years is capped", []Theme{themeLong}, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := Recommend(today, nil, needs(tc.themes...), holdings())
			want := RequestValidity(today, tc.months)
			if rec.Validity != want {
				t.Fatalf("Validity %+v, want %+v", rec.Validity, want)
			}
		})
	}
	// Spelled out once, so that RequestValidity is not the only oracle.
	rec := Recommend(today, nil, needs(themeA12, themeB6), holdings())
	if rec.Validity.Default != day(2026, 12, 15) || rec.Validity.Max != day(2051, 6, 15) || rec.Validity.Min != day(2026, 6, 16) {
		t.Fatalf("Validity %+v", rec.Validity)
	}
}

func TestRecommendationRequestable(t *testing.T) {
	tests := []struct {
		name   string
		themes []Theme
		want   bool
	}{
		{"one to request", []Theme{themeHeld3, themeA12}, true},
		{"all held or pending", []Theme{themeHeld3, themePend1}, false},
		{"only hidden", []Theme{themeHidden1}, false},
		{"nothing", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := Recommend(day(2026, 6, 15), nil, needs(tc.themes...), holdings())
			if got := rec.Requestable(); got != tc.want {
				t.Fatalf("Requestable() = %v, want %v", got, tc.want)
			}
		})
	}
	for _, n := range []struct {
		need Need
		want bool
	}{
		{Need{}, true},
		{Need{Held: &heldMandate}, false},
		{Need{PendingReference: "VB-2026-0001"}, false},
	} {
		if got := n.need.Requestable(); got != n.want {
			t.Errorf("%+v.Requestable() = %v, want %v", n.need, got, n.want)
		}
	}
}

func TestNewItemsAndUncovered(t *testing.T) {
	noTasks := Theme{ID: "no-tasks", DefaultValidityMonths: 24}
	rec := Recommend(day(2026, 6, 15), []string{"payroll", "tax"},
		needs(themeHeld3, themeA12, themePend1, themeB6, themeHidden1, noTasks), holdings())
	items := rec.NewItems()
	want := []RequestItem{
		{ThemeID: "a", TaskIDs: []string{"payroll"}, Covered: true, State: ItemPending},
		{ThemeID: "b", TaskIDs: []string{"payroll", "tax"}, Covered: false, State: ItemPending},
		{ThemeID: "no-tasks", TaskIDs: nil, Covered: true, State: ItemPending},
	}
	if !reflect.DeepEqual(items, want) {
		t.Fatalf("NewItems\n got %+v\nwant %+v", items, want)
	}
	if got := Uncovered(items); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("Uncovered = %v", got)
	}

	nothing := Recommend(day(2026, 6, 15), nil, needs(themeHeld3, themePend1), holdings())
	if got := nothing.NewItems(); got != nil {
		t.Fatalf("NewItems with nothing to request = %+v", got)
	}

	tests := []struct {
		name  string
		items []RequestItem
		want  []string
	}{
		{"none", nil, nil},
		{"all covered", []RequestItem{{ThemeID: "a", Covered: true}, {ThemeID: "c", Covered: true}}, nil},
		{"two outside, in order", []RequestItem{{ThemeID: "z"}, {ThemeID: "a", Covered: true}, {ThemeID: "b"}}, []string{"z", "b"}},
	}
	for _, tc := range tests {
		t.Run("Uncovered "+tc.name, func(t *testing.T) {
			if got := Uncovered(tc.items); !slices.Equal(got, tc.want) {
				t.Fatalf("Uncovered = %v, want %v", got, tc.want)
			}
		})
	}
}
