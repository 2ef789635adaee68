package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
)

// The handbook of the configured organisation: Markdown to standard output by default, with the demo directory's
// names; HTML to a file in the language asked for; bad flags refused.
func TestHandbookCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"handbook"}, &out, &errOut); err != nil {
		t.Fatalf("handbook: %v %s", err, errOut.String())
	}
	md := out.String()
	for _, want := range []string{"# Suomi.fi-valtuuksien hallintamalli: Porvoon kaupunki", "```mermaid", "Mikael Nordström (`7c1e4a52-0000-4000-8000-000000000004`)"} {
		if !strings.Contains(md, want) {
			t.Errorf("the Markdown lacks %q", want)
		}
	}
	committed, err := os.ReadFile("../../docs/hallintamalli-kasikirja.md")
	if err != nil || string(committed) != md {
		t.Errorf("the command's Finnish handbook differs from docs/hallintamalli-kasikirja.md (%v)", err)
	}

	path := filepath.Join(t.TempDir(), "kasikirja.html")
	out.Reset()
	if err := run(context.Background(), []string{"handbook", "-lang", "sv", "-format", "html", "-o", path, "-names=false"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `<html lang="sv">`) || !strings.Contains(string(page), "<svg") || strings.Contains(string(page), "Mikael") {
		t.Errorf("the Swedish page without names is not what was asked for:\n%.400s", page)
	}
	xlsx := filepath.Join(t.TempDir(), "matriisi.xlsx")
	if err := run(context.Background(), []string{"handbook", "-format", "xlsx", "-o", xlsx}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(xlsx); err != nil || !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("the matrix is not an XLSX file: %v", err)
	}
	for _, bad := range [][]string{{"handbook", "-lang", "de"}, {"handbook", "-format", "pdf"}, {"handbook", "-format", "xlsx"}} {
		if err := run(context.Background(), bad, &out, &errOut); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// With VALTUUS_CATALOG_DIR the handbook is that catalog's.
func TestHandbookCommandReadsTheCatalogDir(t *testing.T) {
	dir := t.TempDir()
	err := fs.WalkDir(catalog.DefaultFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(catalog.DefaultFS(), p)
		if err != nil {
			return err
		}
		b = bytes.ReplaceAll(b, []byte("Porvoon kaupunki"), []byte("Kuvitteen kunta"))
		return os.WriteFile(filepath.Join(dir, p), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("VALTUUS_CATALOG_DIR", dir)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"handbook", "-lang", "en"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Kuvitteen kunta / Borgå stad") || !strings.Contains(out.String(), "`"+dir+"`") {
		t.Errorf("the handbook is not the folder's catalog:\n%.1500s", out.String())
	}
}
