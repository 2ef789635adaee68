package hetu

import "testing"

// Codes from DVV's public examples and computed ones; none belongs to a real person (the individual numbers 900–999
// are reserved for temporary and test codes).
func TestValid(t *testing.T) {
	valid := []string{"131052-308T", "010101A900R", "311299-999E", "290200A902D", "010594Y9032", "020517U900R"}
	for _, s := range valid {
		if !Valid(s) {
			t.Errorf("%s should be valid", s)
		}
	}
	invalid := []string{"131052-308U", "310252-308T", "290201A902N", "131052*308T", "131052-30XT", "", "131052-308", "131052-308TT", "1310520308T"}
	for _, s := range invalid {
		if Valid(s) {
			t.Errorf("%s should be invalid", s)
		}
	}
}

func TestContains(t *testing.T) {
	yes := []string{"hetuni on 131052-308T", "131052-308t", "(010101A900R)", "id: 311299-999E.", "nämä: 010594Y9032, 020517U900R"}
	for _, s := range yes {
		if !Contains(s) {
			t.Errorf("Contains(%q) = false", s)
		}
	}
	no := []string{"tilaus 131052-308U", "puhelin 040 1234567", "x131052-308T", "131052-308Tx", "Y-tunnus 1061512-1", "pvm 12.10.2026", ""}
	for _, s := range no {
		if Contains(s) {
			t.Errorf("Contains(%q) = true", s)
		}
	}
}

func FuzzContains(f *testing.F) {
	f.Add("131052-308T")
	f.Add("010101A900R ja 311299-999E")
	f.Fuzz(func(t *testing.T, s string) {
		_ = Contains(s)
		if len(s) == 11 {
			_ = Valid(s)
		}
	})
}
