package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/valtuusbotti/valtuusbotti/cards"
)

// FuzzMessagesEndpoint posts arbitrary activities to the real /api/messages handler of the service in local
// anonymous mode and requires that no input is answered with a 5xx (nor an invoke answer carrying a 5xx status) and
// that no input panics. An input is either a raw body (the shape's low bits are fuzzRaw: patch is the body) or a
// structured mutation of a Teams-shaped activity: the shape picks the activity and its sender, verb and data become
// the Action.Execute of an invoke, text the message text, conv the conversation id and path the end of the
// serviceUrl (where the reply goes), and patch (a JSON object) replaces top-level fields — a null removes one — so
// any field can get the wrong type, junk or nothing.
//
//	go test -run '^$' -fuzz FuzzMessagesEndpoint -fuzztime 5m -parallel 1 ./internal/app/
//	VALTUUS_FUZZ_POSTGRES=1 VALTUUS_TEST_POSTGRES_DSN=postgres://… go test … (the same on PostgreSQL)
func FuzzMessagesEndpoint(f *testing.F) {
	for _, s := range fuzzInputs() {
		f.Add(s.shape, s.verb, s.data, s.text, s.conv, s.path, s.patch)
	}
	svc := newFuzzService(f)
	f.Fuzz(func(t *testing.T, shape uint8, verb string, data []byte, text, conv, path string, patch []byte) {
		body := svc.body(fuzzInput{shape: shape, verb: verb, data: data, text: text, conv: conv, path: path, patch: patch})
		rec, err := svc.turn(body)
		if err != nil {
			t.Fatal(err)
		}
		if msg := serverFault(rec.Code, rec.Body.Bytes()); msg != "" {
			t.Fatalf("%s\nrequest: %s\nlogs: %s", msg, clip(body, 2000), clip([]byte(svc.logs.String()), 4000))
		}
	})
}

// fuzzInput is one input of FuzzMessagesEndpoint.
type fuzzInput struct {
	shape      uint8
	verb       string
	data       []byte
	text       string
	conv, path string
	patch      []byte
}

// body renders one fuzz input as the request body.
func (s *fuzzService) body(in fuzzInput) []byte {
	kind, who := int(in.shape&7), fuzzPeople[int(in.shape>>3)%len(fuzzPeople)]
	if kind == fuzzRaw {
		return in.patch
	}
	act := s.activity(kind, who, in.text)
	if kind == fuzzInvoke || kind == fuzzGroupInvoke {
		var raw json.RawMessage
		switch {
		case len(in.data) == 0:
		case json.Valid(in.data):
			raw = in.data
		default:
			raw, _ = json.Marshal(string(in.data))
		}
		setAction(act, in.verb, raw)
	}
	if in.conv != "" {
		act["conversation"].(map[string]any)["id"] = in.conv
	}
	act["serviceUrl"] = fuzzServiceURL + in.path
	var over map[string]json.RawMessage
	if json.Unmarshal(in.patch, &over) == nil {
		for k, v := range over {
			if string(v) == "null" {
				delete(act, k)
			} else {
				act[k] = v
			}
		}
	}
	out, err := json.Marshal(act)
	if err != nil {
		return in.patch
	}
	return out
}

// serverFault names what is wrong with an answer: a 5xx status, or an invoke answer whose statusCode is a 5xx.
func serverFault(status int, body []byte) string {
	if status >= 500 {
		return "status " + http.StatusText(status) + ": " + string(clip(body, 500))
	}
	var inv struct {
		StatusCode int `json:"statusCode"`
	}
	if json.Unmarshal(body, &inv) == nil && inv.StatusCode >= 500 {
		return "invoke answer with statusCode " + http.StatusText(inv.StatusCode) + ": " + string(clip(body, 500))
	}
	return ""
}

func clip(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return append(b[:n:n], "…"...)
}

// Reset empties the buffer (one fuzz turn's logs at a time).
func (b *syncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}

