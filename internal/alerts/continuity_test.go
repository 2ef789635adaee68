package alerts_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// movedDirectory is the demo directory with some people's records changed, as the directory looks after a move.
type movedDirectory struct {
	domain.Directory
	changed map[string]domain.User
}

func (d *movedDirectory) User(ctx context.Context, id string) (domain.User, error) {
	if u, ok := d.changed[id]; ok {
		return u, nil
	}
	return d.Directory.User(ctx, id)
}

// A holder of the right to grant who leaves warns the main users once, from the leaver event, and the daily check
// does not warn again; a holder who moves is noticed by the next daily check, once.
func TestContinuityHolderLeavesOrMoves(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		dir := &movedDirectory{Directory: w.alerts.Directory, changed: map[string]domain.User{}}
		w.alerts.Directory = dir
		if err := w.alerts.Start(ctx, w.db.Jobs); err != nil {
			t.Fatal(err)
		}
		w.runUntil(fiTime(2026, 11, 27, 20, 0))
		if got := w.of(domain.MsgContinuityAlert); len(got) != 0 {
			t.Fatalf("alerts with nothing in use and two holders: %v", got)
		}
		// Helena moves to another department: the next morning's check warns, once.
		helena, err := dir.Directory.User(ctx, headHelena)
		if err != nil {
			t.Fatal(err)
		}
		helena.Department = "Kaupunkikehitys"
		dir.changed[headHelena] = helena
		w.runUntil(fiTime(2026, 12, 4, 20, 0))
		moved := w.of(domain.MsgContinuityAlert)
		if len(moved) != 1 || moved[0].payload.(domain.ContinuityAlert).Reason != domain.ContinuityHolderMoved ||
			moved[0].String() != "continuity_alert→04@2026-11-30 08:00" {
			t.Fatalf("after the move: %v", moved)
		}
		// Then she leaves: the leaver event warns at once; the directory then shows her disabled, and the daily
		// checks stay quiet about it.
		w.clk.Set(fiTime(2026, 12, 7, 9, 0))
		w.event(domain.Leaver, headHelena, &domain.DirectoryPerson{User: helena}, nil, domain.NewDate(2026, 12, 7))
		helena.AccountEnabled = false
		dir.changed[headHelena] = helena
		w.runUntil(fiTime(2026, 12, 18, 20, 0))
		all := w.of(domain.MsgContinuityAlert)
		if len(all) != 2 || all[1].payload.(domain.ContinuityAlert).Reason != domain.ContinuityHolderLeft ||
			all[1].String() != "continuity_alert→04@2026-12-07 10:00" {
			t.Errorf("after leaving: %v", all)
		}
	})
}

// A leave the sync saw in advance that is withdrawn before its day (the directory shows the account with no leave
// day any more) does nothing on that day but its audit row.
func TestWithdrawnLeaveDoesNothing(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		w.grant(domain.NewDate(2027, 12, 31))
		before := len(w.delivered)
		elina := person(holderElina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "Palkkasihteeri", supervisorSami)
		left := *elina
		day := domain.NewDate(2027, 1, 15).Time()
		left.LeaveDate = &day
		w.event(domain.Leaver, holderElina, elina, &left, domain.NewDate(2027, 1, 15))
		// The demo directory shows Elina enabled with no leave day: the leave was withdrawn.
		w.runUntil(fiTime(2027, 1, 29, 20, 0))
		for _, d := range w.delivered[before:] {
			if d.Kind == domain.MsgLeaverTask {
				t.Errorf("a withdrawn leave made a task: %v", d)
			}
		}
		if w.actions("directory.leaver_withdrawn") != 1 || w.actions("directory.leaver") != 0 {
			t.Errorf("audit: withdrawn %d, leaver %d", w.actions("directory.leaver_withdrawn"), w.actions("directory.leaver"))
		}
	})
}

// The preview (the main users' "upcoming reminders") names a leaver's task on the leave day and a joiner's
// welcome in words, and never lists the daily continuity check by its job key.
func TestPreviewListsJoinersAndLeavers(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		if err := w.alerts.Start(ctx, w.db.Jobs); err != nil {
			t.Fatal(err)
		}
		w.event(domain.Joiner, newcomer, nil, person(newcomer, "Noora Uusi", "Talous- ja henkilöstöpalvelut", "Palkkasihteeri", supervisorSami),
			domain.NewDate(2026, 11, 26))
		w.event(domain.Leaver, holderElina, person(holderElina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "", supervisorSami), nil,
			domain.NewDate(2026, 12, 2))
		list, err := w.alerts.Preview(ctx, w.db.Jobs, w.clk.Now(), 10, i18n.MustLoad().Printer(domain.English))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range list {
			if strings.Contains(a.What, "/") {
				t.Errorf("a job listed by its key: %+v", a)
			}
			if a.Kind == domain.Joiner.JobKind() || a.Kind == domain.Leaver.JobKind() {
				got = append(got, a.At.In(expiryZone).Format("01-02 15:04")+" "+a.What)
			}
		}
		want := []string{
			"11-26 08:00 welcome to the newcomer Noora Uusi, and a notice to their supervisor",
			"12-02 08:00 invalidation task for all the mandates of Elina Lindholm, who leaves",
		}
		if !slices.Equal(got, want) {
			t.Errorf("preview:\n got %q\nwant %q", got, want)
		}
	})
}
