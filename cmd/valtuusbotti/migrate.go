package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/tenancy"
)

func migrateCommand(fs *flag.FlagSet) runFunc {
	status := fs.Bool("status", false, "list migrations and whether they are applied, change nothing")
	return func(ctx context.Context, stdout io.Writer) error { return migrate(ctx, stdout, *status) }
}

// migrate applies the migrations (unless statusOnly) and lists them: in the database of every organisation the
// deployment serves (VALTUUS_ORGANISATIONS_CONFIG), or in VALTUUS_DATABASE_URL.
func migrate(ctx context.Context, stdout io.Writer, statusOnly bool) error {
	cfg, err := config.FromEnv(nil)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	set, err := tenancy.FromEnv(cfg, nil)
	if err != nil {
		return err
	}
	for _, o := range set.Orgs {
		if set.FromFile {
			fmt.Fprintf(stdout, "organisation %s (%s)\n", o.ID, config.MaskURL(o.Config.DatabaseURL))
		}
		if err := migrateOne(ctx, stdout, o.Config.DatabaseURL, statusOnly); err != nil {
			if set.FromFile {
				return fmt.Errorf("organisation %s: %w", o.ID, err)
			}
			return err
		}
	}
	return nil
}

func migrateOne(ctx context.Context, stdout io.Writer, databaseURL string, statusOnly bool) error {
	db, err := sqlstore.Open(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("VALTUUS_DATABASE_URL: %w", err)
	}
	defer db.Close()
	if !statusOnly {
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