// sender puts a demo person into the shape byte.
func sender(kind int, who string) uint8 {
	for i, p := range fuzzPeople {
		if p == who {
			return uint8(kind | i<<3)
		}
	}
	panic("unknown fuzz sender " + who)
}

// fuzzInputs are realistic activities (every card verb with the data its card carries, the typed commands, the
// install and channel events) and malformed variants of them.
func fuzzInputs() []fuzzInput {
	var seeds []fuzzInput
	verb := func(who, v, data string) {
		seeds = append(seeds, fuzzInput{shape: sender(fuzzInvoke, who), verb: v, data: []byte(data)})
	}
	verb(elina, cards.VerbSetLanguage, `{"lang":"sv"}`)
	verb(elina, cards.VerbIntakeOpen, `{"roleId":"palkkasihteeri"}`)
	verb(elina, cards.VerbIntakeSubmit, `{"roleId":"palkkasihteeri","tasks_palkat-henkilosto":"palkkatietojen-ilmoittaminen,palkkatietojen-tarkistus"}`)
	verb(elina, cards.VerbRequestSubmit, `{"roleId":"palkkasihteeri","taskIds":["palkkatietojen-tarkistus"],"justification":"Tarkistan palkat.","validUntil":"2027-03-31"}`)
	verb(elina, cards.VerbRequestCancel, `{"requestId":1}`)
	verb(elina, cards.VerbMyMandates, `{}`)
	verb(sami, cards.VerbApprovalOpen, `{"requestId":1}`)
	verb(sami, cards.VerbApprovalDecide, `{"requestId":1,"decision":"byItem","reason":"","item_1":"true"}`)
	verb(sami, cards.VerbApprovalDecide, `{"requestId":1,"decision":"rejectAll","reason":"Ei tarvetta"}`)
	verb(sami, cards.VerbApprovalList, `{}`)
	verb(mikael, cards.VerbGrantOpen, `{"requestId":1}`)
	verb(mikael, cards.VerbGrantDone, `{"requestId":1,"validFrom":"2026-11-26","validUntil":"2027-06-30","item_1":"true"}`)
	verb(mikael, cards.VerbGrantFailed, `{"requestId":1,"reason":"Suomi.fi ei vastaa","item_1":"false"}`)
	verb(mikael, cards.VerbGrantList, `{}`)
	verb(mikael, cards.VerbGrantBatch, `{"path":"valtuuspyynto"}`)
	verb(mikael, cards.VerbGrantBatchDone, `{"path":"direct","requestIds":[1],"item_1":"true","validFrom_1":"2026-11-26","validUntil_1":"2027-06-30","confirmSelf":"false"}`)
	verb(helena, cards.VerbOverview, `{}`)
	for _, text := range []string{"hei", "Mitä valtuuksia tarvitsen?", "omat valtuudet", "approvals", "tasks",
		"yleiskuva", "Hetuni on 131052-308T", "ÅÄÖ ✓ \u202e\u200b 𝔘𝔫𝔦𝔠𝔬𝔡𝔢"} {
		seeds = append(seeds, fuzzInput{shape: sender(fuzzMessage, elina), text: text})
	}
	for _, kind := range []int{fuzzBotAdded, fuzzInstall, fuzzUninstall, fuzzChannelMessage} {
		seeds = append(seeds, fuzzInput{shape: sender(kind, helena), text: "valtuudet"})
	}
	seeds = append(seeds, fuzzInput{shape: sender(fuzzGroupInvoke, sami), verb: cards.VerbApprovalOpen, data: []byte(`{"requestId":1}`)})
	for _, at := range [][2]string{{"a:1Hk3-" + strings.Repeat("Zx9", 40), "amer/"}, {"19:abc@thread.tacv2;messageid=1700000000000", "emea/"},
		{"a:x%2Fy", "v3/"}, {"ä:ö", "%C3%A4/"}} {
		seeds = append(seeds, fuzzInput{shape: sender(fuzzMessage, sami), text: "approvals", conv: at[0], path: at[1]})
	}
	return append(seeds, malformedSeeds()...)
}

