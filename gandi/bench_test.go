package gandi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// listAnswer builds a paas.list answer of n instances in the layout of
// Python's xmlrpc.client (one member per line), every key of the
// reference set, as the real service would send them.
func listAnswer(n int) []byte {
	var b strings.Builder
	b.WriteString("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n")
	str := func(k, v string) {
		fmt.Fprintf(&b, "<member>\n<name>%s</name>\n<value><string>%s</string></value>\n</member>\n", k, v)
	}
	num := func(k string, v int) {
		fmt.Fprintf(&b, "<member>\n<name>%s</name>\n<value><int>%d</int></value>\n</member>\n", k, v)
	}
	date := func(k, v string) {
		fmt.Fprintf(&b, "<member>\n<name>%s</name>\n<value><dateTime.iso8601>%s</dateTime.iso8601></value>\n</member>\n", k, v)
	}
	for i := 1; i <= n; i++ {
		b.WriteString("<value><struct>\n")
		str("catalog_name", "phpmysql_m")
		str("console", "console.sd3.gpaas.net")
		num("data_disk_additional_size", i%20)
		num("datacenter_id", 1+i%3)
		date("date_end", "20270114T14:36:30")
		b.WriteString("<member>\n<name>date_end_commitment</name>\n<value><nil/></value></member>\n")
		date("date_start", "20250914T14:36:30")
		str("entity_id", fmt.Sprintf("e%08x", i))
		num("id", i)
		str("name", fmt.Sprintf("site-%d", i))
		b.WriteString("<member>\n<name>need_upgrade</name>\n<value><boolean>0</boolean></value>\n</member>\n")
		fmt.Fprintf(&b, "<member>\n<name>servers</name>\n<value><array><data>\n<value><struct>\n<member>\n<name>id</name>\n<value><int>%d</int></value>\n</member>\n</struct></value>\n</data></array></value>\n</member>\n", i)
		str("size", "m")
		b.WriteString("<member>\n<name>snapshot_profile</name>\n<value><struct>\n<member>\n<name>id</name>\n<value><int>7</int></value>\n</member>\n<member>\n<name>name</name>\n<value><string>daily</string></value>\n</member>\n</struct></value>\n</member>\n")
		str("state", "running")
		str("type", "phpmysql")
		b.WriteString("</struct></value>\n")
	}
	b.WriteString("</data></array></value>\n</param>\n</params>\n</methodResponse>\n")
	return []byte(b.String())
}

// BenchmarkDecodePaasList500 decodes a full 500-instance page of paas.list
// (the largest page the server answers) into []Instance.
func BenchmarkDecodePaasList500(b *testing.B) {
	body := listAnswer(500)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var out []Instance
		if err := decodeAnswer("paas.list", body, &out); err != nil || len(out) != 500 {
			b.Fatalf("%d instances, %v", len(out), err)
		}
	}
}

func TestListAnswerDecodes(t *testing.T) {
	var out []Instance
	if err := decodeAnswer("paas.list", listAnswer(3), &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 || out[2].ID != 3 || out[2].Name != "site-3" || out[2].DateEndCommitment != nil ||
		out[2].SnapshotProfile == nil || out[2].DateEnd == nil || len(out[2].Servers) != 1 {
		t.Errorf("decoded %+v", out[2])
	}
}

// BenchmarkNewClient: paasbot makes one Client per user key per command.
func BenchmarkNewClient(b *testing.B) {
	shared := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		_ = NewClient(testKey, WithHTTPClient(shared), WithEndpoint("http://127.0.0.1/xmlrpc/"))
	}
}
