package domain

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorKindsAndMessages(t *testing.T) {
	base := Errorf(ENotFound, "no request %d", 7)
	w := Wrap("Approve", fmt.Errorf("load: %w", base))
	if ErrorCode(w) != ENotFound || !IsCode(w, ENotFound) {
		t.Fatalf("kind lost: %v", w)
	}
	if ErrorMessage(w) != "no request 7" {
		t.Fatalf("message %q", ErrorMessage(w))
	}
	if w.Error() != "Approve: load: not_found: no request 7" {
		t.Fatalf("text %q", w.Error())
	}
	plain := Wrap("Open", errors.New("dial tcp: refused"))
	if ErrorCode(plain) != EInternal || ErrorMessage(plain) != "internal error" || plain.Error() != "Open: dial tcp: refused" {
		t.Fatalf("plain: %q %q %q", ErrorCode(plain), ErrorMessage(plain), plain.Error())
	}
	if Wrap("x", nil) != nil || ErrorCode(nil) != "" || ErrorMessage(nil) != "" {
		t.Fatal("nil handling")
	}
}

func TestTextFallback(t *testing.T) {
	tx := Text{FI: "Hei", EN: "Hi"}
	if tx.In(Swedish) != "Hei" || tx.In(English) != "Hi" || len(tx.Missing()) != 1 {
		t.Fatalf("%q %q %v", tx.In(Swedish), tx.In(English), tx.Missing())
	}
}
