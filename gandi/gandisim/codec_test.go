package gandisim

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDecodeCall_Values(t *testing.T) {
	loc := paris(t)
	tests := []struct {
		name  string
		value string
		want  any
	}{
		{"untyped is a string", "<value>plain</value>", "plain"},
		{"untyped keeps spaces", "<value>  a b </value>", "  a b "},
		{"empty value", "<value></value>", ""},
		{"empty string", "<value><string/></value>", ""},
		{"string with entities", "<value><string>&lt;date_end &amp; co</string></value>", "<date_end & co"},
		{"CDATA", "<value><string><![CDATA[<x>]]></string></value>", "<x>"},
		{"int", "<value><int> 42 </int></value>", 42},
		{"i4", "<value><i4>-5</i4></value>", -5},
		{"i8 beyond 32 bits", "<value><i8>5000000000</i8></value>", 5000000000},
		{"boolean", "<value><boolean>1</boolean></value>", true},
		{"double", "<value><double>1.5</double></value>", 1.5},
		{"date as Gandi sends it", "<value><dateTime.iso8601>20111014T14:36:30</dateTime.iso8601></value>", time.Date(2011, 10, 14, 14, 36, 30, 0, loc)},
		{"date with dashes", "<value><dateTime.iso8601>2011-10-14T14:36:30</dateTime.iso8601></value>", time.Date(2011, 10, 14, 14, 36, 30, 0, loc)},
		{"base64", "<value><base64>aGk=</base64></value>", []byte("hi")},
		{"nil", "<value><nil/></value>", nil},
		{"empty array", "<value><array><data/></array></value>", []any{}},
		{"array", "<value><array><data><value>a</value><value><int>1</int></value></data></array></value>", []any{"a", 1}},
		{"struct with escaped member name", "<value><struct><member><name>&lt;date_end</name><value>2026-12-31</value></member></struct></value>",
			map[string]any{"<date_end": "2026-12-31"}},
		{"comments and blanks between elements", "<value><!-- c -->\n <struct>\n<member> <name>a</name> <value><int>1</int></value> </member></struct></value>",
			map[string]any{"a": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `<?xml version="1.0"?><methodCall><methodName>m</methodName><params><param>` + tt.value + `</param></params></methodCall>`
			method, params, err := decodeCall(strings.NewReader(body), loc)
			if err != nil {
				t.Fatal(err)
			}
			if method != "m" || len(params) != 1 {
				t.Fatalf("method %q params %v", method, params)
			}
			got := params[0]
			if tm, ok := tt.want.(time.Time); ok {
				if g, ok := got.(time.Time); !ok || !g.Equal(tm) {
					t.Errorf("got %v, want %v", got, tm)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeCall_NoParams(t *testing.T) {
	for _, body := range []string{
		`<methodCall><methodName>version.info</methodName></methodCall>`,
		`<methodCall><methodName>version.info</methodName><params/></methodCall>`,
		`<methodCall><methodName>version.info</methodName><params></params></methodCall>`,
	} {
		m, p, err := decodeCall(strings.NewReader(body), time.UTC)
		if err != nil || m != "version.info" || len(p) != 0 {
			t.Errorf("%s: %q %v %v", body, m, p, err)
		}
	}
}

func TestEncode(t *testing.T) {
	loc := paris(t)
	v := map[string]any{
		"<date_end": "a<b&c", "n": 1, "f": 2.5, "b": false, "nil": nil,
		"t":    time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC), // 14:00 in Paris (CEST)
		"list": []any{"x", []string{"y"}, map[string]any{}},
		"bad":  "\xff",
	}
	out, err := encodeResponse(v, loc)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{
		"<name>&lt;date_end</name><value><string>a&lt;b&amp;c</string></value>",
		"<dateTime.iso8601>20260701T14:00:00</dateTime.iso8601>",
		"<value><nil/></value>", "<boolean>0</boolean>", "<double>2.5</double>", "<int>1</int>",
		"<string>\uFFFD</string>",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("answer lacks %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "<value/>") || strings.Contains(s, "<value></value>") {
		t.Error("empty <value/> breaks kolo/xmlrpc decoding; never send one")
	}
	got, err := decodeResponse(bytes.NewReader(out), loc)
	if err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	if m["<date_end"] != "a<b&c" || !m["t"].(time.Time).Equal(v["t"].(time.Time)) || m["nil"] != nil {
		t.Errorf("round trip %v", m)
	}
	if _, err := encodeResponse(struct{}{}, loc); err == nil {
		t.Error("encoding an unknown type must fail, not guess")
	}
	f, err := decodeResponse(bytes.NewReader(encodeFault(&Fault{Code: 537542, String: "x <y>"}, loc)), loc)
	var fault *Fault
	if f != nil || !errors.As(err, &fault) || fault.Code != 537542 || fault.String != "x <y>" {
		t.Errorf("fault round trip %v %v", f, err)
	}
}

func FuzzDecodeCall(f *testing.F) {
	for _, seed := range []string{
		callBody("paas.list", keyA, map[string]any{"~name": "a%", "items_per_page": 5, "id": []any{1, 2}}),
		callBody("paas.create", keyA, createSpec()),
		`<methodCall><methodName>x</methodName><params><param><value><struct><member><name>a</name><value><array><data><value><nil/></value></data></array></value></member></struct></value></param></params></methodCall>`,
		`<methodCall><methodName>x</methodName><params><param><value><dateTime.iso8601>20111014T14:36:30</dateTime.iso8601></value></param></params></methodCall>`,
	} {
		f.Add([]byte(seed))
	}
	loc := paris(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		method, params, err := decodeCall(bytes.NewReader(body), loc)
		if err != nil {
			if !errors.Is(err, errMalformed) {
				t.Fatalf("error %v does not wrap errMalformed", err)
			}
			return
		}
		// What decodes must re-encode and decode to the same values.
		again, err := encodeCall(method, params, loc)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		m2, p2, err := decodeCall(bytes.NewReader(again), loc)
		if err != nil || m2 != strings.TrimSpace(method) || !equalValues(params, p2) {
			t.Fatalf("round trip changed the call: %q %#v → %q %#v (%v)", method, params, m2, p2, err)
		}
	})
}

// equalValues compares decoded values, times by instant.
func equalValues(a, b any) bool {
	switch x := a.(type) {
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !equalValues(x[k], y[k]) {
				return false
			}
		}
		return true
	case string:
		// Invalid UTF-8 and characters XML cannot carry are replaced.
		y, ok := b.(string)
		return ok && (x == y || !isXMLSafe(x))
	}
	return reflect.DeepEqual(a, b)
}

func isXMLSafe(s string) bool {
	for _, r := range s {
		if r == '\uFFFD' || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') {
			return false
		}
	}
	return strings.ToValidUTF8(s, "") == s && !strings.Contains(s, "\r")
}

// FuzzServeHTTP checks that no body makes the server answer anything but
// HTTP 200 with a well-formed methodResponse.
func FuzzServeHTTP(f *testing.F) {
	f.Add([]byte(callBody("paas.list", keyA, map[string]any{"sort_by": "name DESC"})))
	f.Add([]byte(callBody("paas.create", keyA, with(createSpec(), "--dry-run", true))))
	f.Add([]byte(callBody("paas.vhost.get_dns_entries", keyA, map[string]any{"datacenter": 1, "vhost": "a.b.c"})))
	f.Add([]byte(callBody("catalog.list", keyA, map[string]any{"product": map[string]any{"type": "paas"}})))
	f.Add([]byte("<methodCall>"))
	s := New(Options{Now: newClock().Now})
	s.SeedDemo(keyA, 5)
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/xmlrpc/", bytes.NewReader(body)))
		if rec.Code != http.StatusOK {
			t.Fatalf("HTTP %d", rec.Code)
		}
		_, err := decodeResponse(rec.Body, s.loc)
		var fault *Fault
		if err != nil && !errors.As(err, &fault) {
			t.Fatalf("answer does not decode: %v\n%s", err, rec.Body.String())
		}
	})
}
