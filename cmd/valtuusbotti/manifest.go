package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/valtuusbotti/valtuusbotti/manifest"
)

func manifestCommand(fs *flag.FlagSet) runFunc {
	var p manifest.Params
	fs.StringVar(&p.AppID, "app-id", os.Getenv("VALTUUS_BOT_APP_ID"), "the bot's Entra app (client) id (default $VALTUUS_BOT_APP_ID)")
	fs.StringVar(&p.TabHost, "tab-host", os.Getenv("VALTUUS_TAB_HOST"), "the public host of the dashboard tab (default $VALTUUS_TAB_HOST; empty: no tab)")
	fs.StringVar(&p.TabAppID, "tab-app-id", os.Getenv("VALTUUS_TAB_APP_ID"), "the tab's own Entra app registration for Teams SSO, if not the bot's (default $VALTUUS_TAB_APP_ID)")
	fs.StringVar(&p.Version, "version", "1.0.0", "the app package version (semver); raise it for every upload")
	out := fs.String("o", "valtuusbotti-teams-app.zip", "output file")
	return func(_ context.Context, stdout io.Writer) error { return writeManifest(stdout, p, *out) }
}

// writeManifest writes the Teams app package for p to the file out.
func writeManifest(stdout io.Writer, p manifest.Params, out string) error {
	if p.AppID == "" {
		return fmt.Errorf("manifest: -app-id is required")
	}
	if err := p.Validate(); err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := manifest.Build(f, p); err != nil {
		f.Close()
		os.Remove(out)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", out)
	return nil
}
