// Command valtuusbotti runs the Valtuusbotti Teams bot and its maintenance tasks.
//
//	valtuusbotti [serve]              run the bot (the default)
//	valtuusbotti migrate [-status]    apply database migrations, or list them
//	valtuusbotti alerts [-at YYYY-MM-DD] [-days N]   list the alerts due, sending nothing
//	valtuusbotti import [-dry-run] [-sheet NAME] [-report FILE] [-map "Column=field"] FILE   import a list of mandates
//	valtuusbotti export [-audit] [-o FILE] [-format csv|xlsx] [filters]   export the register or the audit trail
//	valtuusbotti sync [-dry-run]      sync the directory now, or print the events the next sync would act on
//	valtuusbotti handbook [-lang fi|sv|en] [-format md|html|xlsx] [-o FILE]   write the management model
//	valtuusbotti manifest -app-id ID  write the Teams app package (zip)
//	valtuusbotti version              print the version
//
// Settings come from VALTUUS_* environment variables (see README.md). main only parses and wires: the service
// itself is assembled by internal/app.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // "today" is Finnish time even in an image without zoneinfo
)

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"

// command is one subcommand: flags declares its flags on the command's own FlagSet and returns what runs once
// they are parsed.
type command struct {
	name    string
	summary string
	flags   func(fs *flag.FlagSet) runFunc
	args    bool // takes arguments after its flags (its runFunc reads fs.Args())
}

type runFunc func(ctx context.Context, stdout io.Writer) error

// errUsage marks a command line that could not be understood (exit status 2).
var errUsage = errors.New("usage")

func commands() []command {
	return []command{
		{"serve", "run the bot (default)", serveCommand, false},
		{"migrate", "apply database migrations (-status lists them)", migrateCommand, false},
		{"alerts", "list the alerts (herätteet) due from -at for -days, sending nothing", alertsCommand, false},
		{"health", "check that the service on this machine is alive (the container's health check)", healthCommand, false},
		{"import", "import a main user's list of mandates (CSV or XLSX; -dry-run to only report)", importCommand, true},
		{"export", "export the register (or -audit, the audit trail) as CSV or XLSX", exportCommand, false},
		{"sync", "sync the directory now: joiners, movers, leavers (-dry-run only prints what it would act on)", syncCommand, false},
		{"handbook", "write the organisation's management model from its configuration (-lang, -format md|html|xlsx, -o)", handbookCommand, false},
		{"manifest", "write the Teams app package zip", manifestCommand, false},
		{"version", "print the version", versionCommand, false},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, errUsage) {
			os.Exit(2) // the FlagSet or usage already said what was wrong
		}
		// One line: an operator reads the cause, not a wall of text.
		fmt.Fprintln(os.Stderr, "valtuusbotti:", strings.ReplaceAll(err.Error(), "\n", "; "))
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
			fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
			fs.SetOutput(stderr)
			runCmd := c.flags(fs)
			switch err := fs.Parse(args); {
			case errors.Is(err, flag.ErrHelp):
				return nil
			case err != nil:
				return fmt.Errorf("%w: %v", errUsage, err)
			case fs.NArg() > 0 && !c.args:
				fmt.Fprintf(stderr, "%s takes no arguments: %q\n", c.name, fs.Args())
				return errUsage
			}
			return runCmd(ctx, stdout)
		}
	}
	if name == "help" {
		if len(args) > 0 && args[0] != "-h" && args[0] != "--help" && args[0] != "-help" {
			usage(stderr)
			return fmt.Errorf("%w: help takes no arguments: %q", errUsage, args)
		}
		usage(stdout)
		return nil
	}
	usage(stderr)
	return fmt.Errorf("%w: unknown command %q", errUsage, name)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: valtuusbotti <command> [flags]")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "settings (environment variables; README.md, Configuration, says what each does):")
	for _, n := range config.Names() {
		fmt.Fprintln(w, "  "+n)
	}
}
