package gandi

import (
	"context"
	"fmt"
	"strings"
)

// ValidationError is one item of a dry run's answer: why the real call
// would fail. Error joins codes with "+" and negates one with "!"
// ("EC_TXT+EC_MISSINGMANDATORY", "!EC_ENUMIN"). Attr may be absent, empty
// or a list on the wire; it decodes to nil or a slice.
//
// It is a plain value, not a Go error (its Error field is the API's code).
type ValidationError struct {
	Attr      []string `xmlrpc:"attr"`
	Error     string   `xmlrpc:"error"`
	Field     string   `xmlrpc:"field"`
	FieldType string   `xmlrpc:"field_type"`
	Reason    string   `xmlrpc:"reason"`
}

// Codes splits Error into its codes, keeping a leading "!" on negated ones.
func (v ValidationError) Codes() []string {
	var out []string
	for _, c := range strings.Split(v.Error, "+") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// HasCode reports whether Error holds code, not negated.
func (v ValidationError) HasCode(code string) bool {
	for _, c := range v.Codes() {
		if c == code {
			return true
		}
	}
	return false
}

// TXTRecord is the DNS TXT record Gandi wants before it binds a virtual host
// it cannot verify (a domain not on Gandi DNS).
type TXTRecord struct {
	Vhost string // the FQDN, for example "vhost.test.fr"
	Value string // the record's text, for example "vhost=2e5d8f08…"
}

// ZoneLine is the record as a zone file line for the vhost's own name,
// TTL 10800 as in the usage guide: `vhost.test.fr. 10800 IN TXT "vhost=…"`.
// Whether it goes at the apex (@) or at a subdomain depends on the zone the
// user edits; paas.vhost.get_dns_entries says more.
func (r TXTRecord) ZoneLine() string {
	return strings.TrimSuffix(r.Vhost, ".") + `. 10800 IN TXT "` + r.Value + `"`
}

// MissingTXT reports whether this validation error is the "put a TXT value
// in your zone" case (code EC_TXT) and returns the record asked for: the
// vhost is the attr item that is not "vhost=…", the value the one that is.
func (v ValidationError) MissingTXT() (TXTRecord, bool) {
	if !v.HasCode("EC_TXT") {
		return TXTRecord{}, false
	}
	var rec TXTRecord
	for _, a := range v.Attr {
		a = strings.TrimSpace(a)
		switch {
		case strings.HasPrefix(a, "vhost="):
			rec.Value = a
		case rec.Vhost == "":
			rec.Vhost = a
		}
	}
	if rec.Value == "" {
		return TXTRecord{}, false
	}
	return rec, true
}

// MissingTXTRecords returns the TXT records a dry run's answer asks for, in
// order; empty when none is missing.
func MissingTXTRecords(list []ValidationError) []TXTRecord {
	var out []TXTRecord
	for _, v := range list {
		if r, ok := v.MissingTXT(); ok {
			out = append(out, r)
		}
	}
	return out
}

// DryRunIgnoredError is a dry run answered with operations instead of
// validation errors: the server ignored "--dry-run" and ran the call for
// real (a paas.create then bills). Operations are what it started; the
// caller must follow them and say that the call ran without approval.
type DryRunIgnoredError struct {
	Method     string
	Operations []Operation
}

func (e *DryRunIgnoredError) Error() string {
	return fmt.Sprintf("gandi: %s: the dry run was answered with %d operation(s): the server ignored \"--dry-run\" and ran the call", e.Method, len(e.Operations))
}

// dryRunItem decodes one item of a dry run's answer into both shapes it
// can have: a validation error, or an operation a server started because
// it ignored the flag (the keys of the two do not overlap).
type dryRunItem struct {
	ValidationError
	Operation
}

// dryRun sends method with "--dry-run" (a read: the reference documents
// the flag for it) and answers its validation errors, or a
// *DryRunIgnoredError when the answer holds operations.
func (c *Client) dryRun(ctx context.Context, method string, params any) ([]ValidationError, error) {
	var items []dryRunItem
	if err := c.read(ctx, method, &items, withExtra{params: params, extra: dryRunFlag()}); err != nil {
		return nil, err
	}
	var ops []Operation
	list := make([]ValidationError, 0, len(items))
	for _, it := range items {
		if it.Operation.ID != 0 || it.Operation.Step != "" {
			ops = append(ops, it.Operation)
			continue
		}
		list = append(list, it.ValidationError)
	}
	if len(ops) > 0 {
		return nil, &DryRunIgnoredError{Method: method, Operations: ops}
	}
	return list, nil
}
