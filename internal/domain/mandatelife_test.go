package domain

import (
	"testing"
	"time"
)

func lifeMandate() Mandate {
	return Mandate{ID: 7, HolderID: "holder", ThemeID: "t", ValidFrom: NewDate(2026, 1, 1).Time(),
		ValidUntil: NewDate(2027, 1, 31).Time(), State: MandateActive}
}

func TestLetLapse(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	m := lifeMandate()
	if err := m.LetLapse("holder", at, NewDate(2026, 12, 1)); err != nil || !m.Lapsing() || m.LapseBy != "holder" || !m.LapseAt.Equal(at) {
		t.Fatalf("LetLapse = %v, %+v", err, m)
	}
	if err := m.LetLapse("boss", at, NewDate(2026, 12, 2)); !IsCode(err, EConflict) || m.LapseBy != "holder" {
		t.Errorf("second LetLapse = %v, %+v", err, m)
	}
	// Its last day is still in force; the day after it has ended.
	last := lifeMandate()
	if err := last.LetLapse("holder", at, NewDate(2027, 1, 31)); err != nil {
		t.Errorf("LetLapse on the last day = %v", err)
	}
	after := lifeMandate()
	if err := after.LetLapse("holder", at, NewDate(2027, 2, 1)); !IsCode(err, EConflict) || after.Lapsing() {
		t.Errorf("LetLapse after the end = %v", err)
	}
	revoked := lifeMandate()
	revoked.State = MandateRevoked
	if err := revoked.LetLapse("holder", at, NewDate(2026, 12, 1)); !IsCode(err, EConflict) {
		t.Errorf("LetLapse of a revoked mandate = %v", err)
	}
	if err := revoked.Renewable(NewDate(2026, 12, 1)); !IsCode(err, EConflict) {
		t.Errorf("Renewable(revoked) = %v", err)
	}
	if err := m.Renewable(NewDate(2026, 12, 1)); err != nil {
		t.Errorf("a lapsing mandate can still be renewed: %v", err)
	}
}

func TestRenewalValidity(t *testing.T) {
	m := lifeMandate()
	start := m.RenewalStart()
	if start != NewDate(2027, 1, 31) {
		t.Fatalf("RenewalStart = %v", start)
	}
	th := Theme{ID: "t", DefaultValidityMonths: 12, MaxValidityMonths: 24}
	v := RenewalValidity(start, th, Date{})
	if v.Min != NewDate(2027, 2, 1) || v.Default != NewDate(2028, 1, 31) || v.Max != NewDate(2029, 1, 31) || v.CappedBy != CapThemePolicy {
		t.Errorf("RenewalValidity = %+v", v)
	}
	// A fixed-term employment ending first caps it.
	v = RenewalValidity(start, th, NewDate(2027, 6, 30))
	if v.Max != NewDate(2027, 6, 30) || v.Default != NewDate(2027, 6, 30) || v.CappedBy != CapContractEnd {
		t.Errorf("capped by the contract: %+v", v)
	}
	if v := RenewalValidity(start, th, NewDate(2027, 1, 31)); v.Open() {
		t.Errorf("a contract ending on the old end date leaves nothing to renew: %+v", v)
	}
}

func TestCheckInvalidationRequest(t *testing.T) {
	m := lifeMandate()
	today := NewDate(2026, 12, 1)
	tests := []struct {
		name                 string
		actor                string
		mainUser, supervisor bool
		day                  Date
		want                 InvalidationRole
		code                 string
	}{
		{"main user", "mu", true, false, today, InvalidationByMainUser, ""},
		{"main user who is also the supervisor", "mu", true, true, today, InvalidationByMainUser, ""},
		{"supervisor", "boss", false, true, today, InvalidationBySupervisor, ""},
		{"holder", "holder", false, false, today, "", EForbidden},
		{"holder who is their own manager in the data", "holder", false, true, today, "", EForbidden},
		{"anyone else", "x", false, false, today, "", EForbidden},
		{"no actor", "", true, false, today, "", EForbidden},
		{"ended", "mu", true, false, NewDate(2027, 2, 1), "", EConflict},
	}
	for _, tc := range tests {
		role, err := m.CheckInvalidationRequest(tc.actor, tc.mainUser, tc.supervisor, tc.day)
		if role != tc.want || ErrorCode(err) != tc.code {
			t.Errorf("%s: %q, %v; want %q, %q", tc.name, role, err, tc.want, tc.code)
		}
	}
}

func TestCheckInvalidatedOn(t *testing.T) {
	inv := Invalidation{MandateID: 7, RequestedAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}
	today := NewDate(2026, 12, 1)
	for on, code := range map[Date]string{
		{}:                    EInvalid,
		NewDate(2026, 12, 2):  EInvalid, // the future
		NewDate(2026, 11, 19): EInvalid, // before the task was opened
		NewDate(2026, 11, 20): "",
		NewDate(2026, 12, 1):  "",
		NewDate(2026, 10, 31): EInvalid,
	} {
		if err := inv.CheckInvalidatedOn(today, on); ErrorCode(err) != code {
			t.Errorf("CheckInvalidatedOn(%v) = %v, want %q", on, err, code)
		}
	}
}
