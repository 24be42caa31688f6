package commands

import "strings"

// didYouMean returns " Did you mean `x`?" for the candidate closest to s
// by edit distance, or "" when none is close enough to help.
func didYouMean(s string, candidates []string) string {
	s = strings.ToLower(s)
	best, bestD := "", 1<<30
	for _, c := range candidates {
		d := editDistance(s, strings.ToLower(c))
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := 2
	if len([]rune(s)) <= 3 {
		limit = 1
	}
	if best == "" || bestD == 0 || bestD > limit {
		// A prefix is a good hint too: "sna" → "snapshot".
		for _, c := range candidates {
			if len(s) >= 2 && strings.HasPrefix(strings.ToLower(c), s) && c != s {
				return " Did you mean `" + c + "`?"
			}
		}
		return ""
	}
	return " Did you mean `" + best + "`?"
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
