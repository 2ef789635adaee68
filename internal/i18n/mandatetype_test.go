package i18n

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The mandate type of a theme comes from the catalog, so only the messages that name a type on purpose (a type's
// label, "mandatetype.*", and the grant step that picks it, "admin.grant.type.*") may mention one. Any other text
// naming a type would claim it for every theme.
func TestOnlyTypeMessagesNameAMandateType(t *testing.T) {
	words := []string{
		"asiointivaltuu", "edustamisvaltuu", // fi, any inflection
		"ärendefullmakt", "representationsfullmakt", "fullmakt för att uträtta ärenden", "fullmakter för att uträtta ärenden",
		"mandate for transactions", "mandates for transactions", "mandate to represent", "mandates to represent",
	}
	files, err := filepath.Glob("messages/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no message files: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range m {
			if strings.HasPrefix(k, "mandatetype.") || strings.HasPrefix(k, "admin.grant.type.") {
				continue
			}
			for _, w := range words {
				if strings.Contains(strings.ToLower(v), w) {
					t.Errorf("%s: %q names the mandate type %q; take the type from the theme instead", f, k, w)
				}
			}
		}
	}
}
