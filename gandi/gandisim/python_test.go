package gandisim

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"
)

// python3 returns the interpreter or fails: CI installs it (.ci/run), so
// a missing python3 is an error to fix, never a silent skip.
func python3(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is required to check the simulator against Python's xmlrpc.client (apt-get install python3): %v", err)
	}
	return path
}

func runPython(t *testing.T, url, key, section string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python3(t), "testdata/usage_guide.py", url, key, section)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("python section %s: %v\nstdout: %s\nstderr: %s", section, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// guideServer is the account the usage guide's examples assume: one
// running phpmysql instance of size m, id 1, called "Mon PaaS", dated as
// in the guide.
//
// now is the clock; the write section uses one that moves a minute at each
// reading, because the guide's snippets are read as steps a person runs
// one after the other (paas.update on an instance still being created is
// refused, as by the real service).
func guideServer(t *testing.T, now func() time.Time) (*Server, string) {
	t.Helper()
	s, url := NewTestServer(t, Options{Now: now, Seed: 1})
	s.AddAccount(keyA, "XXX-GANDI")
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Date(2011, 9, 14, 14, 36, 30, 0, s.loc)
	in := &instance{id: 1, owner: s.accounts[keyA], name: "Mon PaaS", size: "m", typ: "phpmysql", datacenterID: 1,
		state: "running", dateStart: start, dateEnd: start.AddDate(0, 1, 0), needUpgrade: true, serverID: 1, uuid: 1, user: 2316}
	s.addInstance(in)
	s.addVhost(in, "mon-paas.test.org", "running", start)
	return s, url
}

func TestPython_UsageGuide(t *testing.T) {
	python3(t)
	t.Run("list, count and info", func(t *testing.T) {
		_, url := guideServer(t, newClock().Now)
		if out := runPython(t, url, keyA, "read"); !strings.Contains(out, "read ok") {
			t.Errorf("python said %q", out)
		}
	})
	t.Run("create, update and delete with a Gandi DNS zone", func(t *testing.T) {
		clock := newClock()
		s, url := guideServer(t, func() time.Time {
			clock.Advance(time.Minute)
			return clock.Now()
		})
		s.AddZone(keyA, "test.fr")
		if out := runPython(t, url, keyA, "write"); !strings.Contains(out, "write ok") {
			t.Errorf("python said %q", out)
		}
		if n := s.Calls("paas.create"); n != 1 {
			t.Errorf("Calls(paas.create) = %d", n)
		}
	})
	t.Run("the DNS check dry runs", func(t *testing.T) {
		s, url := guideServer(t, newClock().Now)
		out := runPython(t, url, keyA, "dnscheck")
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("python printed %q: %v", out, err)
		}
		key := s.txtKey(s.accounts[keyA], "vhost.test.fr")
		want := map[string]any{"attr": []any{"vhost.test.fr", "vhost=" + key}, "error": "EC_TXT+EC_MISSINGMANDATORY",
			"field": "vhosts", "field_type": nil, "reason": "You must put a TXT value in your zone"}
		assertDeepEqual(t, got, want)
		if n := s.Calls("paas.create") + s.Calls("paas.vhost.create"); n != 0 {
			t.Errorf("dry runs counted as %d calls", n)
		}
	})
}

// TestPython_SameAnswersAsGo decodes the same answers with Python's
// xmlrpc.client and with this package's codec and compares them.
func TestPython_SameAnswersAsGo(t *testing.T) {
	python3(t)
	e := setup(t, 25)
	var fromPython map[string]any
	out := runPython(t, e.url, keyA, "dump")
	if err := json.Unmarshal([]byte(out), &fromPython); err != nil {
		t.Fatalf("python printed %q: %v", truncate(out), err)
	}
	first := list(t, e.ok("paas.list", keyA))[0]["id"]
	fromGo := map[string]any{
		"paas.list":          e.ok("paas.list", keyA, map[string]any{"items_per_page": 500}),
		"paas.info":          e.ok("paas.info", keyA, first),
		"paas.snapshot.list": e.ok("paas.snapshot.list", keyA),
		"paas.type.list":     e.ok("paas.type.list", keyA, map[string]any{"visibility": "beta"}),
		"paas.vhost.list":    e.ok("paas.vhost.list", keyA, map[string]any{"sort_by": "name"}),
	}
	f := e.fault(CodePaasNotFound, "paas.info", keyA, 42)
	fromGo["fault"] = map[string]any{"faultCode": f.Code, "faultString": f.String}
	b, err := json.Marshal(wireJSON(fromGo, e.s))
	if err != nil {
		t.Fatal(err)
	}
	var normalized map[string]any
	if err := json.Unmarshal(b, &normalized); err != nil {
		t.Fatal(err)
	}
	for k := range normalized {
		if !reflect.DeepEqual(normalized[k], fromPython[k]) {
			t.Errorf("%s differs:\n go:     %.600v\n python: %.600v", k, normalized[k], fromPython[k])
		}
	}
	if len(fromPython["paas.list"].([]any)) != 25 {
		t.Errorf("python read %d instances", len(fromPython["paas.list"].([]any)))
	}
}

// wireJSON turns dates into their wire text, as the Python side does.
func wireJSON(v any, s *Server) any {
	switch v := v.(type) {
	case time.Time:
		return v.In(s.loc).Format(wireTime)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = wireJSON(x, s)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = wireJSON(x, s)
		}
		return out
	}
	return v
}