// malformedSeeds are activities with wrong types, junk and missing parts, and raw bodies that are not activities.
func malformedSeeds() []fuzzInput {
	var seeds []fuzzInput
	patch := func(kind int, p string) {
		seeds = append(seeds, fuzzInput{shape: sender(kind, elina), verb: cards.VerbApprovalOpen, data: []byte(`{"requestId":1}`), text: "hei", patch: []byte(p)})
		if kind == fuzzInvoke {
			// The same junk in a message, which is answered through the connector.
			seeds = append(seeds, fuzzInput{shape: sender(fuzzMessage, elina), text: "hei", patch: []byte(p)})
		}
	}
	for _, p := range []string{
		`{"type":5}`, `{"type":""}`, `{"type":"typing"}`, `{"type":"invoke","name":"task/fetch"}`,
		`{"id":null}`, `{"id":7}`, `{"from":"x"}`, `{"from":{"id":1}}`, `{"from":{"aadObjectId":["a"]}}`, `{"from":null}`,
		`{"recipient":null}`, `{"conversation":null}`, `{"conversation":{"id":""}}`, `{"conversation":{"id":"a:x","isGroup":"yes"}}`,
		`{"conversation":{"id":"a/../../v3/x?y#z","conversationType":"personal"}}`, `{"conversation":{"id":"."}}`,
		`{"serviceUrl":"http://127.0.0.1:3979/./"}`,
		`{"serviceUrl":"https://example.com/"}`, `{"serviceUrl":"ftp://127.0.0.1/"}`, `{"serviceUrl":"http://127.0.0.1:3979/nope/"}`,
		`{"serviceUrl":"http://[::1]:1/"}`, `{"serviceUrl":"http://localhost"}`, `{"serviceUrl":"%%%"}`, `{"serviceUrl":null}`,
		`{"timestamp":"yesterday"}`, `{"timestamp":12}`, `{"locale":"xx-\u0000"}`, `{"locale":7}`, `{"text":{"a":1}}`,
		`{"value":"string"}`, `{"value":[1,2]}`, `{"value":{"action":{"type":"Action.Execute","verb":"approvalOpen","data":{"requestId":"1"}}}}`,
		`{"value":{"action":{"type":"Action.Execute","verb":"approvalOpen","data":{"requestId":9223372036854775807}}}}`,
		`{"value":{"action":{"type":"Action.Execute","verb":"approvalOpen","data":{"requestId":1e400}}}}`,
		`{"channelData":{"tenant":{"id":{"a":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}}}}`, `{"channelData":"x"}`,
		`{"membersAdded":[{"id":null},{}]}`, `{"membersAdded":{"id":"x"}}`, `{"entities":[{"type":"mention","mentioned":5}]}`,
		`{"attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard"}}]}`,
		`{"channelId":"` + strings.Repeat("x", 5000) + `"}`, `{"text":"` + strings.Repeat("valtuus ", 10000) + `"}`,
	} {
		patch(fuzzInvoke, p)
	}
	patch(fuzzMessage, `{"from":{"id":"29:x","aadObjectId":"`+strings.Repeat("\u00e4", 3000)+`"}}`)
	patch(fuzzInstall, `{"action":7}`)
	for _, raw := range []string{``, `null`, `[]`, `{`, `{"type":"message"}`, `{"type":"message","serviceUrl":"` + fuzzServiceURL +
		`","conversation":{"id":"a:1"}}{}`, "\xff\xfe", `"` + strings.Repeat("a", 300<<10) + `"`} {
		seeds = append(seeds, fuzzInput{shape: fuzzRaw, patch: []byte(raw)})
	}
	return seeds
}
