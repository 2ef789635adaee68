package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/state/statetest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakedrive"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

// withDrive lets the service download from and upload to the fake drive, as it does SharePoint's hosts.
func withDrive(d *fakedrive.Server) option {
	return func(_ map[string]string, o *app.Options) { o.FileHosts = []string{d.Host()} }
}

// onBothStores runs fn on SQLite with the state in memory, and on PostgreSQL with Redis; dsn is "" for SQLite.
func onBothStores(t *testing.T, fn func(t *testing.T, h *harness, d *fakedrive.Server, dsn string)) {
	t.Run("sqlite, memory", func(t *testing.T) {
		d := fakedrive.New(t)
		fn(t, newHarness(t, fastOutbox, withoutRateLimits, withDrive(d)), d, "")
	})
	t.Run("postgres, redis", func(t *testing.T) {
		dsn := sqltest.PostgresDSN(t)
		client, _ := statetest.RealRedis(t)
		opts := client.Options()
		d := fakedrive.New(t)
		fn(t, newHarness(t, fastOutbox, withoutRateLimits, withDrive(d), withEnv("VALTUUS_DATABASE_URL", dsn),
			withEnv("VALTUUS_REDIS_URL", fmt.Sprintf("redis://%s/%d", opts.Addr, opts.DB))), d, dsn)
	})
}

// mainUserList is a main user's list: three mandates of two people, one by a synonym ("Kelmu").
var mainUserList = strings.Join([]string{
	"Valtuudet 2026;;;;",
	"Nimi;Sähköposti;Valtuusasia;Myönnetty;Voimassa asti",
	"Elina Lindholm;elina.lindholm@porvoo.example;Palkkatietojen ilmoittaminen;1.1.2026;31.12.2028",
	"Elina Lindholm;ELINA.LINDHOLM@porvoo.example;Kelmu;1.1.2026;toistaiseksi",
	"Sami Virtanen;sami.virtanen@porvoo.example;Palkkatietojen ilmoittaminen;15.2.2026;30.6.2027",
}, "\r\n") + "\r\n"

// sendFile sends a file in the 1:1 chat, as Teams does after uploading it to the sender's OneDrive, and returns
// the activities the bot answered with.
func (h *harness) sendFile(t *testing.T, user, name string, data []byte, d *fakedrive.Server) []fakeconnector.Call {
	t.Helper()
	before := len(h.conn.Sent())
	act := h.activity("message", user, "fi-FI", "")
	act["attachments"] = []any{map[string]any{
		"contentType": "application/vnd.microsoft.teams.file.download.info",
		"contentUrl":  d.URL + "/personal/files/" + name, "name": name,
		"content": map[string]any{"downloadUrl": d.Put(data), "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C9D",
			"fileType": strings.TrimPrefix(filepath.Ext(name), ".")},
	}}
	h.send(act)
	return h.conn.Sent()[before:]
}

// consent taps Accept or Decline on a file consent card; on accept Teams opens the upload session up first.
func (h *harness) consent(t *testing.T, user, action, file string, up *fakedrive.Upload) (int, []fakeconnector.Call) {
	t.Helper()
	before := len(h.conn.Sent())
	act := h.activity("invoke", user, "fi-FI", "")
	act["name"] = "fileConsent/invoke"
	v := map[string]any{"type": "fileUpload", "action": action, "context": map[string]any{"file": file}}
	if up != nil {
		v["uploadInfo"] = map[string]any{"contentUrl": up.ContentURL, "name": up.Name, "uploadUrl": up.UploadURL,
			"uniqueId": up.UniqueID, "fileType": strings.TrimPrefix(filepath.Ext(up.Name), ".")}
	}
	act["value"] = v
	status, _ := h.post(act, h.token(fakeidp.TokenOptions{}))
	return status, h.conn.Sent()[before:]
}

// consentOffer is the file consent card among the activities: the file's name, its size and the context id.
func consentOffer(t *testing.T, calls []fakeconnector.Call) (name string, size int64, file string) {
	t.Helper()
	for _, c := range calls {
		for _, a := range c.Activity.Attachments {
			if a.ContentType != "application/vnd.microsoft.teams.card.file.consent" {
				continue
			}
			raw, _ := json.Marshal(a.Content)
			var content struct {
				SizeInBytes   int64 `json:"sizeInBytes"`
				AcceptContext struct {
					File string `json:"file"`
				} `json:"acceptContext"`
			}
			if err := json.Unmarshal(raw, &content); err != nil {
				t.Fatal(err)
			}
			return a.Name, content.SizeInBytes, content.AcceptContext.File
		}
	}
	t.Fatalf("no file consent card in %d activities", len(calls))
	return
}

