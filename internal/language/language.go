// Package language decides which language the bot speaks to a person, in one place for a turn and for a
// proactive message: the language they chose, else the one they last wrote a command in (a Finnish speaker whose
// Teams is in English types "hei", and the cards they then tap must stay Finnish), else their Teams locale, else
// the organisation's default.
package language

import (
	"context"
	"log/slog"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// hintTTL is how long the language a person last wrote in counts when they have chosen none.
const hintTTL = 30 * 24 * time.Hour

// Hints is where the language a person last wrote in is remembered (ephemeral state: losing it only means the
// locale counts again).
type Hints interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Resolver applies the language rule.
type Resolver struct {
	Hints   Hints
	Default domain.Lang // the organisation's default language
	Logger  *slog.Logger
}

// For is the language to speak to the person whose stored reference is ref (zero when the bot has never heard
// from them), given the locale of their current activity ("" for a proactive message: the stored locale counts).
func (r *Resolver) For(ctx context.Context, ref domain.ConversationRef, locale string) domain.Lang {
	if locale == "" {
		locale = ref.Locale
	}
	return i18n.Choose(r.own(ctx, ref), locale, r.Default)
}

// own is the person's own language: the one they chose, else the one they last wrote a command in.
func (r *Resolver) own(ctx context.Context, ref domain.ConversationRef) domain.Lang {
	if ref.Language.Valid() || ref.AADObjectID == "" || r.Hints == nil {
		return ref.Language
	}
	raw, err := r.Hints.Get(ctx, hintKey(ref.AADObjectID))
	if err != nil {
		return ""
	}
	if l := domain.Lang(raw); l.Valid() {
		return l
	}
	return ""
}

// WrittenIn notes that the person wrote a command in lang, for the turns and messages that follow, unless they
// have chosen a language themselves (the choice wins). It reports whether the note counts.
func (r *Resolver) WrittenIn(ctx context.Context, ref domain.ConversationRef, aad string, lang domain.Lang) bool {
	if !lang.Valid() || ref.Language.Valid() {
		return false
	}
	if aad != "" && r.Hints != nil {
		if err := r.Hints.Set(ctx, hintKey(aad), []byte(lang), hintTTL); err != nil && r.Logger != nil {
			r.Logger.WarnContext(ctx, "could not remember the language", slog.String("error", err.Error()))
		}
	}
	return true
}

func hintKey(aad string) string { return "langhint:" + aad }
