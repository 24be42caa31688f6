package commands

import (
	"fmt"
	"strconv"

	"github.com/paasbot/paasbot/secret"
)

// quoteWord is the one way a word someone typed is quoted back to them (in
// a reply, an error, a log line): Go-quoted, unless it holds something
// that looks like a pasted API key, which is never repeated. The check
// sees through quotes (straight or smart, closed or not), a key= prefix
// and surrounding punctuation, and looks at each space-separated part (an
// unclosed quote swallows the rest of the line into one word).
func quoteWord(s string) string {
	if secret.HoldsAPIKey(s) {
		return secret.KeyWord
	}
	if r := []rune(s); len(r) > maxQuoted {
		// A pasted paragraph is not echoed whole: its start says which.
		return strconv.Quote(string(r[:maxQuoted-1])+"…") + fmt.Sprintf(" (%d characters)", len(r))
	}
	return strconv.Quote(s)
}

// maxQuoted is the longest word quoted back whole.
const maxQuoted = 40
