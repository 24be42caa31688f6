package commands

import (
	"strings"
	"testing"
)

// TestHandle_PageBounds: page × per-page is the row offset Gandi skips and
// must fit an XML-RPC int (2^31-1); past it the person is told the range,
// never an internal error.
func TestHandle_PageBounds(t *testing.T) {
	e := setup(t, 3)
	tests := []struct {
		line string
		want string // error text; "" when the call is accepted
	}{
		{"list page=9223372036854775807", "page must be between 1 and 85899345 at 25 per page."},
		{"list page=4294967297", "page must be between 1 and 85899345 at 25 per page."},
		{"list page=85899346", "page must be between 1 and 85899345 at 25 per page."},
		{"list page=85899345", ""},
		{"list page=2147483647 per-page=1", ""},
		{"list page=2147483648 per-page=1", "page must be between 1 and 2147483647 at 1 per page."},
		{"list page=4294968 per-page=500", "page must be between 1 and 4294967 at 500 per page."},
		{"vhost list page=9223372036854775807", "page must be between 1 and 85899345 at 25 per page."},
		{"snapshot list page=2147483647", "page must be between 1 and 85899345 at 25 per page."},
		{"types page=21474837", "page must be between 1 and 21474836 at 100 per page."},
		{"types page=21474836", ""},
		{"list page=0", "page counts from 1."},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			m := e.run(t, tc.line)
			if tc.want == "" {
				wantOK(t, m)
				return
			}
			wantErr(t, m, tc.want)
			if strings.Contains(m.Text, "internal error") {
				t.Errorf("internal error: %s", m.Text)
			}
		})
	}
}

// TestHandle_EmptyPageWording: a page past the end of a list says so the
// same way for every list command, and an empty list says there is none.
func TestHandle_EmptyPageWording(t *testing.T) {
	e := setup(t, 3)
	tests := []struct{ line, want string }{
		{"list page=5", "Page 5 is empty: 3 instances in all."},
		{"list page=2147483647 per-page=1", "Page 2147483647 is empty: 3 instances in all."},
		{"vhost list page=5", "Page 5 is empty: 4 virtual hosts in all."},
		{"snapshot list page=2", "Page 2 is empty: 4 snapshots in all."},
		{"snapshot list page=2147483647 per-page=1", "Page 2147483647 is empty: 4 snapshots in all."},
		{"types page=99", "Page 99 is empty: 57 types in all."},
		{"list name=nothing-here", "No instances"},
		{"snapshot list name=nothing-here", "No snapshots"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			m := e.run(t, tc.line)
			wantOK(t, m)
			if !strings.HasPrefix(m.Text, tc.want) {
				t.Errorf("%q = %q, want it to start with %q", tc.line, m.Text, tc.want)
			}
		})
	}
}
