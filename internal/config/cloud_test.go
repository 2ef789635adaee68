package config

import (
	"strings"
	"testing"
	"time"
)

func TestCloudDerivesEndpoints(t *testing.T) {
	for _, tc := range []struct {
		cloud                                     string
		authority, scope, issuer, metadata, graph string
	}{
		{"", "https://login.microsoftonline.com/", "https://api.botframework.com/.default", "https://api.botframework.com",
			"https://login.botframework.com/v1/.well-known/openidconfiguration", "https://graph.microsoft.com/v1.0"},
		{"usgov", "https://login.microsoftonline.us/", "https://api.botframework.us/.default", "https://api.botframework.us",
			"https://login.botframework.azure.us/v1/.well-known/openidconfiguration", "https://graph.microsoft.us/v1.0"},
		{"China", "https://login.chinacloudapi.cn/", "https://api.botframework.azure.cn/.default", "https://api.botframework.azure.cn",
			"https://login.botframework.azure.cn/v1/.well-known/openidconfiguration", "https://microsoftgraph.chinacloudapi.cn/v1.0"},
	} {
		c, err := FromEnv(env("VALTUUS_CLOUD", tc.cloud))
		if err != nil {
			t.Fatalf("%s: %v", tc.cloud, err)
		}
		got := []string{c.AuthorityHost, c.Cloud.BotScope, c.Cloud.BotIssuer, c.OpenIDMetadataURL, c.GraphBaseURL}
		want := []string{tc.authority, tc.scope, tc.issuer, tc.metadata, tc.graph}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("cloud %q:\n got %v\nwant %v", tc.cloud, got, want)
		}
	}
}

func TestCloudOverridesAndTestRig(t *testing.T) {
	c, err := FromEnv(env("VALTUUS_CLOUD", "usgov", "AZURE_AUTHORITY_HOST", "https://127.0.0.1:8443/",
		"VALTUUS_DISABLE_INSTANCE_DISCOVERY", "true", "VALTUUS_GRAPH_BASE_URL", "https://dod-graph.microsoft.us/v1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthorityHost != "https://127.0.0.1:8443/" || !c.DisableInstanceDiscovery || c.GraphBaseURL != "https://dod-graph.microsoft.us/v1.0" ||
		c.Cloud.BotScope != "https://api.botframework.us/.default" {
		t.Errorf("overrides not kept: %+v", c)
	}
	for _, bad := range []Getenv{
		env("VALTUUS_CLOUD", "mars"),
		env("AZURE_AUTHORITY_HOST", "http://login.example.org/"),
	} {
		if _, err := FromEnv(bad); err == nil {
			t.Error("a bad cloud setting was accepted")
		}
	}
}

func TestManagedIdentityClientDefaultsToAppID(t *testing.T) {
	c, err := FromEnv(env("VALTUUS_BOT_APP_ID", appID, "VALTUUS_BOT_TENANT_ID", tenant, "VALTUUS_CREDENTIAL", "managed_identity",
		"VALTUUS_LISTEN_ADDR", "0.0.0.0:3978"))
	if err != nil {
		t.Fatal(err)
	}
	if c.ManagedIdentityClient != appID {
		t.Errorf("managed identity client id = %q, want the app id", c.ManagedIdentityClient)
	}
}

func TestTeamsLimitsSettings(t *testing.T) {
	c, err := FromEnv(env())
	if err != nil {
		t.Fatal(err)
	}
	if c.TeamsTenantRPS != 50 || FormatWindows(c.TeamsConversationLimits) != "7/1s,8/2s,60/30s,1800/1h0m0s" ||
		c.TeamsReplyWait != 50*time.Millisecond {
		t.Errorf("defaults: %d %s %v", c.TeamsTenantRPS, FormatWindows(c.TeamsConversationLimits), c.TeamsReplyWait)
	}
	c, err = FromEnv(env("VALTUUS_TEAMS_TENANT_RPS", "0", "VALTUUS_TEAMS_CONVERSATION_LIMITS", "3/1s, 100/1h"))
	if err != nil {
		t.Fatal(err)
	}
	if c.TeamsTenantRPS != 0 || FormatWindows(c.TeamsConversationLimits) != "3/1s,100/1h0m0s" {
		t.Errorf("settings: %d %s", c.TeamsTenantRPS, FormatWindows(c.TeamsConversationLimits))
	}
	for _, bad := range []string{"7", "0/1s", "7/0s", "x/1s", "7/soon"} {
		if _, err := FromEnv(env("VALTUUS_TEAMS_CONVERSATION_LIMITS", bad)); err == nil {
			t.Errorf("limits %q accepted", bad)
		}
	}
	if _, err := FromEnv(env("VALTUUS_TEAMS_TENANT_RPS", "-1")); err == nil {
		t.Error("a negative budget accepted")
	}
}
