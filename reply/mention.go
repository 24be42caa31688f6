package reply

import (
	"regexp"
)

// mentionPattern matches the mention token produced by Mention. User ids
// are Slack-shaped (U… or W… then capitals and digits) so that ordinary
// text with braces is left alone.
var mentionPattern = regexp.MustCompile(`\{@([UW][A-Z0-9]{2,30})\}`)

// Mention returns a token naming a person in Text, Fields, Notes or table
// cells. Transports turn it into their own form: Slack's <@U123> (which
// they could not otherwise write, since they escape < and >), or "@U123" in
// a terminal.
func Mention(userID string) string { return "{@" + userID + "}" }

// ExpandMentions replaces every Mention token in s with render(userID).
func ExpandMentions(s string, render func(userID string) string) string {
	if len(s) < 4 {
		return s
	}
	return mentionPattern.ReplaceAllStringFunc(s, func(tok string) string {
		return render(tok[2 : len(tok)-1])
	})
}
