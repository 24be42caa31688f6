package gandi

import (
	"bytes"
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

func wrap(v string) string {
	return "<?xml version='1.0'?><methodResponse><params><param><value>" + v + "</value></param></params></methodResponse>"
}

func TestDecodeValues(t *testing.T) {
	type target struct {
		S    string            `xmlrpc:"s"`
		I    int               `xmlrpc:"i"`
		B    bool              `xmlrpc:"b"`
		F    float64           `xmlrpc:"f"`
		D    *time.Time        `xmlrpc:"d"`
		L    []string          `xmlrpc:"l"`
		M    map[string]any    `xmlrpc:"m"`
		Rest map[string]string `xmlrpc:",rest"`
	}
	paris := paris()
	d := func(y int, mo time.Month, dd, h, mi, s int, loc *time.Location) *time.Time {
		t := time.Date(y, mo, dd, h, mi, s, 0, loc)
		return &t
	}
	tests := []struct {
		name string
		xml  string
		want target
	}{
		{"typed members", `<struct><member><name>s</name><value><string>a&amp;b &lt;c&gt;</string></value></member>
			<member><name>i</name><value><i4>-3</i4></value></member><member><name>b</name><value><boolean>1</boolean></value></member>
			<member><name>f</name><value><double>2.5</double></value></member></struct>`,
			target{S: "a&b <c>", I: -3, B: true, F: 2.5, Rest: map[string]string{"s": "a&b <c>", "i": "-3", "b": "true", "f": "2.5"}}},
		{"untyped string, i8, value then name", `<struct><member><value>plain</value><name>s</name></member>
			<member><name>i</name><value><i8>42</i8></value></member></struct>`,
			target{S: "plain", I: 42, Rest: map[string]string{"s": "plain", "i": "42"}}},
		{"an empty value does not drop later members", `<struct><member><name>s</name><value/></member>
			<member><name>i</name><value><int>5</int></value></member></struct>`,
			target{I: 5, Rest: map[string]string{"s": "", "i": "5"}}},
		{"namespaced nil", `<struct><member><name>d</name><value><ex:nil xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"/></value></member>
			<member><name>l</name><value><nil/></value></member></struct>`,
			target{Rest: map[string]string{"d": "", "l": ""}}},
		{"date forms", `<struct><member><name>d</name><value><dateTime.iso8601>2026-07-01T12:00:00</dateTime.iso8601></value></member></struct>`,
			target{D: d(2026, 7, 1, 12, 0, 0, paris), Rest: map[string]string{"d": "2026-07-01T12:00:00"}}},
		{"date with zone", `<struct><member><name>d</name><value><dateTime.iso8601>20260701T10:00:00Z</dateTime.iso8601></value></member></struct>`,
			target{D: d(2026, 7, 1, 12, 0, 0, paris), Rest: map[string]string{"d": "20260701T10:00:00Z"}}},
		{"date as string", `<struct><member><name>d</name><value>20111014T14:36:30</value></member></struct>`,
			target{D: d(2011, 10, 14, 14, 36, 30, paris), Rest: map[string]string{"d": "20111014T14:36:30"}}},
		{"lenient conversions", `<struct><member><name>s</name><value><int>7</int></value></member>
			<member><name>i</name><value><string> 12 </string></value></member><member><name>b</name><value><int>1</int></value></member>
			<member><name>f</name><value><int>3</int></value></member><member><name>l</name><value><string>one</string></value></member></struct>`,
			target{S: "7", I: 12, B: true, F: 3, L: []string{"one"}, Rest: map[string]string{"s": "7", "i": " 12 ", "b": "1", "f": "3", "l": "one"}}},
		{"nested generic map and base64", `<struct><member><name>m</name><value><struct><member><name>a</name><value><array><data><value><int>1</int></value><value><base64>aGk=</base64></value></data></array></value></member></struct></value></member></struct>`,
			target{M: map[string]any{"a": []any{1, "hi"}}, Rest: map[string]string{}}},
		{"comments and whitespace", "<!-- x --><struct>\n <member>\n  <name>i</name>\n  <value>\n   <int>9</int>\n  </value>\n </member>\n</struct>",
			target{I: 9, Rest: map[string]string{"i": "9"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got target
			if err := decodeAnswer("test", []byte(wrap(tt.xml)), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeLatin1(t *testing.T) {
	body := append([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><methodResponse><params><param><value><string>caf`), 0xe9)
	body = append(body, []byte(`</string></value></param></params></methodResponse>`)...)
	var s string
	if err := decodeAnswer("test", body, &s); err != nil || s != "café" {
		t.Fatalf("got %q, %v", s, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	deep := strings.Repeat("<value><array><data>", 200) + strings.Repeat("</data></array></value>", 200)
	tests := map[string]string{
		"empty":            "",
		"not xml":          "hello",
		"bad int":          wrap("<int>12x</int>"),
		"bad boolean":      wrap("<boolean>yes</boolean>"),
		"bad double":       wrap("<double>1,5</double>"),
		"bad date":         wrap("<dateTime.iso8601>yesterday</dateTime.iso8601>"),
		"bad base64":       wrap("<base64>!!</base64>"),
		"unknown type":     wrap("<float>1</float>"),
		"member no name":   wrap("<struct><member><value>1</value></member></struct>"),
		"too deep":         wrap(deep),
		"unclosed":         "<methodResponse><params><param><value><string>x</string>",
		"fault no code":    "<methodResponse><fault><value><struct></struct></value></fault></methodResponse>",
		"fault not struct": "<methodResponse><fault><value><int>1</int></value></fault></methodResponse>",
		"unknown encoding": `<?xml version="1.0" encoding="EBCDIC"?><methodResponse/>`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			var v any
			err := decodeAnswer("test", []byte(body), &v)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %T %v, want *DecodeError", err, err)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	var buf bytes.Buffer
	err := encodeCall(&buf, "paas.list", []any{
		"key & <co>",
		PaasListOptions{PaasCountOptions: PaasCountOptions{DateEndBefore: `2026-01-01 "x"`, NameLike: Strings{"a&b%"}}},
		wireStruct{{"when", time.Date(2026, 1, 1, 23, 30, 0, 0, time.UTC)}, {"f", 1.5}, {"m", map[string]int{"b": 2, "a": 1}}, {"n", (*int)(nil)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	method, params, err := parseCall(buf.Bytes(), paris())
	if err != nil {
		t.Fatalf("own output does not parse: %v\n%s", err, buf.String())
	}
	got := []any{}
	for _, p := range params {
		got = append(got, toAny(p))
	}
	want := []any{"key & <co>", map[string]any{"<date_end": `2026-01-01 "x"`, "~name": "a&b%"},
		map[string]any{"when": time.Date(2026, 1, 2, 0, 30, 0, 0, paris()), "f": 1.5, "m": map[string]any{"a": 1, "b": 2}, "n": nil}}
	if method != "paas.list" || !reflect.DeepEqual(got, want) {
		t.Errorf("got %s %#v\nwant %#v", method, got, want)
	}
	if !strings.Contains(buf.String(), "<name>&lt;date_end</name>") {
		t.Errorf("member name not escaped:\n%s", buf.String())
	}

	// Python's xmlrpc.client, the reference's own client, must read it.
	if py, err := exec.LookPath("python3"); err == nil {
		cmd := exec.Command(py, "-c", "import sys, xmlrpc.client as x; p, m = x.loads(sys.stdin.buffer.read()); print(m, sorted(p[1]))")
		cmd.Stdin = bytes.NewReader(buf.Bytes())
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "paas.list ['<date_end', '~name']" {
			t.Errorf("python3 read %q, %v", out, err)
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	for name, v := range map[string]any{
		"int64 beyond int32": int64(1) << 40,
		"NaN":                wireStruct{{"x", 0.0 / zero()}},
		"func":               func() {},
	} {
		var buf bytes.Buffer
		if err := encodeCall(&buf, "m", []any{v}); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}

func zero() float64 { return 0 }
