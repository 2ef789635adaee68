package graphdir

import (
	"net/url"
	"testing"
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
