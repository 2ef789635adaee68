package app_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to dump the PostgreSQL schema

	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
)

// The forms a personal identity code takes when people paste it from Word, Outlook or a phone.
var codeForms = map[string]string{
	"hyphen":             "131052-308T",
	"en dash":            "131052–308T",
	"non-breaking":       "131052\u2011308T",
	"minus":              "131052\u2212308T",
	"full width":         "１３１０５２－３０８Ｔ",
	"zero width inside":  "1310\u200b52-308T",
	"soft hyphen inside": "131052-\u00ad308T",
	"lower case":         "131052-308t",
	"after an invalid":   "010101-0101 ja 131052-308T",
	"2023 century sign":  "131052Y308T",
}

// traces are what must not be found anywhere afterwards: the code's digits in any width and its check part.
var traces = []string{"131052", "１３１０５２", "1310\u200b52", "308T", "308t", "３０８"}

// Every form of the code, in every input a person has (their Teams name, chat text, the justification, the
// rejection and could-not-grant reasons, card data), is refused or removed: afterwards no table of the register
// (SQLite file and WAL, PostgreSQL dump) and no log line holds it.
func TestIdentityCodeInEveryInputNeverStored(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		h := newHarness(t, fastOutbox, withoutRateLimits)
		tryEveryInput(t, h)
		h.stop()
		for _, f := range []string{h.dbPath, h.dbPath + "-wal"} {
			raw, err := os.ReadFile(f)
			if err != nil && f != h.dbPath {
				continue // the WAL was checkpointed into the file when the service closed it
			}
			checkNoTrace(t, filepath.Base(f), string(raw))
		}
		checkNoTrace(t, "log", h.logs.String())
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := sqltest.PostgresDSN(t)
		h := newHarness(t, fastOutbox, withoutRateLimits, withEnv("VALTUUS_DATABASE_URL", dsn))
		tryEveryInput(t, h)
		checkNoTrace(t, "postgres dump", dumpPostgres(t, dsn))
		checkNoTrace(t, "log", h.logs.String())
	})
}

func tryEveryInput(t *testing.T, h *harness) {
	const sami = "7c1e4a52-0000-4000-8000-000000000002"
	for _, who := range []string{elina, sami, mikael} {
		h.say(who, "hei")
	}
	refused := 0
	for name, code := range codeForms {
		// Teams' display name of the sender.
		act := h.activity("message", elina, "fi-FI", "hei")
		act["from"].(map[string]any)["name"] = "Elina " + code
		h.send(act)
		// Chat text.
		before := len(h.conn.Sent())
		h.send(h.activity("message", elina, "fi-FI", "tarvitsenko tätä: "+code))
		if sent := h.conn.WaitForSent(t, before+1, 0); !strings.Contains(sent[len(sent)-1].Activity.Text, "henkilötunnuksen") {
			t.Errorf("%s in chat: answered %q", name, sent[len(sent)-1].Activity.Text)
		}
		// The justification.
		r := h.invoke(elina, "requestSubmit", map[string]any{"taskIds": []string{"palkkatietojen-ilmoittaminen"},
			"justification": "Palkat, hetuni " + code, "validUntil": "2027-12-31"})
		if !strings.Contains(string(r.Value), "henkilötunnus") {
			t.Errorf("%s in the justification: %.300s", name, r.Value)
		}
		// Card data the bot never wrote.
		h.invoke(elina, "intakeSubmit", map[string]any{"tasks_palkat-henkilosto": code})
		h.invoke(elina, "requestSubmit", map[string]any{"taskIds": []string{code}, "justification": "x", "validUntil": "2027-12-31"})
		h.invoke(elina, "verb-"+code, map[string]any{"note": code})
		refused++
	}
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	for name, code := range codeForms {
		r := h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "rejectAll", "reason": "Ei: " + code})
		if !strings.Contains(string(r.Value), "henkilötunnus") {
			t.Errorf("%s in a rejection reason: %.300s", name, r.Value)
		}
	}
	h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll"})
	for name, code := range codeForms {
		r := h.invoke(mikael, "grantFailed", map[string]any{"requestId": id, "reason": "Puuttuu " + code})
		if !strings.Contains(string(r.Value), "henkilötunnus") {
			t.Errorf("%s in a could-not-grant reason: %.300s", name, r.Value)
		}
	}
	h.waitOutbox(t)
	if refused != len(codeForms) {
		t.Fatal("not every form was tried")
	}
}

func checkNoTrace(t *testing.T, where, text string) {
	t.Helper()
	if len(text) == 0 && where != "log" {
		t.Fatalf("%s is empty: nothing was checked", where)
	}
	for _, tr := range traces {
		if i := strings.Index(text, tr); i >= 0 {
			lo, hi := max(0, i-80), min(len(text), i+80)
			t.Errorf("%s holds %q: …%q…", where, tr, text[lo:hi])
		}
	}
}

// dumpPostgres is every row of every table of the test's schema, as text.
func dumpPostgres(t *testing.T, dsn string) string {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		_ = rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, table := range tables {
		var dump sql.NullString
		if err := db.QueryRow(`SELECT string_agg(t::text, E'\n') FROM "` + table + `" t`).Scan(&dump); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s\n%s\n", table, dump.String)
	}
	return b.String()
}
