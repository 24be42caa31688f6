package gandisim

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestRounds(t *testing.T) {
	tests := []struct {
		name  string
		spans []Span
		want  int
	}{
		{"no call", nil, 0},
		{"one call", []Span{{Start: 1, End: 2}}, 1},
		{"two in a row", []Span{{Start: 1, End: 2}, {Start: 3, End: 4}}, 2},
		{"two at once", []Span{{Start: 1, End: 3}, {Start: 2, End: 4}}, 1},
		{"a pair after one", []Span{{Start: 1, End: 2}, {Start: 3, End: 6}, {Start: 4, End: 5}}, 2},
		// the third starts after the short second ends but during the first
		{"chain through the shorter", []Span{{Start: 1, End: 6}, {Start: 2, End: 3}, {Start: 4, End: 5}}, 2},
		{"a call still running", []Span{{Start: 1, End: 0}, {Start: 2, End: 3}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Rounds(tt.spans); got != tt.want {
				t.Errorf("Rounds = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestSpans_OverHTTP: calls sent together overlap, calls sent one after
// the other do not, as the server saw them.
func TestSpans_OverHTTP(t *testing.T) {
	s, url := NewTestServer(t, Options{Seed: 1, Latency: 200 * time.Millisecond, RecordSpans: true})
	s.SeedDemo(keyA, 3)
	e := &env{t: t, s: s, url: url}
	e.ok("paas.count", keyA)
	e.ok("paas.count", keyA)
	if got := Rounds(s.Spans()); got != 2 {
		t.Errorf("two calls in a row: %d rounds, want 2 (%v)", got, s.Spans())
	}
	s.ResetSpans()
	body, err := encodeCall("paas.count", []any{keyA}, s.loc)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() {
			<-start
			resp, err := http.Post(url, "text/xml", bytes.NewReader(body))
			if err == nil {
				resp.Body.Close()
			}
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	spans := s.Spans()
	if len(spans) != 2 || spans[0].Method != "paas.count" || Rounds(spans) != 1 {
		t.Errorf("two calls at once: %v, want 2 spans in 1 round", spans)
	}
}
