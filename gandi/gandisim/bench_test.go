package gandisim

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// bigServer holds one account with n instances.
func bigServer(b *testing.B, n int) *Server {
	b.Helper()
	clock := newClock()
	s := New(Options{Now: clock.Now, Seed: 1})
	s.SeedDemo(keyA, n)
	return s
}

// BenchmarkPaasList500 is paas.list over 10,000 instances, 500 per page,
// through ServeHTTP (decode, filter, page, encode), without the network.
func BenchmarkPaasList500(b *testing.B) {
	for _, tc := range []struct {
		name string
		opts map[string]any
	}{
		{"page", map[string]any{"items_per_page": 500, "page": 3}},
		{"sorted", map[string]any{"items_per_page": 500, "page": 3, "sort_by": "date_end DESC"}},
		{"filtered", map[string]any{"items_per_page": 500, "<date_end": "2027-01-01", "~name": "%prod%"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := bigServer(b, 10000)
			body, err := encodeCall("paas.list", []any{keyA, tc.opts}, s.loc)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			var size int
			for b.Loop() {
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/xmlrpc/", bytes.NewReader(body)))
				if rec.Code != 200 || bytes.Contains(rec.Body.Bytes(), []byte("<fault>")) {
					b.Fatalf("HTTP %d %.300s", rec.Code, rec.Body.String())
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	}
}

// BenchmarkPaasList500_HTTP adds a real loopback HTTP round trip.
func BenchmarkPaasList500_HTTP(b *testing.B) {
	clock := newClock()
	srv, url := NewTestServer(b, Options{Now: clock.Now, Seed: 1})
	srv.SeedDemo(keyA, 10000)
	body, _ := encodeCall("paas.list", []any{keyA, map[string]any{"items_per_page": 500}}, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := http.Post(url, "text/xml", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func BenchmarkDecodeCall(b *testing.B) {
	body, _ := encodeCall("paas.create", []any{keyA, createSpec()}, time.UTC)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := decodeCall(bytes.NewReader(body), time.UTC); err != nil {
			b.Fatal(err)
		}
	}
}
