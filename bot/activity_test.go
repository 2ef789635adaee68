package bot

import "testing"

func TestHasNUL(t *testing.T) {
	for body, want := range map[string]bool{
		`{"text":"a\u0000b"}`:        true,
		`{"a\u0000":1}`:              true,
		`{"text":"\\\u0000"}`:        true,  // an escaped backslash, then NUL
		`{"text":"\\u0000"}`:         false, // the six characters \u0000, as someone typed them
		`{"text":"\\\\u0000"}`:       false,
		`{"text":"u0000 \u00001"}`:   true,
		`{"text":"u0000","n":10000}`: false,
		`{"text":"\u0001"}`:          false,
		``:                           false,
	} {
		if got := hasNUL([]byte(body)); got != want {
			t.Errorf("hasNUL(%s) = %v, want %v", body, got, want)
		}
	}
}
