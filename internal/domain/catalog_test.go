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

func TestThemeNames(t *testing.T) {
	th := Theme{
		OfficialName: Text{FI: "Palkkatietojen ilmoittaminen", EN: "Reporting earnings payment data"},
		OwnName:      Text{SV: "Anmälan (vår)"},
	}.WithDisplayName()
	if want := (Text{FI: "Palkkatietojen ilmoittaminen", SV: "Anmälan (vår)", EN: "Reporting earnings payment data"}); th.Name != want {
		t.Errorf("Name = %+v, want %+v", th.Name, want)
	}
	onlyEN := Theme{OfficialName: Text{EN: "Applying for Corporate Financing"}, OwnName: Text{FI: "Yritysrahoituksen hakeminen"}}
	tests := []struct {
		name   string
		theme  Theme
		lang   Lang
		want   string
		wantIn Lang
		ok     bool
	}{
		{"official in the reader's language", th, English, "Reporting earnings payment data", English, true},
		{"no official Swedish: the Finnish one, never our own", th, Swedish, "Palkkatietojen ilmoittaminen", Finnish, true},
		{"Finnish reader", th, Finnish, "Palkkatietojen ilmoittaminen", Finnish, true},
		{"no official Finnish: the official one there is", onlyEN, Finnish, "Applying for Corporate Financing", English, true},
		{"no official name at all", Theme{OwnName: Text{FI: "Oma"}}, Finnish, "", "", false},
	}
	for _, tt := range tests {
		name, in, ok := tt.theme.SuomiFiName(tt.lang)
		if name != tt.want || in != tt.wantIn || ok != tt.ok {
			t.Errorf("%s: SuomiFiName(%s) = %q, %q, %v; want %q, %q, %v", tt.name, tt.lang, name, in, ok, tt.want, tt.wantIn, tt.ok)
		}
	}
	if (Text{FI: "a", EN: "c"}).Exact(Swedish) != "" || (Text{SV: "b"}).Exact(Swedish) != "b" || (Text{FI: "a"}).Exact("de") != "" {
		t.Error("Exact falls back or misses")
	}
}
