package domain

import "testing"

// Clone is deep down to each item's task ids: the "before" of an audit row must not change with the "after".
func TestCloneCopiesItemTaskIDs(t *testing.T) {
	r := Request{Items: []RequestItem{{ID: 1, TaskIDs: []string{"a", "b"}}}}
	c := r.Clone()
	c.Items[0].TaskIDs[0] = "x"
	if r.Items[0].TaskIDs[0] != "a" {
		t.Fatal("the clone shares the items' task ids with the original")
	}
}

// A request that ends today gives the grant task no usable end date: the main user must choose one, rather than
// be offered a pair of dates CheckGrantDates refuses.
func TestGrantDefaultsEndingToday(t *testing.T) {
	today := NewDate(2026, 11, 25)
	from, until, _ := GrantDefaults(today, today)
	if !until.IsZero() {
		t.Fatalf("until %s for a request ending today", until)
	}
	if err := CheckGrantDates(today, from, today.AddDays(1)); err != nil {
		t.Fatal(err)
	}
}
