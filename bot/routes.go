package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Check is a readiness probe of one dependency (the database, Redis…).
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// readyCheckTimeout bounds each readiness check.
const readyCheckTimeout = 2 * time.Second

// Routes is the service's HTTP surface: the Bot Framework endpoint and the probes Azure uses.
//
//	POST /api/messages  activities from Bot Framework
//	GET  /healthz       the process is alive (no dependency checked, so a database outage does not restart it)
//	GET  /readyz        every Check passes, each within 2 s; otherwise 503 naming what failed
func Routes(b *Bot, checks ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/messages", b)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		results := make([]error, len(checks))
		var wg sync.WaitGroup
		for i, c := range checks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Each check has its own budget: a slow database must not make the state look unavailable.
				ctx, cancel := context.WithTimeout(r.Context(), readyCheckTimeout)
				defer cancel()
				results[i] = c.Ping(ctx)
			}()
		}
		wg.Wait()
		status, result := http.StatusOK, map[string]string{}
		for i, c := range checks {
			result[c.Name] = "ok"
			if err := results[i]; err != nil {
				status, result[c.Name] = http.StatusServiceUnavailable, "unavailable"
				b.log.WarnContext(r.Context(), "readiness check failed", "check", c.Name, "error", err.Error())
			}
		}
		writeJSON(w, status, result)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
