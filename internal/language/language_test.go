package language

import (
	"context"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

func TestLanguageRule(t *testing.T) {
	ctx := context.Background()
	clock := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	r := &Resolver{Hints: state.NewMemory(func() time.Time { return clock }), Default: domain.Finnish}
	anna := domain.ConversationRef{AADObjectID: "anna", Locale: "en-US"}
	if got := r.For(ctx, anna, ""); got != domain.English {
		t.Fatalf("stored locale: %s", got)
	}
	if got := r.For(ctx, domain.ConversationRef{}, "sv-FI"); got != domain.Swedish {
		t.Fatalf("activity locale: %s", got)
	}
	if got := r.For(ctx, domain.ConversationRef{}, "de-DE"); got != domain.Finnish {
		t.Fatalf("organisation default: %s", got)
	}
	if !r.WrittenIn(ctx, anna, "anna", domain.Swedish) {
		t.Fatal("a written language must count when none is chosen")
	}
	if got := r.For(ctx, anna, "en-US"); got != domain.Swedish {
		t.Fatalf("written language beats the locale: %s", got)
	}
	chosen := anna
	chosen.Language = domain.Finnish
	if r.WrittenIn(ctx, chosen, "anna", domain.English) || r.For(ctx, chosen, "sv-SE") != domain.Finnish {
		t.Fatal("the person's own choice wins over everything")
	}
	clock = clock.Add(hintTTL + time.Minute)
	if got := r.For(ctx, anna, ""); got != domain.English {
		t.Fatalf("the written hint expires: %s", got)
	}
}
