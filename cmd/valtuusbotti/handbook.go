package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/handbook"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func handbookCommand(fs *flag.FlagSet) runFunc {
	var opt handbookOptions
	fs.StringVar(&opt.lang, "lang", "", "the handbook's language: fi, sv or en (default: the organisation's default language)")
	fs.StringVar(&opt.format, "format", "md", "md (Markdown, the process as a Mermaid diagram), html (one page, the process as SVG) or xlsx (the role → task → theme matrix; needs -o)")
	fs.StringVar(&opt.out, "o", "", "output file (default: standard output)")
	fs.BoolVar(&opt.names, "names", true, "name the main users and department heads from the directory (VALTUUS_DIRECTORY)")
	org := orgFlag(fs)
	return func(ctx context.Context, stdout io.Writer) error {
		ao := app.Options{Graph: newGraph}
		cfg, err := orgConfig(*org, &ao)
		if err != nil {
			return err
		}
		return writeHandbook(ctx, stdout, fs.Output(), cfg, ao, opt)
	}
}

type handbookOptions struct {
	lang, format, out string
	names             bool
}

// writeHandbook writes the management model of the configured organisation (its catalog: embedded or
// VALTUUS_CATALOG_DIR) to out, or to stdout. A directory that cannot name people leaves their ids, with a warning.
func writeHandbook(ctx context.Context, stdout, stderr io.Writer, cfg *config.Config, ao app.Options, opt handbookOptions) error {
	lang := domain.Lang(opt.lang)
	if opt.lang != "" && !lang.Valid() {
		return fmt.Errorf("-lang: want fi, sv or en, not %q", opt.lang)
	}
	switch {
	case opt.format != "md" && opt.format != "html" && opt.format != "xlsx":
		return fmt.Errorf("-format: want md, html or xlsx, not %q", opt.format)
	case opt.format == "xlsx" && opt.out == "":
		return fmt.Errorf("-format xlsx: give the file to write with -o")
	}
	cat, err := app.LoadCatalog(cfg)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	switch opt.format {
	case "xlsx":
		err = handbook.Matrix(&buf, cat, i18n.MustLoad(), lang)
	default:
		ho := handbook.Options{Lang: lang, CatalogDir: cfg.CatalogDir}
		if opt.names {
			ho.Names = directoryNames(ctx, stderr, cfg, ao)
		}
		doc := handbook.Build(cat, i18n.MustLoad(), ho)
		if opt.format == "html" {
			err = doc.HTML(&buf)
		} else {
			err = doc.Markdown(&buf)
		}
	}
	if err != nil {
		return err
	}
	if opt.out == "" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(opt.out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", opt.out)
	return nil
}

// directoryNames looks people up in the configured directory, each within a few seconds; nil (ids only) when the
// directory cannot be reached at all.
func directoryNames(ctx context.Context, stderr io.Writer, cfg *config.Config, ao app.Options) func(string) string {
	dir, err := app.Directory(cfg, ao)
	if err != nil {
		fmt.Fprintf(stderr, "handbook: people are named by their ids only: %v\n", err)
		return nil
	}
	warned := false
	return func(id string) string {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		u, err := dir.User(c, id)
		if err != nil {
			if !warned && !domain.IsCode(err, domain.ENotFound) {
				fmt.Fprintf(stderr, "handbook: the directory did not answer, so some people are named by their ids: %v\n", err)
				warned = true
			}
			return ""
		}
		return u.DisplayName
	}
}
