package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	status := fs.Bool("status", false, "list migrations and whether they are applied, change nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.FromEnv(nil)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	db, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("VALTUUS_DATABASE_URL: %w", err)
	}
	defer db.Close()
	if !*status {
		if err := db.Migrate(ctx); err != nil {
			return err
		}
	}
	ms, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		fmt.Fprintf(stdout, "%v\n", m)
	}
	return nil
}
