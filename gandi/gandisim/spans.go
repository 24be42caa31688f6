package gandisim

import "sync"

// Span is one call as the server saw it: when it arrived and when its
// answer was written, as positions in one sequence of events (not times),
// so that tests can tell which calls overlapped without reading a clock.
type Span struct {
	Method     string
	Start, End int64
}

// spanLog records spans while Options.RecordSpans is set. It has its own
// lock so that recording never waits on the state's.
type spanLog struct {
	mu    sync.Mutex
	seq   int64
	spans []Span
}

// begin records the arrival of a call and returns its index.
func (l *spanLog) begin(method string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	l.spans = append(l.spans, Span{Method: method, Start: l.seq})
	return len(l.spans) - 1
}

// end records that call i was answered.
func (l *spanLog) end(i int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	if i < len(l.spans) {
		l.spans[i].End = l.seq
	}
}

// Spans returns the calls recorded since the last ResetSpans, in arrival
// order (Options.RecordSpans must be set). A call still running has End 0.
func (s *Server) Spans() []Span {
	s.spans.mu.Lock()
	defer s.spans.mu.Unlock()
	return append([]Span(nil), s.spans.spans...)
}

// ResetSpans forgets the recorded calls.
func (s *Server) ResetSpans() {
	s.spans.mu.Lock()
	defer s.spans.mu.Unlock()
	s.spans.spans = nil
}

// Rounds is the number of sequential round trips among spans: the length
// of the longest chain of calls each sent after the previous one was
// answered. Calls that overlapped count once; 0 for no call.
func Rounds(spans []Span) int {
	depth := make([]int, len(spans))
	best := 0
	for i, c := range spans {
		depth[i] = 1
		for j, p := range spans[:i] {
			if p.End != 0 && p.End < c.Start {
				depth[i] = max(depth[i], depth[j]+1)
			}
		}
		best = max(best, depth[i])
	}
	return best
}
