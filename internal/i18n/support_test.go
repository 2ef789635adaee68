package i18n

import (
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Every text that sends people to digital support names the organisation's contact, or the language's default
// when the organisation names none; no text shows the bare placeholder.
func TestTextsNameTheSupportContact(t *testing.T) {
	b := MustLoad()
	contact := domain.Text{FI: "Digituki, puh. 019 520 2000", SV: "Digistöd, tfn 019 520 2000"} // no English
	org := b.WithSupport(contact)
	uses := 0
	for _, l := range domain.Langs {
		for k, raw := range b.raw[l] {
			if !strings.Contains(raw, SupportVar) {
				continue
			}
			uses++
			want := contact.In(l)
			if want == "" {
				want = b.raw[l]["support.default"]
			}
			if got := org.Printer(l).Get(k); !strings.Contains(got, want) || strings.Contains(got, SupportVar) {
				t.Errorf("%s %s: %q does not name %q", l, k, got, want)
			}
			if got := b.Printer(l).Get(k); !strings.Contains(got, b.raw[l]["support.default"]) {
				t.Errorf("%s %s without an organisation contact: %q", l, k, got)
			}
		}
	}
	if uses < 9 { // the refusals and notices that send people to digital support, in three languages
		t.Errorf("only %d texts name the support contact", uses)
	}
	// Texts that name digital support as a role (a column of the handbook's RACI table) send nobody anywhere.
	names := map[string]bool{"support.default": true, "handbook.role.digital_support": true}
	for _, l := range domain.Langs {
		for k, v := range b.raw[l] {
			word := map[domain.Lang]string{domain.Finnish: "digitu", domain.Swedish: "digistöd", domain.English: "digital support"}[l]
			if strings.Contains(strings.ToLower(v), word) && !strings.Contains(v, SupportVar) && !names[k] {
				t.Errorf("%s %s mentions digital support without the contact: %q", l, k, v)
			}
		}
	}
}
