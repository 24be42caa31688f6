package gandi

import (
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
