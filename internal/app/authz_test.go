package app_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// dbDigest is a digest of every row of every table except the conversation references (each turn refreshes the
// sender's): two equal digests mean a call changed nothing in the register, the audit trail or the outbox.
func dbDigest(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('conversation_refs') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	h := sha256.New()
	for _, table := range tables {
		r, err := db.Query(`SELECT * FROM "` + table + `" ORDER BY rowid`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		n := 0
		for r.Next() {
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s|%v\n", table, vals)
			n++
		}
		r.Close()
		fmt.Fprintf(h, "%s rows %d\n", table, n)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Every card verb that names a request, from every actor who may not use it and with ids that do not belong
// together (another request, another request's item, a request that does not exist), is refused, and nothing
// changes in any table.
func TestAuthorisationMatrixWithTamperedIDs(t *testing.T) {
	h := newHarness(t, fastOutbox, withoutRateLimits)
	const (
		sami  = "7c1e4a52-0000-4000-8000-000000000002"
		dina  = "7c1e4a52-0000-4000-8000-000000000005"
		oskar = "7c1e4a52-0000-4000-8000-000000000006"
	)
	for _, who := range []string{elina, sami, helena, mikael, dina, oskar} {
		h.say(who, "hei")
	}
	a := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen") // pending; approver Sami
	recB := h.invoke(sami, "intakeSubmit", map[string]any{"tasks_verotus": "veroasiat-omavero"}).card(t)
	if !contains(cardText(recB), "requestSubmit") {
		t.Fatalf("Sami's recommendation: %s", cardText(recB))
	}
	b := requestIDOf(t, h.invoke(sami, "requestSubmit", map[string]any{"taskIds": []string{"veroasiat-omavero"},
		"justification": "Hoidan kaupungin verotusta.", "validUntil": "2027-06-30"}).card(t))
	if r := h.invoke(helena, "approvalDecide", map[string]any{"requestId": b, "decision": "approveAll"}); r.Type != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("Helena's approval: %+v", r)
	}
	h.waitOutbox(t)
	reqA, _ := h.app.Workflow.Store.Request(t.Context(), a)
	reqB, _ := h.app.Workflow.Store.Request(t.Context(), b)
	itemA, itemB := fmt.Sprint(reqA.Items[0].ID), fmt.Sprint(reqB.Items[0].ID)
	if reqB.State != domain.RequestApproved {
		t.Fatalf("setup: B is %s", reqB.State)
	}
	const missing = 987654
	type call struct {
		verb string
		data map[string]any
	}
	cancel := func(id int64) call { return call{"requestCancel", map[string]any{"requestId": id, "confirm": true}} }
	decide := func(id int64, d string, extra ...string) call {
		data := map[string]any{"requestId": id, "decision": d, "reason": "ei tarvetta"}
		for _, it := range extra {
			data["item_"+it] = "true"
		}
		return call{"approvalDecide", data}
	}
	grant := func(id int64, extra ...string) call {
		data := map[string]any{"requestId": id, "validFrom": "2026-11-25", "validUntil": "2027-06-30"}
		for _, it := range extra {
			data["item_"+it] = "true"
		}
		return call{"grantDone", data}
	}
	notGranted := func(id int64, extra ...string) call {
		data := map[string]any{"requestId": id, "reason": "ei onnistu"}
		for _, it := range extra {
			data["item_"+it] = "true"
		}
		return call{"grantFailed", data}
	}
	// batch is the batch card's submit for the given requests (each with its dates) and ticked items. B's
	// valtuuspyyntö has not been sent, so it is in no batch: even the main user records nothing for it.
	batch := func(ids []int64, items ...string) call {
		data := map[string]any{"path": "valtuuspyynto", "requestIds": ids}
		for _, id := range ids {
			data[fmt.Sprint("validFrom_", id)], data[fmt.Sprint("validUntil_", id)] = "2026-11-25", "2027-06-30"
		}
		for _, it := range items {
			data["item_"+it] = "true"
		}
		return call{"grantBatchDone", data}
	}
	refused := map[string][]call{
		elina:  {cancel(b), cancel(missing), decide(a, "approveAll"), decide(b, "rejectAll"), grant(b), notGranted(b), grant(a), batch([]int64{b}, itemB)},
		sami:   {cancel(a), decide(b, "approveAll"), decide(a, "byItem", itemB), decide(missing, "approveAll"), grant(b), notGranted(b), batch([]int64{b}, itemB)},
		helena: {cancel(a), cancel(b), decide(a, "approveAll"), decide(b, "rejectAll"), grant(b), notGranted(b)},
		mikael: {cancel(a), cancel(b), decide(a, "approveAll"), grant(b, itemA), notGranted(b, itemA), grant(a), notGranted(a),
			grant(missing), call{"grantDone", map[string]any{"requestId": b, "validFrom": "2026-11-25", "validUntil": "2027-06-30", "item_" + itemB: "false"}},
			batch([]int64{b}, itemA), batch([]int64{b, missing}, itemB), batch([]int64{b}, itemB), batch([]int64{a}, itemA)},
		dina:  {cancel(a), decide(a, "approveAll"), decide(b, "byItem", itemB), grant(b), notGranted(b), {"approvalOpen", map[string]any{"requestId": a}}, batch([]int64{b}, itemB)},
		oskar: {cancel(b), decide(a, "rejectAll"), grant(b, itemB), {"grantOpen", map[string]any{"requestId": b}}, {"approvalOpen", map[string]any{"requestId": missing}}, batch([]int64{b}, itemB)},
	}
	before := dbDigest(t, h.dbPath)
	n := 0
	for who, calls := range refused {
		for _, c := range calls {
			r := h.invoke(who, c.verb, c.data)
			h.waitOutbox(t)
			if after := dbDigest(t, h.dbPath); after != before {
				t.Fatalf("%s by %s with %v changed the database", c.verb, who[len(who)-1:], c.data)
			}
			if r.Type == "application/vnd.microsoft.card.adaptive" && (strings.Contains(string(r.Value), `"verb":"grantDone"`) ||
				strings.Contains(string(r.Value), `"verb":"grantBatchDone"`)) && who != mikael {
				t.Errorf("%s by %s got a grant card", c.verb, who[len(who)-1:])
			}
			n++
		}
	}
	if n < 35 {
		t.Fatalf("only %d refusals tried", n)
	}
	// Controls: the rightful actors still can.
	if r := h.invoke(mikael, "grantDone", map[string]any{"requestId": b, "validFrom": "2026-11-25", "validUntil": "2027-06-30"}); r.Type != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("the main user's grant: %+v", r)
	}
	if got, _ := h.app.Workflow.Store.Request(t.Context(), b); got.State != domain.RequestCompleted {
		t.Fatalf("control grant did not complete B: %s", got.State)
	}
}
