package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Check is a readiness probe of one dependency (the database, Redis…).
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Routes is the service's HTTP surface: the Bot Framework endpoint and the probes Azure uses.
//
//	POST /api/messages  activities from Bot Framework
//	GET  /healthz       the process is alive (no dependency checked, so a database outage does not restart it)
//	GET  /readyz        every Check passes within 2 s; otherwise 503 naming what failed
func Routes(b *Bot, checks ...Check) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/messages", b)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		status, result := http.StatusOK, map[string]string{}
		for _, c := range checks {
			if err := c.Ping(ctx); err != nil {
				status = http.StatusServiceUnavailable
				result[c.Name] = "unavailable"
				b.log.WarnContext(ctx, "readiness check failed", "check", c.Name, "error", err.Error())
				continue
			}
			result[c.Name] = "ok"
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
