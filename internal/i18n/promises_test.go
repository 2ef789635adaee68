package i18n

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// No text may promise what the bot does not do. Reminders before expiry and when someone leaves are not built yet:
// until they are, no message in any language may mention them.
func TestNoTextPromisesReminders(t *testing.T) {
	files, err := filepath.Glob("messages/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no message files: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ToLower(string(raw))
		for _, word := range []string{"muistut", "påminn", "remind", "herät"} {
			if strings.Contains(text, word) {
				t.Errorf("%s mentions %q: reminders do not exist yet", f, word)
			}
		}
	}
}
