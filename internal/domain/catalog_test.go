package domain

import "testing"

func TestMandateTypeValid(t *testing.T) {
	for _, mt := range MandateTypes {
		if !mt.Valid() {
			t.Errorf("%q is listed but not valid", mt)
		}
	}
	for _, mt := range []MandateType{"", "Asiointivaltuus", "valtuutusoikeus", "edustajan valtuutusoikeus", " asiointivaltuus"} {
		if mt.Valid() {
			t.Errorf("%q is valid, want not", mt)
		}
	}
}
