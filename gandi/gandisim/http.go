package gandisim

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// call is one decoded request being handled under s.mu.
type call struct {
	s      *Server
	method string
	acct   *account
	args   []any // after the API key
	now    time.Time
	dry    bool
}

type handler func(c *call) (any, *Fault)

type methodSpec struct {
	minArgs, maxArgs int // not counting the API key
	fn               handler
}

func (s *Server) methods() map[string]methodSpec {
	return map[string]methodSpec{
		"version.info":               {0, 0, versionInfo},
		"operation.info":             {1, 1, operationInfo},
		"operation.list":             {0, 1, operationList},
		"operation.count":            {0, 1, operationCount},
		"catalog.list":               {1, 3, catalogList},
		"hosting.datacenter.list":    {0, 1, datacenterList},
		"paas.count":                 {0, 1, paasCount},
		"paas.list":                  {0, 1, paasList},
		"paas.info":                  {1, 1, paasInfo},
		"paas.create":                {1, 1, paasCreate},
		"paas.update":                {2, 2, paasUpdate},
		"paas.renew":                 {2, 2, paasRenew},
		"paas.restart":               {1, 1, paasRestart},
		"paas.delete":                {1, 1, paasDelete},
		"paas.vhost.count":           {0, 1, vhostCount},
		"paas.vhost.list":            {0, 1, vhostList},
		"paas.vhost.info":            {1, 1, vhostInfo},
		"paas.vhost.create":          {1, 1, vhostCreate},
		"paas.vhost.delete":          {1, 1, vhostDelete},
		"paas.vhost.get_dns_entries": {1, 1, vhostDNSEntries},
		"paas.snapshot.count":        {0, 1, snapshotCount},
		"paas.snapshot.list":         {0, 1, snapshotList},
		"paas.snapshot.info":         {1, 1, snapshotInfo},
		"paas.snapshotprofile.list":  {0, 1, profileList},
		"paas.snapshotprofile.info":  {1, 1, profileInfo},
		"paas.type.count":            {0, 1, typeCount},
		"paas.type.list":             {0, 1, typeList},
	}
}

// ServeHTTP serves XML-RPC at /xmlrpc/ (and /xmlrpc). Every answer to a
// POST there is HTTP 200 with a methodResponse, faults included, unless
// fault injection asks for an HTTP error.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/xmlrpc/" && r.URL.Path != "/xmlrpc" {
		http.Error(w, "not found: the XML-RPC endpoint is /xmlrpc/", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "XML-RPC needs POST", http.StatusMethodNotAllowed)
		return
	}
	start := time.Now()
	body := http.MaxBytesReader(w, r.Body, MaxRequestBytes)
	method, params, err := decodeCall(body, s.loc)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.writeFault(w, newFault(CodeMalformed, "request body larger than %d bytes", MaxRequestBytes))
		} else {
			s.writeFault(w, newFault(CodeMalformed, "%v", err))
		}
		return
	}
	if s.opts.RecordSpans {
		i := s.spans.begin(method)
		defer s.spans.end(i)
	}
	delay, status, retryAfter, injected := s.inject(method)
	if delay > 0 && !sleep(r.Context(), delay) {
		return // the client went away
	}
	if status != 0 {
		if retryAfter != "-" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(status), status)
		s.logger.Debug("call", "method", method, "http_status", status)
		return
	}
	if injected != nil {
		s.writeFault(w, injected)
		s.logger.Debug("call", "method", method, "fault", injected.Code, "injected", true)
		return
	}
	result, f := s.dispatch(method, params)
	if f != nil {
		s.writeFault(w, f)
		s.logger.Debug("call", "method", method, "fault", f.Code, "elapsed", time.Since(start))
		return
	}
	out, err := encodeResponse(result, s.loc)
	if err != nil {
		s.logger.Error("encode answer", "method", method, "err", err)
		s.writeFault(w, newFault(CodeInternal, "internal error"))
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(out))) // the whole answer is known: not chunked
	_, _ = w.Write(out)
	s.logger.Debug("call", "method", method, "elapsed", time.Since(start))
}

