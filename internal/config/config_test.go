package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(kv ...string) Getenv {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

const appID = "11111111-2222-4333-8444-555555555555"
const tenant = "d3b0c0de-0000-4000-8000-000000000000"

func TestDefaultsRunLocally(t *testing.T) {
	c, err := FromEnv(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != "127.0.0.1:3978" || !c.Anonymous() || c.Credential != CredentialNone ||
		c.DatabaseURL != "sqlite:./data/valtuusbotti.db" || c.RedisURL != "" || c.Directory != DirectoryDemo ||
		c.OpenIDMetadataURL != DefaultOpenIDMetadataURL || c.LogFormat != "text" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := []struct {
		env  Getenv
		want string
	}{
		{env("VALTUUS_LISTEN_ADDR", "0.0.0.0:3978"), "VALTUUS_LISTEN_ADDR: without VALTUUS_BOT_APP_ID"},
		{env("VALTUUS_LISTEN_ADDR", "nope"), "VALTUUS_LISTEN_ADDR: want host:port"},
		{env("VALTUUS_PPROF_ADDR", "0.0.0.0:6060"), "VALTUUS_PPROF_ADDR: want a loopback host:port"},
		{env("VALTUUS_PPROF_ADDR", "6060"), "VALTUUS_PPROF_ADDR: want a loopback host:port"},
		{env("VALTUUS_BOT_APP_ID", "bot"), "VALTUUS_BOT_APP_ID: want"},
		{env("VALTUUS_BOT_APP_ID", appID), "VALTUUS_BOT_TENANT_ID: required"},
		{env("VALTUUS_BOT_APP_ID", appID, "VALTUUS_BOT_TENANT_ID", tenant), "VALTUUS_CLIENT_SECRET: required"},
		{env("VALTUUS_BOT_APP_ID", appID, "VALTUUS_BOT_TENANT_ID", tenant, "VALTUUS_CREDENTIAL", "magic"), "VALTUUS_CREDENTIAL: unknown"},
		{env("VALTUUS_BOT_APP_ID", appID, "VALTUUS_BOT_TENANT_ID", tenant, "VALTUUS_CREDENTIAL", "certificate", "VALTUUS_CLIENT_CERTIFICATE_PATH", "/nonexistent.pem"), "VALTUUS_CLIENT_CERTIFICATE_PATH: cannot read"},
		{env("VALTUUS_CREDENTIAL", "secret"), "VALTUUS_CREDENTIAL: \"secret\" needs VALTUUS_BOT_APP_ID"},
		{env("VALTUUS_DATABASE_URL", "mysql://x"), "VALTUUS_DATABASE_URL"},
		{env("VALTUUS_REDIS_URL", "http://x"), "VALTUUS_REDIS_URL"},
		{env("VALTUUS_DIRECTORY", "ldap"), "VALTUUS_DIRECTORY: unknown"},
		{env("VALTUUS_DIRECTORY", "graph"), "VALTUUS_DIRECTORY: graph needs"},
		{env("VALTUUS_LOG_LEVEL", "loud"), "VALTUUS_LOG_LEVEL"},
		{env("VALTUUS_LOG_FORMAT", "xml"), "VALTUUS_LOG_FORMAT"},
		{env("VALTUUS_MAX_BODY_BYTES", "12x"), "VALTUUS_MAX_BODY_BYTES: want an integer"},
		{env("VALTUUS_MAX_BODY_BYTES", "10"), "VALTUUS_MAX_BODY_BYTES: want between"},
		{env("VALTUUS_SHUTDOWN_TIMEOUT", "-1s"), "VALTUUS_SHUTDOWN_TIMEOUT"},
		{env("VALTUUS_OPENID_METADATA_URL", "http://evil.example/meta"), "VALTUUS_OPENID_METADATA_URL: plain http"},
		{env("VALTUUS_GRAPH_BASE_URL", "graph"), "VALTUUS_GRAPH_BASE_URL: want an absolute"},
		{env("VALTUUS_REDIS_URL", "redis://x", "VALTUUS_REDIS_URL_FILE", "/x"), "VALTUUS_REDIS_URL: set either"},
		{env("VALTUUS_REDIS_URL_FILE", "/nonexistent"), "VALTUUS_REDIS_URL_FILE: cannot read"},
		{env("VALTUUS_REDIS_PREFIX", "has space"), "VALTUUS_REDIS_PREFIX"},
		{env("VALTUUS_CLOCK_OFFSET", "-1h"), "VALTUUS_CLOCK_OFFSET"},
		{env("VALTUUS_TAB_APP_ID", "tab-app"), "VALTUUS_TAB_APP_ID: want"},
		{env("VALTUUS_BOT_APP_ID", appID, "VALTUUS_BOT_TENANT_ID", tenant, "VALTUUS_CLIENT_SECRET", "s", "VALTUUS_CLOCK_OFFSET", "72h"), "VALTUUS_CLOCK_OFFSET"},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			_, err := FromEnv(tc.env)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestProductionConfigAndMaskedSecrets(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("s3cr3t-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dbFile := filepath.Join(dir, "db")
	if err := os.WriteFile(dbFile, []byte("postgres://bot:pg-pass@db:5432/valtuus?sslmode=require\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := FromEnv(env(
		"VALTUUS_LISTEN_ADDR", "0.0.0.0:8080",
		"VALTUUS_BOT_APP_ID", appID, "VALTUUS_BOT_TENANT_ID", tenant,
		"VALTUUS_CLIENT_SECRET_FILE", secretFile,
		"VALTUUS_DATABASE_URL_FILE", dbFile,
		"VALTUUS_REDIS_URL", "rediss://:redis-pass@cache:6380/0",
		"VALTUUS_DIRECTORY", "graph",
	))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientSecret != "s3cr3t-value" || c.Credential != CredentialSecret || c.Anonymous() || c.LogFormat != "json" ||
		c.DatabaseURL != "postgres://bot:pg-pass@db:5432/valtuus?sslmode=require" {
		t.Fatalf("unexpected: %+v", c)
	}
	dump := c.LogValue().String()
	for _, secret := range []string{"s3cr3t-value", "pg-pass", "redis-pass"} {
		if strings.Contains(dump, secret) {
			t.Errorf("dump leaks %q: %s", secret, dump)
		}
	}
	if !strings.Contains(dump, "db:5432") {
		t.Errorf("dump lost the host: %s", dump)
	}
}

func TestLoopbackHosts(t *testing.T) {
	for _, h := range []string{"127.0.0.1", "::1", "localhost", "127.0.0.2"} {
		if !IsLoopback(h) {
			t.Errorf("%s should be loopback", h)
		}
	}
	for _, h := range []string{"0.0.0.0", "", "10.0.0.1", "example.com", "::"} {
		if IsLoopback(h) {
			t.Errorf("%s should not be loopback", h)
		}
	}
}

// Every setting the service reads is documented in the README's configuration table.
func TestReadmeDocumentsEverySetting(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range Names() {
		if base := strings.TrimSuffix(n, "_FILE"); !strings.Contains(string(raw), "`"+base+"`") {
			t.Errorf("README.md does not document %s", base)
		}
	}
}
