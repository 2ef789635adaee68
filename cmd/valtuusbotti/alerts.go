package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func alertsCommand(fs *flag.FlagSet) runFunc {
	at := fs.String("at", "", "the first day to list, YYYY-MM-DD (default: today)")
	days := fs.Int("days", 14, "how many days to list")
	org := orgFlag(fs)
	return func(ctx context.Context, stdout io.Writer) error {
		opt := app.Options{Graph: newGraph}
		cfg, err := orgConfig(*org, &opt)
		if err != nil {
			return err
		}
		return listAlerts(ctx, stdout, cfg, opt, *at, *days)
	}
}

// listAlerts prints every alert (heräte) that would go out from the day at for days days: when, to whom, what,
// in the organisation's language. It sends nothing.
func listAlerts(ctx context.Context, stdout io.Writer, cfg *config.Config, opt app.Options, at string, days int) error {
	if days <= 0 || days > 366 {
		return fmt.Errorf("-days: want 1–366, not %d", days)
	}
	a, err := app.New(ctx, cfg, opt)
	if err != nil {
		return err
	}
	defer a.Close()
	from := a.Alerts.Today()
	if at != "" {
		d, err := domain.ParseDate(at)
		if err != nil {
			return fmt.Errorf("-at: want YYYY-MM-DD, not %q", at)
		}
		from = d.Time()
	}
	p := i18n.MustLoad().WithSupport(a.Alerts.Catalog.Org.Support).Printer(a.Alerts.Catalog.Org.DefaultLanguage)
	list, err := a.Alerts.Preview(ctx, a.DB.Jobs, from, days, p)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, p.Get("alert.preview.none"))
		return nil
	}
	cal := a.Alerts.Calendar()
	for _, al := range list {
		var names []string
		for _, id := range al.To {
			names = append(names, a.Alerts.Name(ctx, id))
		}
		fmt.Fprintf(stdout, "%s  %-19s  %s: %s\n", cal.Local(al.At).Format("2006-01-02 15:04"), al.Kind, strings.Join(names, ", "), al.What)
	}
	return nil
}
