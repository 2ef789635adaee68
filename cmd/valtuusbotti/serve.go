package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/directory/graphdir"
	"github.com/valtuusbotti/valtuusbotti/internal/tenancy"
)

func serveCommand(fs *flag.FlagSet) runFunc {
	return func(ctx context.Context, _ io.Writer) error { return serve(ctx, fs.Output()) }
}

// serve runs the bot until ctx ends; its log goes to stderr.
func serve(ctx context.Context, stderr io.Writer) error {
	cfg, err := config.FromEnv(nil)
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	log := app.NewLogger(cfg, stderr)
	log.Info("starting valtuusbotti", "version", version, "config", cfg)
	set, err := tenancy.FromEnv(cfg, nil)
	if err != nil {
		return err
	}
	d, err := app.NewDeployment(ctx, cfg, set, app.Options{Logger: log, Graph: newGraph})
	if err != nil {
		return err
	}
	defer d.Close()
	l, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("VALTUUS_LISTEN_ADDR: %w", err)
	}
	go d.Watch(ctx, reloadInterval) // a tenant or organisation added to the file starts without a restart
	if cfg.PprofAddr != "" {
		go servePprof(ctx, cfg.PprofAddr, log)
	}
	return d.Serve(ctx, l)
}

// reloadInterval is how often serve looks for changes in the organisations file.
const reloadInterval = 5 * time.Second

// newGraph is the only place the binary reaches the Graph SDK.
func newGraph(cred azcore.TokenCredential, baseURL string, observe func(status int)) (directory.Directory, error) {
	return graphdir.New(graphdir.Config{Credential: cred, BaseURL: baseURL, Observe: observe})
}

// servePprof serves Go's profiler on the loopback address addr (config refuses any other) until ctx ends.
func servePprof(ctx context.Context, addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Warn("profiler listening (VALTUUS_PPROF_ADDR)", slog.String("addr", addr))
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("profiler stopped", slog.String("error", err.Error()))
	}
}
