package secret

import "testing"

func TestLooksLikeAPIKey(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"Zq8kR2mN4pX7vB1cD9fG3hJ5", true},
		{"demo0000sandbox000000key", true},
		{"abcdefghijklmnopqrstuvwxyz", false}, // no digit
		{"12345678901234567890", false},       // no letter
		{"shop-prod-0000000000000001", false}, // a dash: a name
		{"short1", false},
	} {
		if got := LooksLikeAPIKey(tc.in); got != tc.want {
			t.Errorf("LooksLikeAPIKey(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestRedactAPIKeys(t *testing.T) {
	const key = "Zq8kR2mN4pX7vB1cD9fG3hJ5"
	tests := []struct{ in, want string }{
		{"Cannot read word 2, shop: the quote is never closed.", "Cannot read word 2, shop: the quote is never closed."},
		{`cannot read "\"` + key + `": the quote " is never closed`, `cannot read ` + KeyWord + ` the quote " is never closed`},
		{"`whoami` does not take " + key + ".", "`whoami` does not take " + KeyWord},
	}
	for _, tc := range tests {
		if got := RedactAPIKeys(tc.in); got != tc.want {
			t.Errorf("RedactAPIKeys(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
