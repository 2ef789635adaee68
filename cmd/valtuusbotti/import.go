package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/importer"
)

// mapFlag collects repeated -map "Column name=field" flags.
type mapFlag []string

func (m *mapFlag) String() string     { return strings.Join(*m, ", ") }
func (m *mapFlag) Set(v string) error { *m = append(*m, v); return nil }

// importArgs are the import command's flags and file.
type importArgs struct {
	file, sheet, report string
	dryRun              bool
	mapping             []string
}

func importCommand(fs *flag.FlagSet) runFunc {
	var a importArgs
	fs.BoolVar(&a.dryRun, "dry-run", false, "read, match and report every row; write nothing")
	fs.StringVar(&a.sheet, "sheet", "", "import only the sheet of this name (XLSX)")
	fs.StringVar(&a.report, "report", "", "write the report (CSV: sheet,row,outcome,reason,person,theme,valid_until) to this file; default: after the summary")
	fs.Var((*mapFlag)(&a.mapping), "map", `a column the import does not know, as "Column name=field" (repeat for more); fields: `+
		strings.Join(importer.Fields(), ", "))
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: valtuusbotti import [-dry-run] [-sheet NAME] [-report FILE] [-map \"Column=field\"] FILE")
		fs.PrintDefaults()
	}
	org := orgFlag(fs)
	return func(ctx context.Context, stdout io.Writer) error {
		if fs.NArg() != 1 {
			fs.Usage()
			return fmt.Errorf("%w: import takes one file", errUsage)
		}
		a.file = fs.Arg(0)
		opt := app.Options{Graph: newGraph}
		cfg, err := orgConfig(*org, &opt)
		if err != nil {
			return err
		}
		return importFile(ctx, stdout, cfg, opt, a)
	}
}

// importFile imports a.file into the register: it prints the summary, writes the report (to a.report, or after the
// summary), and fails when a real run wrote nothing because rows failed or no header row was found.
func importFile(ctx context.Context, stdout io.Writer, cfg *config.Config, opt app.Options, a importArgs) error {
	mapping, err := importer.ParseMapping(a.mapping)
	if err != nil {
		return fmt.Errorf("%w: -map: %v", errUsage, err)
	}
	data, err := os.ReadFile(a.file)
	if err != nil {
		return fmt.Errorf("cannot read the file: %s", hetu.Redact(err.Error()))
	}
	ap, err := app.New(ctx, cfg, opt)
	if err != nil {
		return err
	}
	defer ap.Close()
	people, ok := ap.Workflow.Directory.(importer.People)
	if !ok {
		return errors.New("the configured directory cannot find people by e-mail or name")
	}
	imp := &importer.Importer{Store: ap.DB.Register, Catalog: ap.Workflow.Catalog, People: people, Now: ap.Workflow.Now,
		Logger: ap.Log.With("component", "import")}
	res, err := imp.Run(ctx, a.file, data, importer.Options{DryRun: a.dryRun, Sheet: a.sheet, Mapping: mapping})
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, res.Summary())
	if a.report == "" {
		fmt.Fprintln(stdout)
		if err := res.WriteReport(stdout); err != nil {
			return err
		}
	} else if err := writeFileAtomic(a.report, res.WriteReport); err != nil {
		return fmt.Errorf("-report: %w", err)
	} else {
		fmt.Fprintf(stdout, "  report: %s\n", a.report)
	}
	if failed := res.Counts[importer.Error] + res.Counts[importer.Refused]; !a.dryRun && failed > 0 {
		return fmt.Errorf("nothing was imported: %d row(s) failed (see the report)", failed)
	}
	if !a.dryRun && res.Headed == 0 {
		return errors.New("nothing was imported: no header row found (see the summary)")
	}
	return nil
}

// writeFileAtomic writes a file through a temporary file beside it, so that a failed write leaves no half file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	dir, base := ".", path
	if i := strings.LastIndexAny(path, `/\`); i >= 0 {
		dir, base = path[:i+1], path[i+1:]
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing to remove
	if err := write(tmp); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
