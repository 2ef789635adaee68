package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
)

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "valtuusbotti %s (%s)\n", version, runtime.Version())
	return nil
}
