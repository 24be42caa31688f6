package commands

import (
	"errors"
	"reflect"
	"testing"
)

func w(v string) Arg        { return Arg{Kind: Word, Value: v} }
func kv(k, v string) Arg    { return Arg{Kind: Pair, Key: k, Value: v} }
func flag(k string) Arg     { return Arg{Kind: Flag, Key: k} }
func args(a ...Arg) []Arg   { return a }
func lw(v, link string) Arg { return Arg{Kind: Word, Value: v, Link: link} }

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Arg
	}{
		{"empty", "   ", nil},
		{"words", "info shop-prod", args(w("info"), w("shop-prod"))},
		{"pairs and flags", "list state=running --share", args(w("list"), kv("state", "running"), flag("share"))},
		{"api filter keys", "list ~name=shop <date_end=2026-12-31 >date_end=2026-01-01", args(w("list"), kv("~name", "shop"), kv("<date_end", "2026-12-31"), kv(">date_end", "2026-01-01"))},
		{"slack escaped filter keys", "list &lt;date_end=2026-12-31 &gt;date_end=2026-01-01", args(w("list"), kv("<date_end", "2026-12-31"), kv(">date_end", "2026-01-01"))},
		{"alias key with tilde after", "list name~=shop", args(w("list"), kv("name~", "shop"))},
		{"double quotes", `alerts add expiry schedule="0 9 * * 1-5"`, args(w("alerts"), w("add"), w("expiry"), kv("schedule", "0 9 * * 1-5"))},
		{"single quotes", `alerts add expiry schedule='0 9 * * 1-5'`, args(w("alerts"), w("add"), w("expiry"), kv("schedule", "0 9 * * 1-5"))},
		{"smart double quotes", "alerts add expiry schedule=“0 9 * * 1-5”", args(w("alerts"), w("add"), w("expiry"), kv("schedule", "0 9 * * 1-5"))},
		{"smart single quotes", "x name=‘my site’", args(w("x"), kv("name", "my site"))},
		{"quoted word", `info "my site"`, args(w("info"), w("my site"))},
		{"quoted pair stays a word", `info "a=b"`, args(w("info"), w("a=b"))},
		{"joined quote segments", `x a"b c"'d'`, args(w("x"), w("ab cd"))},
		{"empty quoted value", `x name=""`, args(w("x"), kv("name", ""))},
		{"apostrophe in word", "x don’t", args(w("x"), w("don’t"))},
		{"amp escape", "x name=a&amp;b", args(w("x"), kv("name", "a&b"))},
		{"link with label", "vhost info <http://blog.example.com|blog.example.com>", args(w("vhost"), w("info"), lw("blog.example.com", "http://blog.example.com"))},
		{"link without label", "vhost info <https://blog.example.com>", args(w("vhost"), w("info"), lw("https://blog.example.com", "https://blog.example.com"))},
		{"link as value", "create vhosts=<http://a.example.com|a.example.com>,b.example.com", args(w("create"), kv("vhosts", "a.example.com,b.example.com"))},
		{"channel link", "alerts add expiry <#C123|ops>", args(w("alerts"), w("add"), w("expiry"), lw("ops", "#C123"))},
		{"channel link without label", "alerts add expiry <#C123>", args(w("alerts"), w("add"), w("expiry"), lw("C123", "#C123"))},
		{"user link", "approve 7 <@U123|sam>", args(w("approve"), w("7"), lw("sam", "@U123"))},
		{"user link with space in label", "x <@U123|sam smith>", args(w("x"), lw("sam smith", "@U123"))},
		{"mailto link", "x contact=<mailto:a@b.example|a@b.example>", args(w("x"), Arg{Kind: Pair, Key: "contact", Value: "a@b.example", Link: "mailto:a@b.example"})},
		{"mailto without label", "x <mailto:a@b.example>", args(w("x"), lw("a@b.example", "mailto:a@b.example"))},
		{"link label is data, not a flag", "x <@U1|--share>", args(w("x"), lw("--share", "@U1"))},
		{"link label is data, not a pair", "x <http://a.example/?q=1|q=1>", args(w("x"), lw("q=1", "http://a.example/?q=1"))},
		{"escaped link target", "x <http://a.example/?a=1&amp;b=2|a>", args(w("x"), lw("a", "http://a.example/?a=1&b=2"))},
		{"link inside quotes", `x "<http://a.example|a.example>"`, args(w("x"), w("a.example"))},
		{"lone angle bracket is text", "list <date_end=2026-12-31", args(w("list"), kv("<date_end", "2026-12-31"))},
		{"em dash flag", "list —share", args(w("list"), flag("share"))},
		{"en dash flag", "list –share", args(w("list"), flag("share"))},
		{"flag with value", "login --apikey=abc", args(w("login"), kv("apikey", "abc"))},
		{"value with equals", "x a=b=c", args(w("x"), kv("a", "b=c"))},
		{"tabs and newlines", "list\tstate=running\n--share", args(w("list"), kv("state", "running"), flag("share"))},
		{"non-key before equals is a word", "x http://a?b=c", args(w("x"), w("http://a?b=c"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got.Args, tt.want) {
				t.Errorf("Parse(%q)\n got %#v\nwant %#v", tt.in, got.Args, tt.want)
			}
			again, err := Parse(got.String())
			if err != nil || !reflect.DeepEqual(again.Args, got.Args) {
				t.Errorf("String %q re-parses to %#v, %v", got.String(), again.Args, err)
			}
		})
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		in        string
		wantIndex int
		wantWord  string
	}{
		{`info "shop`, 1, `"shop`},
		{`list name='x`, 1, `name='x`},
		{"list “open", 1, "“open"},
		{"list --", 1, "--"},
		{"list --=x", 1, "--=x"},
		{"a b --<x", 2, "--<x"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %v, want a *ParseError", tt.in, err)
			}
			if pe.Index != tt.wantIndex || pe.Word != tt.wantWord {
				t.Errorf("error points at word %d %q, want %d %q (%v)", pe.Index, pe.Word, tt.wantIndex, tt.wantWord, err)
			}
		})
	}
}

