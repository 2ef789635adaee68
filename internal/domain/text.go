package domain

import (
	"strings"
	"unicode/utf8"

	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
)

// FreeText is a rule for text a person writes for the record (a justification, a rejection or could-not-grant
// reason): trimmed, bounded, and never holding a personal identity code. Keys are message keys for the refusal.
type FreeText struct {
	Max                             int
	Required                        bool
	MissingKey, TooLongKey, HetuKey string
}

// The free-text fields of the mandate flow.
var (
	Justification = FreeText{Max: MaxJustification, Required: true, MissingKey: "err.justification_required",
		TooLongKey: "err.justification_too_long", HetuKey: "err.justification_hetu"}
	Reason = FreeText{Max: MaxReason, MissingKey: "err.reason_required", TooLongKey: "err.reason_too_long",
		HetuKey: "err.reason_hetu"}
	RequiredReason = FreeText{Max: MaxReason, Required: true, MissingKey: "err.reason_required",
		TooLongKey: "err.reason_too_long", HetuKey: "err.reason_hetu"}
)

// Check returns the trimmed text, or an EInvalid error naming what is wrong with it.
func (f FreeText) Check(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && f.Required:
		return "", Errorf(EInvalid, "%s", f.MissingKey)
	case utf8.RuneCountInString(s) > f.Max:
		return "", Errorf(EInvalid, "%s", f.TooLongKey)
	case hetu.Contains(s):
		return "", Errorf(EInvalid, "%s", f.HetuKey)
	}
	return s, nil
}
