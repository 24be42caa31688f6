package reply

import (
	"strings"
	"testing"
)

func TestExpandMentions(t *testing.T) {
	slack := func(id string) string { return "<@" + id + ">" }
	tests := []struct{ in, want string }{
		{"asked by " + Mention("U123ABC"), "asked by <@U123ABC>"},
		{Mention("W0A") + " and " + Mention("U99"), "<@W0A> and <@U99>"},
		{"{@u123} lower case is not an id", "{@u123} lower case is not an id"},
		{"{@X123} wrong prefix", "{@X123} wrong prefix"},
		{"{@U1} too short", "{@U1} too short"},
		{"plain {braces}", "plain {braces}"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ExpandMentions(tt.in, slack); got != tt.want {
			t.Errorf("ExpandMentions(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsUserID(t *testing.T) {
	for _, tt := range []struct {
		s  string
		ok bool
	}{
		{"U012AB3CD", true}, {"W0ABC", true}, {"U12", true}, {"U" + strings.Repeat("9", 30), true},
		{"U1", false}, {"U" + strings.Repeat("9", 31), false}, {"u012ab3cd", false}, {"C012AB3CD", false},
		{"dana", false}, {"U012-AB", false}, {"", false},
	} {
		if got := IsUserID(tt.s); got != tt.ok {
			t.Errorf("IsUserID(%q) = %v, want %v", tt.s, got, tt.ok)
		}
		if rendered := ExpandMentions(Mention(tt.s), func(string) string { return "@" }) == "@"; rendered != tt.ok {
			t.Errorf("%q: IsUserID %v but rendered as a mention %v", tt.s, tt.ok, rendered)
		}
	}
}
