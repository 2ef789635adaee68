package tab

import (
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Every text the page shows exists in Finnish, Swedish and English.
func TestTextsExistInEveryLanguage(t *testing.T) {
	b := i18n.MustLoad()
	for _, l := range domain.Langs {
		p := b.Printer(l)
		for _, k := range append(textKeys, "tab.local.as", "tab.local.go") {
			if p.Get(k) == k {
				t.Errorf("%s: no text for %s", l, k)
			}
		}
	}
}