func (s *Server) writeFault(w http.ResponseWriter, f *Fault) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(encodeFault(f, s.loc))
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// inject decides, for one call, the delay, an HTTP error status (with its
// Retry-After, "-" for none) or an injected fault, from the rules then the
// rates.
func (s *Server) inject(method string) (time.Duration, int, string, *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delay := s.opts.Latency
	if s.opts.SlowRate > 0 && s.rng.Float64() < s.opts.SlowRate {
		delay += s.opts.SlowLatency
	}
	for i, r := range s.rules {
		if r.Method != "" && r.Method != method {
			continue
		}
		if r.Times > 0 {
			s.rules[i].Times--
			if s.rules[i].Times == 0 {
				s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
			}
		}
		if r.HTTPStatus != 0 {
			return delay, r.HTTPStatus, cmp.Or(r.RetryAfter, "1"), nil
		}
		return delay, 0, "", injectedFault(r.Code)
	}
	if s.opts.HTTPErrorRate > 0 && s.rng.Float64() < s.opts.HTTPErrorRate {
		return delay, http.StatusServiceUnavailable, "1", nil
	}
	if s.opts.FaultRate > 0 && s.rng.Float64() < s.opts.FaultRate {
		return delay, 0, "", injectedFault(s.opts.FaultCode)
	}
	return delay, 0, "", nil
}

// dispatch authenticates and runs one call under the lock.
func (s *Server) dispatch(method string, params []any) (res any, f *Fault) {
	spec, ok := s.table[method]
	if !ok {
		return nil, newFault(CodeMalformed, "Unknown method '%s'", truncate(method))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &call{s: s, method: method, now: s.now()}
	defer func() {
		// A bug in a handler answers an internal fault, never a crash.
		if r := recover(); r != nil {
			s.logger.Error("handler panic", "method", method, "panic", r)
			res, f = nil, newFault(CodeInternal, "Internal error")
		}
	}()
	res, f = s.runLocked(c, spec, params)
	if c.dry {
		s.dryRuns[method]++
	} else {
		s.calls[method]++
	}
	return res, f
}

func (s *Server) runLocked(c *call, spec methodSpec, params []any) (any, *Fault) {
	if len(params) == 0 {
		return nil, newFault(CodeMalformed, "Method %s needs the API key as first argument", c.method)
	}
	key, ok := params[0].(string)
	if !ok {
		return nil, newFault(CodeInvalidAPIKey, "Invalid API key")
	}
	a, ok := s.accounts[key]
	if !ok {
		return nil, newFault(CodeInvalidAPIKey, "Invalid API key")
	}
	c.acct = a
	c.args = params[1:]
	if n := len(c.args); n < spec.minArgs || n > spec.maxArgs {
		want := spec.minArgs + 1
		if spec.maxArgs != spec.minArgs {
			return nil, newFault(CodeMalformed, "Method %s takes %d to %d arguments, got %d", c.method, want, spec.maxArgs+1, n+1)
		}
		return nil, newFault(CodeMalformed, "Method %s takes %d arguments, got %d", c.method, want, n+1)
	}
	s.advance(c.now)
	return spec.fn(c)
}

// arg returns the i-th argument after the key, or nil.
func (c *call) arg(i int) any {
	if i < len(c.args) {
		return c.args[i]
	}
	return nil
}

// intArg reads a positional int argument such as paas_id.
func (c *call) intArg(i int, name string, code int) (int, *Fault) {
	n, ok := c.arg(i).(int)
	if !ok {
		return 0, newFault(code, "Invalid method parameter [%s]: '%s' must be int, got %s", c.method, name, typeName(c.arg(i)))
	}
	return n, nil
}

// strArg reads a positional string argument such as a vhost name.
func (c *call) strArg(i int, name string, code int) (string, *Fault) {
	str, ok := c.arg(i).(string)
	if !ok {
		return "", newFault(code, "Invalid method parameter [%s]: '%s' must be string, got %s", c.method, name, typeName(c.arg(i)))
	}
	return strings.TrimSpace(str), nil
}