func TestLine_StringQuotes(t *testing.T) {
	tests := []struct {
		line Line
		want string
	}{
		{Line{args(w("info"), w("my site"))}, `info "my site"`},
		{Line{args(w("x"), kv("schedule", "0 9 * * 1-5"))}, `x schedule="0 9 * * 1-5"`},
		{Line{args(w("x"), w(`say "hi"`))}, `x 'say "hi"'`},
		{Line{args(w("x"), w("a=b"))}, `x "a=b"`},
		{Line{args(w("x"), w("--share"))}, `x "--share"`},
		{Line{args(w("x"), w("a&lt;b"))}, `x a&amp;lt;b`},
		{Line{args(w("x"), w("<http://a>"))}, `x &lt;http://a>`},
		{Line{args(w("list"), kv("<date_end", "2026-12-31"), flag("share"))}, `list <date_end=2026-12-31 --share`},
	}
	for _, tt := range tests {
		if got := tt.line.String(); got != tt.want {
			t.Errorf("String() = %s, want %s", got, tt.want)
		}
		back, err := Parse(tt.want)
		if err != nil || !reflect.DeepEqual(back.Args, tt.line.Args) {
			t.Errorf("Parse(%s) = %#v, %v", tt.want, back.Args, err)
		}
	}
}

// FuzzParse checks that Parse never panics and that what it reads renders
// back, through String, to a line that reads the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"list state=running --share", `x "a b" 'c"d' “e”`, "vhost info <http://a.example|a.example>",
		"x &amp;lt; <#C1|ops> <@U1> <mailto:a@b|a@b>", "list &lt;date_end=2026 —share", `a"'"'b`, "", "--", "x=",
		"‘a’ „b“ «c»", "<http://x|a\"b> '<@U1|x y>'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %v is not a *ParseError", s, err)
			}
			return
		}
		out := line.String()
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) = %#v; its String %q does not parse: %v", s, line.Args, out, err)
		}
		if !reflect.DeepEqual(again.Args, line.Args) {
			t.Fatalf("Parse(%q) = %#v\nString %q re-parses to %#v", s, line.Args, out, again.Args)
		}
	})
}
