package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/dirsync"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

func syncCommand(fs *flag.FlagSet) runFunc {
	dry := fs.Bool("dry-run", false, "print the joiner, mover and leaver events the next sync would act on, changing nothing")
	org := orgFlag(fs)
	return func(ctx context.Context, stdout io.Writer) error {
		opt := app.Options{Graph: newGraph}
		cfg, err := orgConfig(*org, &opt)
		if err != nil {
			return err
		}
		return syncDirectory(ctx, stdout, cfg, opt, *dry)
	}
}

// syncDirectory runs one directory sync now (or, dry, works out what it would do) and prints its events.
func syncDirectory(ctx context.Context, stdout io.Writer, cfg *config.Config, opt app.Options, dry bool) error {
	a, err := app.New(ctx, cfg, opt)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.DirSync == nil {
		return errors.New("the configured directory reports no changes to sync")
	}
	var res dirsync.Result
	if dry {
		res, err = a.DirSync.DryRun(ctx)
	} else {
		res, err = a.DirSync.Run(ctx)
	}
	if err != nil {
		return err
	}
	printSync(stdout, res, dry, a.DirSync.Member != nil)
	return nil
}

// printSync prints the events; scoped is whether the organisation is one of several (a membership rule), where a
// person who stops matching its rule leaves it although they stay in the directory.
func printSync(w io.Writer, res dirsync.Result, dry, scoped bool) {
	switch res.Skipped {
	case "lease":
		fmt.Fprintln(w, "another instance is syncing the directory right now; nothing done")
		return
	case "superseded":
		fmt.Fprintln(w, "another instance synced the directory meanwhile; nothing done")
		return
	}
	for _, ev := range res.Events {
		fmt.Fprintf(w, "%-6s  %s  %s\n", ev.Kind, ev.EffectiveOn.UTC().Format("2006-01-02"), describe(ev, scoped))
	}
	verb, what := "synced", fmt.Sprintf("%d job(s) scheduled", res.Jobs)
	if dry {
		verb, what = "dry run", "nothing was changed"
	}
	switch {
	case res.Baseline:
		fmt.Fprintf(w, "%s: first sync, %d people recorded as the baseline (no joiner events for them), %d event(s); %s\n",
			verb, res.Changed, len(res.Events), what)
	default:
		fmt.Fprintf(w, "%s: %d event(s), %d people changed; %s\n", verb, len(res.Events), res.Changed, what)
	}
}

// describe names the person and, for a mover, what changed.
func describe(ev domain.DirectoryEvent, scoped bool) string {
	p := ev.After
	if p == nil {
		p = ev.Before
	}
	s := fmt.Sprintf("%s <%s> (%s)", p.DisplayName, p.Mail, ev.PersonID)
	if ev.Kind == domain.Mover && ev.Before != nil && ev.After != nil {
		var ch []string
		b, a := ev.Before, ev.After
		if b.Department != a.Department {
			ch = append(ch, fmt.Sprintf("department %q → %q", b.Department, a.Department))
		}
		if b.CompanyName != a.CompanyName {
			ch = append(ch, fmt.Sprintf("company %q → %q", b.CompanyName, a.CompanyName))
		}
		if b.JobTitle != a.JobTitle {
			ch = append(ch, fmt.Sprintf("job title %q → %q", b.JobTitle, a.JobTitle))
		}
		if b.ManagerID != a.ManagerID {
			ch = append(ch, fmt.Sprintf("manager %s → %s", orNone(b.ManagerID), orNone(a.ManagerID)))
		}
		s += ": " + strings.Join(ch, ", ")
	}
	if ev.Kind == domain.Leaver {
		switch {
		case ev.After == nil && scoped:
			s += ": deleted from the directory, or no longer matches the organisation's membership rule"
		case ev.After == nil:
			s += ": deleted from the directory"
		case !ev.After.AccountEnabled:
			s += ": account disabled"
		default:
			s += ": leave date"
		}
	}
	return s
}

func orNone(id string) string {
	if id == "" {
		return "(none)"
	}
	return id
}
