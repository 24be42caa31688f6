package gandisim

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"
)

// TB is the part of testing.TB that NewTestServer needs. Pass a *testing.T
// or *testing.B; declaring it here keeps package testing out of binaries
// that embed the simulator (paasbot sim, shell --sandbox).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// NewTestServer starts a simulator on 127.0.0.1 for the duration of a test
// and returns it with the URL of its XML-RPC endpoint
// ("http://127.0.0.1:PORT/xmlrpc/"). It is shut down by t.Cleanup.
func NewTestServer(t TB, opts Options) (*Server, string) {
	t.Helper()
	s := New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("gandisim: listen: %v", err)
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("test server stopped", "err", err)
		}
	}()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		<-done
	})
	return s, "http://" + ln.Addr().String() + "/xmlrpc/"
}
