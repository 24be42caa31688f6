package reply

import "testing"

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
