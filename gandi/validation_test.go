package gandi

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestValidationVariants(t *testing.T) {
	c, _ := setup(t, answerFile(t, "dryrun_variants.xml"))
	got, err := c.PaaS.CreateDryRun(context.Background(), PaasCreateParams{})
	if err != nil {
		t.Fatal(err)
	}
	want := []ValidationError{
		{Attr: []string{}, Error: "!EC_ENUMIN", Field: "size", FieldType: "string", Reason: "size must be one of s, m"},
		{Attr: nil, Error: "EC_MISSINGMANDATORY", Field: "duration", Reason: "duration is mandatory"},
		{Attr: []string{"quantity"}, Error: "EC_RANGE", Field: "quantity", FieldType: "int", Reason: "too large"},
		{Error: "EC_UNKNOWN", Field: "x", Reason: "no attr key at all"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %#v\nwant %#v", got, want)
	}
	if len(MissingTXTRecords(got)) != 0 {
		t.Error("TXT record found where none is missing")
	}
	if got[0].HasCode("EC_ENUMIN") || !got[0].HasCode("!EC_ENUMIN") {
		t.Error("a negated code must not match the plain code")
	}
}

func TestMissingTXT(t *testing.T) {
	tests := []struct {
		name string
		v    ValidationError
		want TXTRecord
		ok   bool
	}{
		{"guide sample", ValidationError{Attr: []string{"vhost.test.fr", "vhost=2e5d"}, Error: "EC_TXT+EC_MISSINGMANDATORY"},
			TXTRecord{Vhost: "vhost.test.fr", Value: "vhost=2e5d"}, true},
		{"value first", ValidationError{Attr: []string{"vhost=ab", "www.x.org"}, Error: "EC_MISSINGMANDATORY+EC_TXT"},
			TXTRecord{Vhost: "www.x.org", Value: "vhost=ab"}, true},
		{"negated", ValidationError{Attr: []string{"a.fr", "vhost=1"}, Error: "!EC_TXT"}, TXTRecord{}, false},
		{"no value", ValidationError{Attr: []string{"a.fr"}, Error: "EC_TXT"}, TXTRecord{}, false},
		{"nil attr", ValidationError{Error: "EC_TXT"}, TXTRecord{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.v.MissingTXT()
			if got != tt.want || ok != tt.ok {
				t.Errorf("got %+v %v, want %+v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
	line := TXTRecord{Vhost: "vhost.test.fr", Value: "vhost=2e5d"}.ZoneLine()
	if line != `vhost.test.fr. 10800 IN TXT "vhost=2e5d"` {
		t.Errorf("zone line %s", line)
	}
}

func TestEnums(t *testing.T) {
	if !SizeSPlus.Valid() || !StateBeingCreated.Valid() || !VisibilityDeprecated.Valid() || !StepDone.Valid() {
		t.Error("valid values reported invalid")
	}
	if State("gone").Valid() || Size("xxxl").Valid() || ServiceType("cobol").Valid() || Visibility("public").Valid() || Step("done").Valid() {
		t.Error("invalid values reported valid")
	}
	if len(ServiceTypes()) != 57 || !ServiceType("php7.2mysql5.7").Valid() || !ServiceType("php.5.4mysql.5.5").Valid() {
		t.Errorf("%d service types", len(ServiceTypes()))
	}
	if len(States()) != 7 || len(Sizes()) != 6 || len(Visibilities()) != 5 || len(Steps()) != 7 {
		t.Error("enum lists have the wrong length")
	}
}

func TestParamsStringHidesPassword(t *testing.T) {
	for _, s := range []string{
		PaasCreateParams{Name: "x", Password: "hunter2hunter2"}.String(),
		PaasUpdateParams{Password: "hunter2hunter2"}.String(),
	} {
		if strings.Contains(s, "hunter2") || !strings.Contains(s, "[redacted]") {
			t.Errorf("params print as %s", s)
		}
	}
}

// TestDryRunIgnored: a server that ignores "--dry-run" answers what the
// real call answers, operations; the dry run then says the call ran and
// hands the operations over, rather than reading them as no errors.
func TestDryRunIgnored(t *testing.T) {
	tests := []struct {
		name, fixture, method string
		call                  func(c *Client) ([]ValidationError, error)
		ops                   int
	}{
		{"paas.create answers a list", "paas_create.xml", "paas.create", func(c *Client) ([]ValidationError, error) {
			return c.PaaS.CreateDryRun(context.Background(), PaasCreateParams{Name: "blog"})
		}, 3},
		{"paas.vhost.create answers one struct", "vhost_op.xml", "paas.vhost.create", func(c *Client) ([]ValidationError, error) {
			return c.Vhosts.CreateDryRun(context.Background(), VhostCreateParams{PaasID: 1, Vhost: "a.example.com"})
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := setup(t, answerFile(t, tt.fixture))
			list, err := tt.call(c)
			var ign *DryRunIgnoredError
			if !errors.As(err, &ign) || list != nil {
				t.Fatalf("got %v, %v; want a *DryRunIgnoredError", list, err)
			}
			if ign.Method != tt.method || len(ign.Operations) != tt.ops || ign.Operations[0].ID == 0 || ign.Operations[0].Type == "" {
				t.Errorf("error = %+v", ign)
			}
			if !strings.Contains(err.Error(), "ignored") {
				t.Errorf("message %q", err)
			}
		})
	}
}
