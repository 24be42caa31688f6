package commands

import (
	"strconv"
	"strings"
)

// keyWord is what replaces a typed word that looks like an API key
// wherever paasbot would otherwise quote it back.
const keyWord = "(a word that looks like an API key)"

// quoteWord is the one way a word someone typed is quoted back to them (in
// a reply, an error, a log line): Go-quoted, unless it holds something
// that looks like a pasted API key, which is never repeated. The check
// sees through quotes (straight or smart, closed or not), a key= prefix
// and surrounding punctuation, and looks at each space-separated part (an
// unclosed quote swallows the rest of the line into one word).
func quoteWord(s string) string {
	if holdsAPIKey(s) {
		return keyWord
	}
	return strconv.Quote(s)
}

// holdsAPIKey reports whether any space-separated part of s, stripped of
// quotes, punctuation and a key= prefix, looks like an API key.
func holdsAPIKey(s string) bool {
	for _, f := range strings.Fields(s) {
		if looksLikeAPIKey(bareWord(f)) {
			return true
		}
	}
	return false
}

// redactKeys replaces every space-separated part of text that holds an
// API key with keyWord. It is the last guard on text bound for a log
// line, where a message may hold what someone typed.
func redactKeys(text string) string {
	if !holdsAPIKey(text) {
		return text
	}
	fields := strings.Fields(text)
	for i, f := range fields {
		if looksLikeAPIKey(bareWord(f)) {
			fields[i] = keyWord
		}
	}
	return strings.Join(fields, " ")
}

// wordTrim are the characters around a typed word that are not part of
// it: quotes of every kind, escapes, the dashes of a --flag, and the
// punctuation of the sentence it is quoted in.
const wordTrim = "\"'`\\“”‘’„«»‹›.,:;!?()[]{}<>-—–"

// bareWord strips f of surrounding quotes and punctuation and of a key=
// (or --key=) prefix: `apikey="KEY` and `“KEY”` both give KEY.
func bareWord(f string) string {
	f = strings.Trim(f, wordTrim)
	if i := strings.LastIndexByte(f, '='); i >= 0 {
		f = strings.Trim(f[i+1:], wordTrim)
	}
	return f
}
