package telemetry

import (
	"strings"

	"github.com/paasbot/paasbot/secret"
)

// minTokenTail is how many token characters must follow a prefix before
// the text is treated as a token: "starting with xoxb-" in an error message
// is advice, not a secret.
const minTokenTail = 4

// hasTokenPrefix is a cheap pre-check for scrubTokens.
func hasTokenPrefix(s string) bool {
	return strings.Contains(s, "xox") || strings.Contains(s, "xapp-")
}

// ScrubTokens returns s with every Slack token in it replaced by its prefix
// and "[redacted]". Use it on text from elsewhere (an upstream error body)
// before it reaches a log line or a person.
func ScrubTokens(s string) string { return scrubTokens(s) }

func scrubTokens(s string) string {
	if !hasTokenPrefix(s) {
		return s
	}
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		if p := tokenPrefixAt(s, i); p > 0 {
			end := i + p
			for end < len(s) && isTokenChar(s[end]) {
				end++
			}
			if end-(i+p) >= minTokenTail {
				b.WriteString(s[i : i+p])
				b.WriteString(secret.Redacted)
				i = end
				changed = true
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	if !changed {
		return s
	}
	return b.String()
}

// tokenPrefixAt returns the length of the Slack token prefix starting at
// s[i], or 0. A prefix counts only at a word boundary.
func tokenPrefixAt(s string, i int) int {
	if i > 0 && isTokenChar(s[i-1]) {
		return 0
	}
	// Slack's token kinds: bot, user, app-level, refresh, legacy workspace
	// and configuration tokens.
	slackTokenPrefixes := [...]string{"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xoxe.", "xapp-"}
	for _, p := range slackTokenPrefixes {
		if strings.HasPrefix(s[i:], p) {
			return len(p)
		}
	}
	return 0
}

func isTokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.'
}
