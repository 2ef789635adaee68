package graphdir

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakegraph"
)

func TestScopeForNationalClouds(t *testing.T) {
	for base, want := range map[string]string{
		"https://graph.microsoft.com/v1.0":              "https://graph.microsoft.com/.default",
		"https://graph.microsoft.us/v1.0":               "https://graph.microsoft.us/.default",
		"https://dod-graph.microsoft.us/v1.0":           "https://dod-graph.microsoft.us/.default",
		"https://microsoftgraph.chinacloudapi.cn/v1.0/": "https://microsoftgraph.chinacloudapi.cn/.default",
		"http://127.0.0.1:8080/v1.0":                    DefaultScope,
	} {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		if got := ScopeFor(u); got != want {
			t.Errorf("ScopeFor(%s) = %s, want %s", base, got, want)
		}
	}
}

// Every attempt to Graph is observed with its status, the SDK's own retry of a 429 included.
func TestObserveSeesThrottling(t *testing.T) {
	demo, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	fake := fakegraph.FromDirectory(t, demo)
	var mu sync.Mutex
	var seen []int
	g, err := New(Config{Credential: &fakegraph.Credential{Token: "t"}, BaseURL: fake.URL(),
		Observe: func(status int) { mu.Lock(); seen = append(seen, status); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	fake.Throttle(1, 0)
	if _, err := g.User(context.Background(), "7c1e4a52-0000-4000-8000-000000000001"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(seen) != "[429 200]" {
		t.Errorf("observed %v, want [429 200]", seen)
	}
}
