package secret

import "strings"

// KeyWord is what replaces a typed word that looks like an API key
// wherever paasbot would otherwise repeat it (a reply, an error, a log
// line).
const KeyWord = "(a word that looks like an API key)"

// LooksLikeAPIKey reports whether a word is probably a pasted API key (a
// long run of letters and digits, both present), so that errors do not
// echo it.
func LooksLikeAPIKey(s string) bool {
	if len(s) < 20 || len(s) > 128 {
		return false
	}
	letters, digits := false, false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			letters = true
		default:
			return false
		}
	}
	return letters && digits
}

// HoldsAPIKey reports whether any space-separated part of s, stripped of
// quotes, punctuation and a key= prefix, looks like an API key.
func HoldsAPIKey(s string) bool {
	for _, f := range strings.Fields(s) {
		if LooksLikeAPIKey(bareWord(f)) {
			return true
		}
	}
	return false
}

// RedactAPIKeys replaces every space-separated part of text that holds an
// API key with KeyWord. It is the last guard on text bound for a log
// line, where a message may hold what someone typed.
func RedactAPIKeys(text string) string {
	if !HoldsAPIKey(text) {
		return text
	}
	fields := strings.Fields(text)
	for i, f := range fields {
		if LooksLikeAPIKey(bareWord(f)) {
			fields[i] = KeyWord
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
