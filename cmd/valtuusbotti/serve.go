package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
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
	return d.Serve(ctx, l)
}

// reloadInterval is how often serve looks for changes in the organisations file.
const reloadInterval = 5 * time.Second

// newGraph is the only place the binary reaches the Graph SDK.
func newGraph(cred azcore.TokenCredential, baseURL string, observe func(status int)) (directory.Directory, error) {
	return graphdir.New(graphdir.Config{Credential: cred, BaseURL: baseURL, Observe: observe})
}
