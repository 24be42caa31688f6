package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestShellApprovers(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"sam", []string{"sam"}, ""},
		{"sam, dana", []string{"sam", "dana"}, ""},
		{",", nil, `"," names nobody`},
		{" , ", nil, `" , " names nobody`},
	}
	for _, tt := range tests {
		got, err := shellApprovers(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("shellApprovers(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("shellApprovers(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestShell_ApproversNamingNobodyStopsStartUp(t *testing.T) {
	var out, errb bytes.Buffer
	env := &environment{stdin: strings.NewReader("list\n"), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return map[string]string{"PAASBOT_APPROVERS": ","}[k] }}
	code := run(context.Background(), env, []string{"shell", "--sandbox"})
	stderr := errb.String()
	if code != 1 || !strings.Contains(stderr, "PAASBOT_APPROVERS") {
		t.Errorf("exit %d, stderr %q; want 1 and a line naming PAASBOT_APPROVERS", code, stderr)
	}
}
