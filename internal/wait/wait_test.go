package wait

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestSleepStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	if err := Sleep(context.Background(), 0); err != nil {
		t.Fatalf("zero wait: %v", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("short wait: %v", err)
	}
}

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		base, ceiling time.Duration
		n             int
		want          time.Duration
	}{
		{time.Second, time.Minute, 0, time.Second},
		{time.Second, time.Minute, 1, time.Second},
		{time.Second, time.Minute, 2, 2 * time.Second},
		{time.Second, time.Minute, 4, 8 * time.Second},
		{time.Second, time.Minute, 7, time.Minute},
		{time.Second, time.Minute, 1000, time.Minute},
		{time.Minute, time.Second, 1, time.Second},
		{time.Nanosecond, time.Duration(1<<63 - 1), 100, time.Duration(1<<63 - 1)},
	} {
		if got := Backoff(tt.base, tt.ceiling, tt.n); got != tt.want {
			t.Errorf("Backoff(%v, %v, %d) = %v, want %v", tt.base, tt.ceiling, tt.n, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"soon", 0, false},
		{"NaN", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"-3", 0, true},
		{"99999999999999999999", 24 * time.Hour, true},
		{now.Add(20 * time.Second).Format(http.TimeFormat), 20 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{now.Add(100 * 24 * time.Hour).Format(http.TimeFormat), 24 * time.Hour, true},
	} {
		if got, ok := RetryAfter(tt.v, now); got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%q) = %v, %v; want %v, %v", tt.v, got, ok, tt.want, tt.ok)
		}
	}
}
