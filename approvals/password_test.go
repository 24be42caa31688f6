package approvals

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
)

func TestGeneratePassword(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		v, err := generatePassword(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		pw := v.Reveal()
		if len(pw) != PasswordLength {
			t.Fatalf("%q has %d characters, want %d", pw, len(pw), PasswordLength)
		}
		for _, class := range []struct {
			name, set string
			min       int
		}{{"lower", pwLower, 2}, {"upper", pwUpper, 2}, {"digit", pwDigits, 2}, {"symbol", pwSymbols, 1}} {
			n := 0
			for _, r := range pw {
				if strings.ContainsRune(class.set, r) {
					n++
				}
			}
			if n < class.min {
				t.Errorf("%q has %d %s characters, want at least %d", pw, n, class.name, class.min)
			}
		}
		if strings.ContainsAny(pw, "0O1lI `'\"\\$@:/") {
			t.Errorf("%q holds an ambiguous or unsafe character", pw)
		}
		if seen[pw] {
			t.Fatalf("%q generated twice", pw)
		}
		seen[pw] = true
	}
}

func TestGeneratePassword_Redacted(t *testing.T) {
	v, err := generatePassword(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%v %s %q", v, v, v); strings.Contains(got, v.Reveal()) {
		t.Errorf("a generated password prints as %s", got)
	}
}

func TestGeneratePassword_ShortRandomness(t *testing.T) {
	if _, err := generatePassword(bytes.NewReader([]byte{1, 2, 3})); err == nil {
		t.Error("a failing random source gave a password")
	}
}
