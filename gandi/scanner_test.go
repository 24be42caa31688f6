package gandi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// tokens renders the scanner's token stream as text, for comparison.
func scanAll(in []byte) (string, error) {
	s, err := newScanner(in)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	var text []byte
	flush := func() {
		if len(text) > 0 {
			fmt.Fprintf(&b, "T%q ", text)
			text = nil
		}
	}
	for {
		t, err := s.next()
		if err == errEOF && len(s.stack) == 0 && b.Len() > 0 {
			flush()
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t.kind {
		case tokStart:
			flush()
			fmt.Fprintf(&b, "S%s ", t.name)
		case tokEnd:
			flush()
			fmt.Fprintf(&b, "E%s ", t.name)
		case tokText:
			text = append(text, t.text...)
		}
	}
}

// stdTokens renders encoding/xml's view of the same document the same way.
func stdTokens(in []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(in))
	var b strings.Builder
	var text []byte
	depth := 0
	flush := func() {
		if len(text) > 0 && depth > 0 {
			fmt.Fprintf(&b, "T%q ", text)
		}
		text = nil
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if depth != 0 || b.Len() == 0 {
				return "", errors.New("incomplete")
			}
			return b.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			if depth == 0 && b.Len() > 0 {
				return "", errors.New("second root element") // not XML; encoding/xml allows it
			}
			depth++
			fmt.Fprintf(&b, "S%s ", t.Name.Local)
		case xml.EndElement:
			flush()
			depth--
			fmt.Fprintf(&b, "E%s ", t.Name.Local)
		case xml.CharData:
			if depth > 0 {
				text = append(text, t...)
			} else if len(bytes.TrimSpace(t)) != 0 {
				return "", errors.New("text outside the root") // not XML; encoding/xml allows it
			}
		case xml.Directive:
			return "", errors.New("directive")
		}
	}
}

func TestScanner(t *testing.T) {
	tests := []struct {
		name, in, want string
		err            bool
	}{
		{"entities", `<a>x &lt;&gt;&amp;&quot;&apos; &#65;&#x42;&#xe9;</a>`, `Sa T"x <>&\"' ABé" Ea `, false},
		{"cdata and comments", `<a>x<!-- c --><![CDATA[<y>&amp;]]>z</a>`, `Sa T"x<y>&amp;z" Ea `, false},
		{"self-closing with attributes", `<a k="v/>" j='>'><b/><ns:c x="1" /></a>`, `Sa Sb Eb Sc Ec Ea `, false},
		{"declaration, BOM, newline normalisation", "\xef\xbb\xbf<?xml version='1.0'?>\n<a>1\r\n2\r3</a>\n", `Sa T"1\n2\n3" Ea `, false},
		{"mismatched end", `<a><b></a></b>`, ``, true},
		{"doctype", `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, ``, true},
		{"unknown entity", `<a>&nbsp;</a>`, ``, true},
		{"bad char ref", `<a>&#xD800;</a>`, ``, true},
		{"unterminated entity", `<a>&amp</a>`, ``, true},
		{"invalid UTF-8", "<a>\xff</a>", ``, true},
		{"text outside root", `junk<a/>`, ``, true},
		{"unclosed comment", `<a><!-- </a>`, ``, true},
		{"unclosed tag", `<a`, ``, true},
		{"too deep", strings.Repeat("<a>", maxOpen+1), ``, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := scanAll([]byte(tt.in))
			if tt.err {
				if err == nil {
					t.Fatalf("accepted, tokens %s", got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %s, %v; want %s", got, err, tt.want)
			}
			if std, err := stdTokens([]byte(tt.in)); err == nil && std != got {
				t.Errorf("encoding/xml reads %s", std)
			}
		})
	}
}

// FuzzScanner compares the scanner with encoding/xml: every document
// encoding/xml reads without error must scan to the same elements and text.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{`<a>x &lt;&#65;</a>`, `<a k="v"><b/>t<![CDATA[c]]></a>`, "<a>\r\n</a>",
		`<?xml version="1.0"?><!-- c --><a><b>1</b></a>`, wrap("<struct><member><name>a</name><value>1</value></member></struct>")} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := scanAll(in)
		std, stdErr := stdTokens(in)
		if stdErr != nil || bytes.Contains(in, []byte("<?xml")) {
			return // only documents encoding/xml accepts; declarations differ in charset rules
		}
		if err != nil {
			t.Fatalf("scanner refuses what encoding/xml reads (%s): %v", std, err)
		}
		if got != std {
			t.Fatalf("scanner %s\nencoding/xml %s", got, std)
		}
	})
}
