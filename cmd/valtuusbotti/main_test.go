package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestVersionAndUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "valtuusbotti ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "usage") {
		t.Fatalf("unknown command: %v %q", err, errOut.String())
	}
}

func TestManifestCommandWritesThePackage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.zip")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"manifest", "-app-id", "11111111-2222-4333-8444-555555555555", "-o", path}, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	for _, want := range []string{"manifest.json", "color.png", "outline.png", "fi.json", "sv.json"} {
		if !names[want] {
			t.Errorf("package lacks %s", want)
		}
	}
	if err := run(context.Background(), []string{"manifest", "-app-id", "bot", "-o", filepath.Join(t.TempDir(), "x.zip")}, &out, &errOut); err == nil {
		t.Fatal("a bad app id must be refused")
	}
}

func TestMigrateCommand(t *testing.T) {
	t.Setenv("VALTUUS_DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0001_people applied") || strings.Contains(out.String(), "pending") {
		t.Fatalf("migrate printed %q", out.String())
	}
}

// -h prints a command's flags and succeeds; a flag the command does not have is a usage error.
func TestHelpAndUsageErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "-h"}, &out, &errOut); err != nil || !strings.Contains(errOut.String(), "-status") {
		t.Fatalf("-h: %v %q", err, errOut.String())
	}
	if err := run(context.Background(), []string{"migrate", "-bogus"}, &out, &errOut); !errors.Is(err, errUsage) {
		t.Fatalf("unknown flag: %v", err)
	}
	if err := run(context.Background(), []string{"version", "extra"}, &out, &errOut); !errors.Is(err, errUsage) {
		t.Fatalf("stray argument: %v", err)
	}
	if err := run(context.Background(), []string{"help", "-bogus"}, &out, &errOut); !errors.Is(err, errUsage) {
		t.Fatalf("help with a flag it does not have: %v", err)
	}
	for _, h := range []string{"-h", "--help"} {
		out.Reset()
		if err := run(context.Background(), []string{"help", h}, &out, &errOut); err != nil || !strings.Contains(out.String(), "usage: valtuusbotti") {
			t.Fatalf("help %s: %v %q", h, err, out.String())
		}
	}
}
