package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/exporter"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
)

// exportArgs are the export command's flags.
type exportArgs struct {
	audit, review             bool
	campaign                  int64
	out, format, lang         string
	filter                    exporter.Filter
	endingBefore, from, until string
}

func exportCommand(fs *flag.FlagSet) runFunc {
	var a exportArgs
	fs.BoolVar(&a.audit, "audit", false, "export the audit trail instead of the register")
	fs.BoolVar(&a.review, "review", false, "export a review campaign's report (who kept, invalidated, did not answer) instead of the register")
	fs.Int64Var(&a.campaign, "campaign", 0, "-review: the campaign's number (default: the newest)")
	fs.StringVar(&a.out, "o", "", "write to this file (default: CSV to standard output)")
	fs.StringVar(&a.format, "format", "", "csv or xlsx (default: from the -o file's extension, else csv)")
	fs.StringVar(&a.lang, "lang", "", "column names and values in fi, sv or en (default: the organisation's language)")
	fs.StringVar(&a.filter.Department, "department", "", "register: only this department")
	fs.StringVar(&a.filter.Agency, "agency", "", "register: only themes of this agency (part of its name, any language)")
	fs.StringVar(&a.filter.Theme, "theme", "", "register: only this theme (id, name in any language, or synonym)")
	fs.StringVar(&a.filter.State, "state", "", "register: active, expired or invalidated (also: revoked)")
	fs.StringVar(&a.endingBefore, "ending-before", "", "register: only mandates ending before this day, YYYY-MM-DD")
	fs.StringVar(&a.filter.Person, "person", "", "only this person (Entra object id or e-mail address); for -audit, their acts and their mandates' and requests' rows")
	fs.StringVar(&a.from, "from", "", "-audit: rows from this day on, YYYY-MM-DD (Finnish time)")
	fs.StringVar(&a.until, "until", "", "-audit: rows up to and including this day, YYYY-MM-DD")
	org := orgFlag(fs)
	return func(ctx context.Context, stdout io.Writer) error {
		opt := app.Options{Graph: newGraph}
		cfg, err := orgConfig(*org, &opt)
		if err != nil {
			return err
		}
		return exportTo(ctx, stdout, fs.Output(), cfg, opt, a)
	}
}

// exportTo writes the export a asks for to a.out (through a temporary file) or to stdout, and says how many rows
// it wrote on stderr.
func exportTo(ctx context.Context, stdout, stderr io.Writer, cfg *config.Config, opt app.Options, a exportArgs) error {
	if a.audit && a.review {
		return fmt.Errorf("%w: -audit or -review, not both", errUsage)
	}
	format := sheet.Format(strings.ToLower(a.format))
	if format == "" {
		format = sheet.CSV
		if strings.EqualFold(filepath.Ext(a.out), ".xlsx") {
			format = sheet.XLSX
		}
	}
	if format != sheet.CSV && format != sheet.XLSX {
		return fmt.Errorf("%w: -format: csv or xlsx, not %q", errUsage, a.format)
	}
	if format == sheet.XLSX && a.out == "" {
		return fmt.Errorf("%w: an XLSX export needs -o FILE", errUsage)
	}
	day := func(flagName, v string) (domain.Date, error) {
		if v == "" {
			return domain.Date{}, nil
		}
		d, err := domain.ParseDate(v)
		if err != nil {
			return d, fmt.Errorf("%w: -%s: want YYYY-MM-DD, not %q", errUsage, flagName, v)
		}
		return d, nil
	}
	var err error
	if a.filter.EndingBefore, err = day("ending-before", a.endingBefore); err != nil {
		return err
	}
	from, err := day("from", a.from)
	if err != nil {
		return err
	}
	until, err := day("until", a.until)
	if err != nil {
		return err
	}
	ap, err := app.New(ctx, cfg, opt)
	if err != nil {
		return err
	}
	defer ap.Close()
	lang := ap.Workflow.Catalog.Org.DefaultLanguage
	if a.lang != "" {
		if lang = domain.Lang(strings.ToLower(a.lang)); lang != domain.Finnish && lang != domain.Swedish && lang != domain.English {
			return fmt.Errorf("%w: -lang: fi, sv or en, not %q", errUsage, a.lang)
		}
	}
	x := &exporter.Exporter{Store: ap.DB.Register, Catalog: ap.Workflow.Catalog, Now: ap.Workflow.Now, Reviews: ap.DB.Register}
	var n int
	write := func(w io.Writer) error {
		var err error
		if a.review {
			n, err = x.Review(ctx, w, format, lang, a.campaign)
			return err
		}
		if a.audit {
			af := exporter.AuditFilter{Person: a.filter.Person}
			if !from.IsZero() {
				af.From = orgMidnight(from)
			}
			if !until.IsZero() {
				af.Until = orgMidnight(until.AddDays(1))
			}
			n, err = x.Audit(ctx, w, format, lang, af)
		} else {
			n, err = x.Mandates(ctx, w, format, lang, a.filter)
		}
		return err
	}
	what := "mandates"
	if a.audit {
		what = "audit rows"
	}
	if a.review {
		what = "review rows"
	}
	if a.out == "" {
		if err := write(stdout); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d %s exported\n", n, what)
		return nil
	}
	if err := writeFileAtomic(a.out, write); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d %s exported to %s\n", n, what, a.out)
	return nil
}

// orgMidnight is the start of day d in the organisation's time zone.
func orgMidnight(d domain.Date) time.Time {
	y, m, dd := d.Time().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, domain.OrgLocation)
}
