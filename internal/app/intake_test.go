package app_test

import (
	"context"
	"slices"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// submitDataOf is the data of the recommendation's request button: the role and tasks the request would be for.
func submitDataOf(t *testing.T, c map[string]any) (role string, tasks []string) {
	t.Helper()
	actions, _ := c["actions"].([]any)
	for _, a := range actions {
		a := a.(map[string]any)
		if a["verb"] != "requestSubmit" {
			continue
		}
		data := a["data"].(map[string]any)
		role, _ = data["roleId"].(string)
		for _, id := range data["taskIds"].([]any) {
			tasks = append(tasks, id.(string))
		}
		return role, tasks
	}
	t.Fatalf("no recommendation with a request form: %.800s", cardText(c))
	return "", nil
}

// A new employee picks a role in the intake card's dropdown and taps the main button, nothing ticked: the
// recommendation is for the role's tasks, and the request it files names them. Nothing chosen asks for a role or a
// task. Card data naming a role, area or task the catalog lacks (or a task under another area) is refused with an
// error, and nothing is filed.
func TestNewEmployeeIntakeByRole(t *testing.T) {
	h := newHarness(t, fastOutbox)
	h.say(oskar, "hei")
	h.say(leo, "hei") // Oskar's approver: no supervisor in the directory, so the head of his department
	ctx := context.Background()

	// Tampered cards first: each is refused and leaves nothing behind.
	for name, data := range map[string]map[string]any{
		"unknown role":              {"role": "paakayttaja"},
		"unknown role in card data": {"roleId": "paakayttaja", "role": "koulusihteeri"},
		"unknown task":              {"role": "koulusihteeri", "tasks_avustukset-rahoitus": "okm-avustushakemusten-valmistelu,kaikki-valtuudet"},
		"task under another area":   {"tasks_verotus": "okm-avustushakemusten-valmistelu"},
		"unknown area":              {"tasks_kaikki": "veroasiat-omavero"},
	} {
		if r := h.invoke(oskar, "intakeSubmit", data); r.Type != "application/vnd.microsoft.error" {
			t.Errorf("%s: answered %s %.300s, want the tap refused", name, r.Type, r.Value)
		}
	}
	if r := h.invoke(oskar, "requestSubmit", map[string]any{"roleId": "paakayttaja", "taskIds": []string{"okm-avustushakemusten-valmistelu"},
		"justification": "Valmistelen koulun avustushakemuksia.", "validUntil": "2027-12-31"}); r.Type == "application/vnd.microsoft.card.adaptive" && contains(string(r.Value), "VB-") {
		t.Errorf("a request with an unknown role was filed: %.300s", r.Value)
	}
	if rs, err := h.app.DB.Register.RequestsByRequester(ctx, oskar, 10); err != nil || len(rs) != 0 {
		t.Fatalf("after refused taps Oskar has %d requests (%v)", len(rs), err)
	}

	// Neither a role nor a task: the intake again, asking for one.
	if c := h.invoke(oskar, "intakeSubmit", map[string]any{}).card(t); !contains(cardText(c), "Valitse rooli tai vähintään yksi tehtävä.", "intakeSubmit") {
		t.Fatalf("nothing chosen: %.600s", cardText(c))
	}

	// The role, and the main button.
	rec := h.invoke(oskar, "intakeSubmit", map[string]any{"role": "koulusihteeri"}).card(t)
	role, tasks := submitDataOf(t, rec)
	if role != "koulusihteeri" || !slices.Equal(tasks, []string{"okm-avustushakemusten-valmistelu"}) ||
		!contains(cardText(rec), "Valtionavustusten hakemisen valmistelu") {
		t.Fatalf("recommendation for the school secretary: role %q tasks %v\n%.800s", role, tasks, cardText(rec))
	}
	st := h.invoke(oskar, "requestSubmit", map[string]any{"roleId": role, "taskIds": tasks,
		"justification": "Valmistelen koulun valtionavustushakemuksia.", "validUntil": "2027-12-31"}).card(t)
	r, err := h.app.DB.Register.Request(ctx, requestIDOf(t, st))
	if err != nil || r.RequesterID != oskar || r.RoleID != "koulusihteeri" || r.State != domain.RequestPending ||
		len(r.Items) != 1 || r.Items[0].ThemeID != "okm-valtionavustukset-valmistelu" || r.ApproverID != leo {
		t.Fatalf("filed request %+v (%v): want the school secretary's theme, approved by the head of department", r, err)
	}
	h.waitOutbox(t)
	toLeo := sentTo(h.conn.Sent(), leo)
	if len(toLeo) < 2 || !contains(cardText(card(t, toLeo[len(toLeo)-1])), r.Reference()) {
		t.Fatalf("the approval card did not reach Leo (%d messages)", len(toLeo))
	}
}
