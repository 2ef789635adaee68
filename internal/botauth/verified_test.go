package botauth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

// A token verified once is not verified again, but everything that can change is still checked on every use: the
// clock (expiry), the activity (service URL, channel endorsement) and the key (a retired key's tokens are refused).
func TestVerifiedTokensAreStillChecked(t *testing.T) {
	f := newFixture(t)
	f.idp.AddKey("second", "msteams")
	header := f.idp.AuthHeader(fakeidp.TokenOptions{KeyID: "second", ExpiresAt: baseTime.Add(10 * time.Minute)})
	for i := range 3 {
		if _, err := f.authenticate(f.activity(), header); err != nil {
			t.Fatalf("use %d: %v", i, err)
		}
	}
	if len(f.v.verified.m) != 1 {
		t.Fatalf("%d tokens remembered, want 1", len(f.v.verified.m))
	}
	other := f.activity()
	other.ServiceURL = "https://smba.evil.example/"
	if _, err := f.authenticate(other, header); err == nil {
		t.Error("a remembered token was accepted for another service URL")
	}
	elsewhere := f.activity()
	elsewhere.ChannelID = "webchat"
	if _, err := f.authenticate(elsewhere, header); err == nil {
		t.Error("a remembered token was accepted for a channel its key is not endorsed for")
	}
	// The key is retired: once the validator's keys no longer hold it, the remembered token is refused.
	f.idp.Unpublish("second")
	if err := f.v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.authenticate(f.activity(), header); !errors.Is(err, errUnknownKey) {
		t.Errorf("a token of a retired key: %v, want errUnknownKey", err)
	}
	// Expiry is the clock's, not the memory's.
	fresh := f.idp.AuthHeader(fakeidp.TokenOptions{ExpiresAt: baseTime.Add(10 * time.Minute)})
	if _, err := f.authenticate(f.activity(), fresh); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(20 * time.Minute)
	if _, err := f.authenticate(f.activity(), fresh); err == nil {
		t.Error("a remembered token was accepted after it expired")
	}
}
