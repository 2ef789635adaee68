package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
)

func versionCommand(*flag.FlagSet) runFunc {
	return func(_ context.Context, stdout io.Writer) error {
		fmt.Fprintf(stdout, "valtuusbotti %s (%s)\n", version, runtime.Version())
		return nil
	}
}
