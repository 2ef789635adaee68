// Command valtuusbotti runs the Valtuusbotti Teams bot and its maintenance tasks.
//
//	valtuusbotti [serve]              run the bot (the default)
//	valtuusbotti migrate [-status]    apply database migrations, or list them
//	valtuusbotti manifest -app-id ID  write the Teams app package (zip)
//	valtuusbotti version              print the version
//
// Settings come from VALTUUS_* environment variables (see README.md). main only parses and wires: the service
// itself is assembled by internal/app.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // "today" is Finnish time even in an image without zoneinfo
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the bot (default)", runServe},
		{"migrate", "apply database migrations (-status lists them)", runMigrate},
		{"manifest", "write the Teams app package zip", runManifest},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "valtuusbotti:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args, stdout, stderr)
		}
	}
	if name == "help" {
		usage(stdout)
		return nil
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", name)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: valtuusbotti <command> [flags]")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "settings: VALTUUS_* environment variables, see README.md")
}
