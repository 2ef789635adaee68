package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
)

func migrateCommand(fs *flag.FlagSet) runFunc {
	status := fs.Bool("status", false, "list migrations and whether they are applied, change nothing")
	return func(ctx context.Context, stdout io.Writer) error { return migrate(ctx, stdout, *status) }
}

// migrate applies the migrations (unless statusOnly) and lists them.
func migrate(ctx context.Context, stdout io.Writer, statusOnly bool) error {
	cfg, err := config.FromEnv(nil)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	db, err := sqlstore.Open(ctx, cfg.DatabaseURL)
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
