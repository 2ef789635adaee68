package domain

import "testing"

func TestReviewPolicy(t *testing.T) {
	for name, tt := range map[string]struct {
		p  ReviewPolicy
		ok bool
	}{
		"none":                 {ReviewPolicy{}, true},
		"yearly":               {ReviewPolicy{EveryMonths: 12, FirstOn: "2027-03-01", AnswerWorkingDays: 15}, true},
		"no first day":         {ReviewPolicy{EveryMonths: 12}, false},
		"a bad first day":      {ReviewPolicy{EveryMonths: 6, FirstOn: "1.3.2027"}, false},
		"negative months":      {ReviewPolicy{EveryMonths: -1}, false},
		"too long to answer":   {ReviewPolicy{AnswerWorkingDays: 500}, false},
		"negative answer days": {ReviewPolicy{AnswerWorkingDays: -2}, false},
	} {
		if err := tt.p.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: %v", name, err)
		}
	}
	p := ReviewPolicy{EveryMonths: 6, FirstOn: "2027-03-01"}
	for today, want := range map[string]string{"2026-12-03": "2027-03-01", "2027-03-01": "2027-03-01",
		"2027-03-02": "2027-09-01", "2028-08-31": "2028-09-01"} {
		d, _ := ParseDate(today)
		if got, ok := p.NextCampaign(d); !ok || got.String() != want {
			t.Errorf("next campaign from %s: %s, want %s", today, got, want)
		}
	}
	if _, ok := (ReviewPolicy{}).NextCampaign(NewDate(2027, 1, 1)); ok {
		t.Error("a campaign without every_months")
	}
	if (ReviewPolicy{}).AnswerDays() != 15 {
		t.Error("the default time to answer is 15 working days")
	}
}

func TestReviewCheckDecisions(t *testing.T) {
	r := Review{ID: 1, ReviewerID: "boss", Items: []ReviewItem{{ID: 10}, {ID: 11, Decision: ReviewKeep}}}
	for name, tt := range map[string]struct {
		actor string
		d     map[int64]ReviewDecision
		code  string
	}{
		"the reviewer":           {"boss", map[int64]ReviewDecision{10: ReviewInvalidate}, ""},
		"the reviewer, any case": {"BOSS", map[int64]ReviewDecision{10: ReviewKeep}, ""},
		"someone else":           {"other", map[int64]ReviewDecision{10: ReviewKeep}, EForbidden},
		"nobody":                 {"", map[int64]ReviewDecision{10: ReviewKeep}, EForbidden},
		"an item of another":     {"boss", map[int64]ReviewDecision{99: ReviewKeep}, EForbidden},
		"a decided item":         {"boss", map[int64]ReviewDecision{11: ReviewInvalidate}, EConflict},
		"an unknown decision":    {"boss", map[int64]ReviewDecision{10: "delete"}, EInvalid},
		"nothing":                {"boss", nil, EInvalid},
	} {
		err := r.CheckDecisions(tt.actor, tt.d)
		if (tt.code == "" && err != nil) || (tt.code != "" && !IsCode(err, tt.code)) {
			t.Errorf("%s: %v, want %q", name, err, tt.code)
		}
	}
	if !r.Open() || r.Undecided() != 1 {
		t.Errorf("open %v, undecided %d", r.Open(), r.Undecided())
	}
}
