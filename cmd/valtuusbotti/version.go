package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// revision is the VCS revision the binary was built from, when the build recorded one (", revision abc123",
// with "+modified" for a dirty tree), or "".
func revision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+modified"
			}
		}
	}
	if rev == "" {
		return ""
	}
	return ", revision " + rev + modified
}

func versionCommand(*flag.FlagSet) runFunc {
	return func(_ context.Context, stdout io.Writer) error {
		fmt.Fprintf(stdout, "valtuusbotti %s (%s)%s\n", version, runtime.Version(), revision())
		return nil
	}
}
