package reply

import (
	"regexp"
)

// userID is the one rule for Slack user ids in paasbot: U or W, then 2 to
// 30 capitals and digits. PAASBOT_APPROVERS, mentions and the labels of
// owners and requesters all use it, so that an id accepted anywhere is
// rendered as a mention everywhere.
const userID = `[UW][A-Z0-9]{2,30}`

// mentionPattern matches the mention token produced by Mention. User ids
// are Slack-shaped (IsUserID) so that ordinary text with braces is left
// alone.
var (
	mentionPattern = regexp.MustCompile(`\{@(` + userID + `)\}`)
	userIDPattern  = regexp.MustCompile(`^` + userID + `$`)
)

// IsUserID reports whether s is a Slack user id (U… or W…), as opposed to
// a name such as the shell's --user.
func IsUserID(s string) bool { return userIDPattern.MatchString(s) }

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