// adaptive is the first Adaptive Card among the activities, as JSON text.
func adaptive(t *testing.T, calls []fakeconnector.Call) string {
	t.Helper()
	for _, c := range calls {
		for _, a := range c.Activity.Attachments {
			if a.ContentType == "application/vnd.microsoft.card.adaptive" {
				raw, _ := json.Marshal(a.Content)
				return string(raw)
			}
		}
	}
	t.Fatalf("no adaptive card in %d activities", len(calls))
	return ""
}

func sentTexts(calls []fakeconnector.Call) string {
	var b strings.Builder
	for _, c := range calls {
		b.WriteString(c.Activity.Text + "\n")
	}
	return b.String()
}

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func registerOf(t *testing.T, h *harness) []domain.Mandate {
	t.Helper()
	var ms []domain.Mandate
	if err := h.app.DB.Register.EachMandate(t.Context(), sqlstore.MandateFilter{}, func(m domain.Mandate) error {
		ms = append(ms, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ms
}

func auditActions(t *testing.T, h *harness) map[string]int {
	t.Helper()
	out := map[string]int{}
	if err := h.app.DB.Register.EachAudit(t.Context(), sqlstore.AuditFilter{}, func(e domain.AuditEvent) error {
		out[e.Action]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A main user sends their list in the 1:1 chat: the bot answers with the dry run's summary and the report as a
// file, and imports only on Import, once however often it is tapped, only the bytes the dry run read. Anyone else
// is refused before the file is even downloaded.
func TestImportFileInTeams(t *testing.T) {
	onBothStores(t, func(t *testing.T, h *harness, d *fakedrive.Server, _ string) {
		for _, u := range []string{elina, mikael} {
			h.say(u, "hei")
		}
		data := []byte(mainUserList)

		// Not a main user: refused, nothing downloaded.
		got := h.sendFile(t, elina, "valtuudet.csv", data, d)
		if len(got) != 1 || !strings.Contains(got[0].Activity.Text, "Vain pääkäyttäjä") || d.Downloads() != 0 {
			t.Fatalf("employee's file: %d downloads, answered %q", d.Downloads(), sentTexts(got))
		}

		// The dry run: a summary card with Import and Cancel bound to the file's checksum, and the report offered.
		got = h.sendFile(t, mikael, "valtuudet.csv", data, d)
		card := adaptive(t, got)
		if !contains(card, "Koeajo: valtuudet.csv", `"verb":"importFileRun"`, `"sha256":"`+sha(data)+`"`, `"verb":"importFileCancel"`) {
			t.Fatalf("dry run card: %s", card)
		}
		if ms := registerOf(t, h); len(ms) != 0 {
			t.Fatalf("the dry run wrote %d mandates", len(ms))
		}
		name, size, file := consentOffer(t, got)
		if name != "valtuudet-report.csv" || size <= 0 {
			t.Fatalf("report offered as %q (%d bytes)", name, size)
		}
		up := d.NewUpload(name)
		if status, sent := h.consent(t, mikael, "accept", file, up); status != http.StatusOK ||
			len(sent) != 1 || sent[0].Activity.Attachments[0].ContentType != "application/vnd.microsoft.teams.card.file.info" {
			t.Fatalf("report accept: %d %v", status, sentTexts(sent))
		}
		if report := string(d.Uploaded(up).Data); !strings.HasPrefix(report, "sheet,row,outcome,reason,person,theme,valid_until") ||
			strings.Count(report, ",imported,") != 3 || int64(len(report)) != size {
			t.Fatalf("report uploaded (%d bytes offered):\n%s", size, report)
		}

		// A checksum the bot did not put on the card, or someone else's tap: refused, nothing written.
		if r := h.invoke(mikael, "importFileRun", map[string]any{"sha256": sha([]byte("another file"))}); r.Type != "application/vnd.microsoft.error" {
			t.Fatalf("tampered checksum: %s %s", r.Type, r.Value)
		}
		if r := h.invoke(mikael, "importFileRun", map[string]any{"sha256": sha(data), "extra": "x"}); r.Type != "application/vnd.microsoft.error" {
			t.Fatalf("data the bot never wrote: %s %s", r.Type, r.Value)
		}
		if r := h.invoke(elina, "importFileRun", map[string]any{"sha256": sha(data)}); r.Type != "application/vnd.microsoft.error" {
			t.Fatalf("an employee's tap: %s %s", r.Type, r.Value)
		}
		if ms := registerOf(t, h); len(ms) != 0 {
			t.Fatalf("a refused tap wrote %d mandates", len(ms))
		}

		// A double tap: two taps at once import once.
		var wg sync.WaitGroup
		answers := make([]invokeResponse, 2)
		for i := range answers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				answers[i] = h.invoke(mikael, "importFileRun", map[string]any{"sha256": sha(data)})
			}()
		}
		wg.Wait()
		written := 0
		for _, a := range answers {
			if a.Type == "application/vnd.microsoft.card.adaptive" && strings.Contains(string(a.Value), "kirjattiin") {
				written++
			}
		}
		if written == 0 {
			t.Fatalf("no tap imported: %+v", answers)
		}
		if ms := registerOf(t, h); len(ms) != 3 {
			t.Fatalf("%d mandates after the import, want 3", len(ms))
		}
		if n := auditActions(t, h)["import.file"]; n != 1 {
			t.Fatalf("%d import.file audit rows, want 1", n)
		}
		var fileRow string
		_ = h.app.DB.Register.EachAudit(t.Context(), sqlstore.AuditFilter{}, func(e domain.AuditEvent) error {
			if e.Action == "import.file" {
				fileRow = string(e.After) + " by " + e.ActorID
			}
			return nil
		})
		if !contains(fileRow, `"file":"valtuudet.csv"`, `"sha256":"`+sha(data)+`"`, "by "+mikael) {
			t.Fatalf("the audit row: %s", fileRow)
		}
		// A later tap shows what was done and imports nothing.
		if r := h.invoke(mikael, "importFileRun", map[string]any{"sha256": sha(data)}); !strings.Contains(string(r.Value), "kirjattiin") {
			t.Fatalf("a later tap: %s %s", r.Type, r.Value)
		}
		if n := auditActions(t, h)["import.file"]; n != 1 || len(registerOf(t, h)) != 3 {
			t.Fatalf("a later tap imported again: %d audit rows", n)
		}

		// The same file again: nothing to change, no Import button. Cancel of a file forgets it.
		got = h.sendFile(t, mikael, "valtuudet.csv", data, d)
		if card := adaptive(t, got); strings.Contains(card, "importFileRun") || !strings.Contains(card, "Ei muutettavaa") {
			t.Fatalf("the same file again: %s", card)
		}
		other := []byte(strings.Replace(mainUserList, "30.6.2027", "31.7.2027", 1))
		h.sendFile(t, mikael, "muutettu.csv", other, d)
		if r := h.invoke(mikael, "importFileCancel", map[string]any{"sha256": sha(other)}); !strings.Contains(string(r.Value), "muutettu.csv") {
			t.Fatalf("cancel: %s", r.Value)
		}
		if r := h.invoke(mikael, "importFileRun", map[string]any{"sha256": sha(other)}); r.Type != "application/vnd.microsoft.error" {
			t.Fatalf("import after cancel: %s %s", r.Type, r.Value)
		}

		// Columns of the main user's own naming: no header row, and the card says so (not "nothing to change").
		own := []byte("Kuka;Oikeus;Loppuu\r\nelina.lindholm@porvoo.example;Veroasiat;31.12.2027\r\n")
		if card := adaptive(t, h.sendFile(t, mikael, "oma.csv", own, d)); strings.Contains(card, "importFileRun") ||
			!strings.Contains(card, "En löytänyt tiedostosta otsikkoriviä") || strings.Contains(card, "Ei muutettavaa") {
			t.Fatalf("a list without a header row: %s", card)
		}
	})
}

// A list whose person column has a name the import does not know: the dry run offers a field for each unrecognised
// column, Try with these columns makes the dry run of the same file with that mapping, Import imports with it and
// the audit row names it; a mapping the card could not have made (a column not in the file, an unknown field, a
// field twice) is refused and changes nothing.
func TestImportFileMappingInTeams(t *testing.T) {
	onBothStores(t, func(t *testing.T, h *harness, d *fakedrive.Server, _ string) {
		for _, u := range []string{elina, mikael} {
			h.say(u, "hei")
		}
		data := []byte(strings.Join([]string{
			"Valtuusasia;Valtuutettu henkilö;Voimassa asti;Lisäinfo",
			"Palkkatietojen ilmoittaminen;elina.lindholm@porvoo.example;31.12.2028;",
			"Palkkatietojen ilmoittaminen;sami.virtanen@porvoo.example;30.6.2027;siirtyy",
		}, "\r\n") + "\r\n")
		sum := sha(data)

		// The first dry run: no header row, and each unrecognised column offered with the fields; no Import.
		card := adaptive(t, h.sendFile(t, mikael, "omat.csv", data, d))
		if !contains(card, "En löytänyt tiedostosta otsikkoriviä", "Valtuutettu henkilö", "Lisäinfo", `"id":"map_0"`,
			`"id":"map_1"`, `"value":"email"`, `"verb":"importFileMap"`, "Kokeile näillä sarakkeilla") ||
			strings.Contains(card, "importFileRun") || strings.Contains(card, `"id":"map_2"`) {
			t.Fatalf("first dry run: %s", card)
		}
		refused := func(step string, data map[string]any) {
			t.Helper()
			user := mikael
			if step == "an employee" {
				user = elina
			}
			if r := h.invoke(user, "importFileMap", data); r.Type != "application/vnd.microsoft.error" {
				t.Fatalf("%s: %s %s", step, r.Type, r.Value)
			}
			if ms := registerOf(t, h); len(ms) != 0 {
				t.Fatalf("%s: %d mandates", step, len(ms))
			}
		}
		tampered := func() {
			refused("a column not in the file", map[string]any{"sha256": sum, "map_2": "email"})
			refused("a column by a name", map[string]any{"sha256": sum, "map_Kuka": "email"})
			refused("an unknown field", map[string]any{"sha256": sum, "map_0": "henkilotunnus"})
			refused("a field twice", map[string]any{"sha256": sum, "map_0": "email", "map_1": "email"})
			refused("a mapping in the data", map[string]any{"sha256": sum, "map_0": "email", "mapping": []string{"x=email"}})
			refused("another file", map[string]any{"sha256": sha([]byte("another")), "map_0": "email"})
			refused("an employee", map[string]any{"sha256": sum, "map_0": "email"})
		}
		tampered()
		if r := h.invoke(mikael, "importFileRun", map[string]any{"sha256": sum}); r.Type != "application/vnd.microsoft.error" {
			t.Fatalf("Import of a file with no importable dry run: %s %s", r.Type, r.Value)
		}

		// With the mapping: the rows are importable, and Import carries the mapping.
		pairs := []any{"lisäinfo=ignore", "valtuutettu henkilö=email"}
		r := h.invoke(mikael, "importFileMap", map[string]any{"sha256": sum, "map_0": "email", "map_1": "ignore"})
		mapped, _ := json.Marshal(r.Value)
		if !contains(string(mapped), "importFileRun", `"mapping":["lisäinfo=ignore","valtuutettu henkilö=email"]`, "Uusia valtuuksia") ||
			strings.Contains(string(mapped), "otsikkoriviä") {
			t.Fatalf("mapped dry run: %s %s", r.Type, mapped)
		}
		if ms := registerOf(t, h); len(ms) != 0 {
			t.Fatalf("the mapped dry run wrote %d mandates", len(ms))
		}
		// Tampering after it changes nothing: Import still runs with the mapping of the dry run.
		tampered()
		if r := h.invoke(mikael, "importFileRun", map[string]any{"sha256": sum}); r.Type != "application/vnd.microsoft.error" {
			t.Fatalf("Import without the dry run's mapping: %s %s", r.Type, r.Value)
		}
		if r := h.invoke(mikael, "importFileRun", map[string]any{"sha256": sum, "mapping": []any{"valtuutettu henkilö=email"}}); r.Type != "application/vnd.microsoft.error" {
			t.Fatalf("Import with another mapping: %s %s", r.Type, r.Value)
		}
		if r := h.invoke(mikael, "importFileRun", map[string]any{"sha256": sum, "mapping": pairs}); !strings.Contains(string(r.Value), "kirjattiin") {
			t.Fatalf("Import: %s %s", r.Type, r.Value)
		}
		if ms := registerOf(t, h); len(ms) != 2 {
			t.Fatalf("%d mandates after the import, want 2", len(ms))
		}
		var fileRow string
		_ = h.app.DB.Register.EachAudit(t.Context(), sqlstore.AuditFilter{}, func(e domain.AuditEvent) error {
			if e.Action == "import.file" {
				fileRow = string(e.After)
			}
			return nil
		})
		if !contains(fileRow, `"sha256":"`+sum+`"`, "valtuutettu henkilö=email", "lisäinfo=ignore") {
			t.Fatalf("the audit row: %s", fileRow)
		}
	})
}

// A list with a personal identity code in a row: the dry run refuses that row and offers no import, and the code is
// found nowhere afterwards: not in the database, not in the logs, not in the report sent back.
func TestImportFileWithIdentityCode(t *testing.T) {
	onBothStores(t, func(t *testing.T, h *harness, d *fakedrive.Server, dsn string) {
		h.say(mikael, "hei")
		data := []byte(mainUserList + "Tiina Mäkelä;tiina.makela@porvoo.example;Palkkatietojen ilmoittaminen;1.1.2026;131052-308T\r\n")
		got := h.sendFile(t, mikael, "hetu 131052-308T.csv", data, d)
		card := adaptive(t, got)
		if strings.Contains(card, "importFileRun") || !strings.Contains(card, "henkilötunnus") {
			t.Fatalf("dry run card: %s", card)
		}
		checkNoTrace(t, "dry run card", card)
		if dsn != "" { // the report waiting for its consent is in Redis now
			checkNoTrace(t, "redis", dumpRedis(t, "valtuusbotti-test-"+h.runID+":"))
		}
		_, _, file := consentOffer(t, got)
		up := d.NewUpload("report.csv")
		h.consent(t, mikael, "accept", file, up)
		report := string(d.Uploaded(up).Data)
		if !strings.Contains(report, ",refused,") {
			t.Fatalf("report: %s", report)
		}
		checkNoTrace(t, "report", report)
		// The file was not kept: its checksum cannot be imported.
		if r := h.invoke(mikael, "importFileRun", map[string]any{"sha256": sha(data)}); r.Type != "application/vnd.microsoft.error" {
			t.Fatalf("import of a refused file: %s %s", r.Type, r.Value)
		}
		if len(registerOf(t, h)) != 0 {
			t.Fatal("a file with a refused row wrote mandates")
		}
		h.waitOutbox(t)
		if dsn != "" {
			checkNoTrace(t, "postgres dump", dumpPostgres(t, dsn))
			checkNoTrace(t, "redis", dumpRedis(t, "valtuusbotti-test-"+h.runID+":"))
		} else {
			h.stop()
			for _, f := range []string{h.dbPath, h.dbPath + "-wal"} {
				raw, err := os.ReadFile(f)
				if err != nil && f != h.dbPath {
					continue
				}
				checkNoTrace(t, filepath.Base(f), string(raw))
			}
		}
		checkNoTrace(t, "log", h.logs.String())
	})
}

// dumpRedis is every string key under prefix and its value, as text.
func dumpRedis(t *testing.T, prefix string) string {
	client, _ := statetest.RealRedis(t)
	keys, err := client.Keys(t.Context(), prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, k := range keys {
		v, _ := client.Get(t.Context(), k).Result()
		fmt.Fprintf(&b, "%s=%s\n", k, v)
	}
	if !strings.Contains(b.String(), "fileoffer:") {
		t.Fatalf("no file offer among the %d keys: nothing was checked", len(keys))
	}
	return b.String()
}

// A main user asks for the city's mandate list and gets it through a file consent card: on accept the file is
// uploaded once, with bytes that import again with no change; a decline gets an acknowledgement and no upload.
func TestExportFileInTeams(t *testing.T) {
	onBothStores(t, func(t *testing.T, h *harness, d *fakedrive.Server, _ string) {
		for _, u := range []string{elina, mikael} {
			h.say(u, "hei")
		}
		data := []byte(mainUserList)
		h.sendFile(t, mikael, "valtuudet.csv", data, d)
		if r := h.invoke(mikael, "importFileRun", map[string]any{"sha256": sha(data)}); !strings.Contains(string(r.Value), "kirjattiin") {
			t.Fatalf("import: %s", r.Value)
		}

		// Not a main user; a filter the bot does not know.
		before := len(h.conn.Sent())
		h.say(elina, "vie rekisteri")
		h.say(mikael, "vie rekisteri tila=outo")
		if got := sentTexts(h.conn.Sent()[before:]); !contains(got, "Vain pääkäyttäjä", "En ymmärtänyt rajausta state=outo") {
			t.Fatalf("answers: %s", got)
		}

		for _, format := range []string{"csv", "xlsx"} {
			before = len(h.conn.Sent())
			h.say(mikael, "vie rekisteri "+format)
			got := h.conn.Sent()[before:]
			name, size, file := consentOffer(t, got)
			if !strings.HasPrefix(name, "valtuusluettelo-") || !strings.HasSuffix(name, "."+format) || size <= 0 ||
				!strings.Contains(got[0].Activity.Text, "3 valtuutta") {
				t.Fatalf("offer: %q %d %q", name, size, got[0].Activity.Text)
			}
			up := d.NewUpload(name)
			status, sent := h.consent(t, mikael, "accept", file, up)
			if status != http.StatusOK || len(sent) != 1 {
				t.Fatalf("accept: %d, %d activities", status, len(sent))
			}
			info := sent[0].Activity.Attachments[0]
			if info.ContentType != "application/vnd.microsoft.teams.card.file.info" || info.ContentURL != up.ContentURL || info.Name != name {
				t.Fatalf("file info card: %s", sent[0].Raw)
			}
			// A second accept of the same card (a double tap) uploads nothing more.
			if status, _ := h.consent(t, mikael, "accept", file, up); status != http.StatusOK {
				t.Fatalf("second accept: %d", status)
			}
			u := d.Uploaded(up)
			if u.Puts != 1 || int64(len(u.Data)) != size {
				t.Fatalf("%d uploads of %d bytes (offered %d)", u.Puts, len(u.Data), size)
			}
			// The file imports again with no change.
			card := adaptive(t, h.sendFile(t, mikael, name, u.Data, d))
			if !contains(card, "Ei muutettavaa", `{"title":"Uusia valtuuksia","value":"0"}`, `{"title":"Päivityksiä","value":"0"}`) ||
				strings.Contains(card, "importFileRun") {
				t.Fatalf("re-import of the %s export: %s", format, card)
			}
		}
		if n := auditActions(t, h)["register.exported"]; n != 2 {
			t.Fatalf("%d register.exported audit rows, want 2", n)
		}

		// The audit trail, declined.
		before = len(h.conn.Sent())
		h.say(mikael, "vie audit-loki")
		_, _, file := consentOffer(t, h.conn.Sent()[before:])
		up := d.NewUpload("audit.xlsx")
		if status, sent := h.consent(t, mikael, "decline", file, nil); status != http.StatusOK || !strings.Contains(sentTexts(sent), "en lähettänyt") {
			t.Fatalf("decline: %d %s", status, sentTexts(sent))
		}
		if u := d.Uploaded(up); u.Puts != 0 {
			t.Fatal("a declined file was uploaded")
		}
		// The consent of someone else's offer, or an address outside SharePoint: nothing is uploaded.
		before = len(h.conn.Sent())
		h.say(mikael, "export audit trail csv")
		_, _, file = consentOffer(t, h.conn.Sent()[before:])
		if _, sent := h.consent(t, elina, "accept", file, d.NewUpload("x.csv")); !strings.Contains(sentTexts(sent), "Tätä tiedostoa ei enää ole") {
			t.Fatalf("another person's accept: %s", sentTexts(sent))
		}
		evil := &fakedrive.Upload{Name: "a.csv", UploadURL: "http://169.254.169.254/latest/meta-data", ContentURL: "x", UniqueID: "x"}
		if _, sent := h.consent(t, mikael, "accept", file, evil); !strings.Contains(sentTexts(sent), "could not be saved in your OneDrive") {
			t.Fatalf("upload outside SharePoint: %s", sentTexts(sent))
		}
		up = d.NewUpload("audit.csv")
		h.consent(t, mikael, "accept", file, up)
		// Written in English, the command made English the main user's language: so are the file's columns.
		if u := d.Uploaded(up); !strings.Contains(string(u.Data), "Time;Actor;Action") || !strings.Contains(string(u.Data), "import.file") {
			t.Fatalf("audit trail upload: %.200q", u.Data)
		}
	})
}
