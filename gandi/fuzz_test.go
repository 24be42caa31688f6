package gandi

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeAnswer feeds arbitrary bytes to the answer decoder with every
// kind of target the client uses: it must return a value or an error,
// never panic or hang. Seeds: every testdata/*.xml answer plus a few
// hostile shapes. Run: go test ./gandi -run '^$' -fuzz FuzzDecodeAnswer -fuzztime 60s
func FuzzDecodeAnswer(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"", "<", "<methodResponse/>", wrap("<nil/>"), wrap("<array><data><value/></data></array>"),
		wrap("<struct><member><name>id</name><value><i8>99999999999999999999</i8></value></member></struct>"),
		wrap("<struct><member><name>date_end</name><value><dateTime.iso8601>99991399T99:99:99</dateTime.iso8601></value></member></struct>"),
		wrap("<struct><member><name>id</name><value><double>1e300</double></value></member></struct>"),
		faultBody(510150, "x"),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []any{
			new([]Instance), new(InstanceInfo), new([]Operation), new(Operation), new([]ValidationError),
			new(int), new([]Vhost), new([]Snapshot), new([]PaasType), new(DNSEntries), new([]CatalogItem),
			new(VersionInfo), new(any), new(map[string]any),
		}
		for _, out := range targets {
			_ = decodeAnswer("fuzz", body, out)
		}
		_, _, _ = parseCall(body, paris())
	})
}
