package cards

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestRendererParsesGoldenCards parses every golden card with Microsoft's Adaptive Cards renderer (npm
// adaptivecards, installed by `make cardcheck`), which names unknown element types and bad property values that a
// Go struct happily marshals. CI sets VALTUUS_REQUIRE_SERVICES=1, so there a missing renderer fails the test.
func TestRendererParsesGoldenCards(t *testing.T) {
	dir := filepath.Join("..", "tools", "cardcheck")
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(filepath.Join(dir, "node_modules", "adaptivecards")); err != nil || serr != nil {
		if os.Getenv("VALTUUS_REQUIRE_SERVICES") == "1" {
			t.Fatalf("node or the adaptivecards package is missing (run make cardcheck): %v %v", err, serr)
		}
		t.Skip("node or tools/cardcheck/node_modules missing: run make cardcheck")
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cards: %v", err)
	}
	out, err := exec.Command(node, append([]string{filepath.Join(dir, "check.js")}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("renderer reports problems:\n%s", out)
	}
}

// The check itself must be able to fail: a card with an unknown element, a bad size and an unknown action.
func TestRendererRejectsBadCard(t *testing.T) {
	node, err := exec.LookPath("node")
	dir := filepath.Join("..", "tools", "cardcheck")
	if _, serr := os.Stat(filepath.Join(dir, "node_modules", "adaptivecards")); err != nil || serr != nil {
		if os.Getenv("VALTUUS_REQUIRE_SERVICES") == "1" {
			t.Fatal("node or the adaptivecards package is missing (run make cardcheck)")
		}
		t.Skip("node or tools/cardcheck/node_modules missing: run make cardcheck")
	}
	out, err := exec.Command(node, filepath.Join(dir, "check.js"), filepath.Join("testdata", "invalid", "bad.json")).CombinedOutput()
	if err == nil {
		t.Fatalf("a bad card passed the renderer check:\n%s", out)
	}
}
