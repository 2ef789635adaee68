package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/valtuusbotti/valtuusbotti/manifest"
)

func runManifest(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("manifest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var p manifest.Params
	fs.StringVar(&p.AppID, "app-id", os.Getenv("VALTUUS_BOT_APP_ID"), "the bot's Entra app (client) id (default $VALTUUS_BOT_APP_ID)")
	fs.StringVar(&p.Version, "version", "1.0.0", "the app package version (semver); raise it for every upload")
	out := fs.String("o", "valtuusbotti-teams-app.zip", "output file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if p.AppID == "" {
		return fmt.Errorf("manifest: -app-id is required")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := manifest.Build(f, p); err != nil {
		f.Close()
		os.Remove(*out)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}
