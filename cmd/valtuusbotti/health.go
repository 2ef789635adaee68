package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/config"
)

// healthCommand asks the running service on this machine whether it is alive: the container image's health check,
// where no shell or curl exists.
func healthCommand(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, stdout io.Writer) error {
		cfg, err := config.FromEnv(nil)
		if err != nil {
			return fmt.Errorf("configuration:\n%w", err)
		}
		return health(ctx, stdout, cfg.ListenAddr)
	}
}

// health GETs /healthz on the listen address's port on loopback.
func health(ctx context.Context, stdout io.Writer, listen string) error {
	_, port, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("VALTUUS_LISTEN_ADDR: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not alive: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not alive: /healthz answered %d", resp.StatusCode)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
