package approvals

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/reply"
)

// The actions a Plan may carry: the Gandi method it will call.
const (
	ActionCreate      = "paas.create"
	ActionUpdate      = "paas.update"
	ActionRenew       = "paas.renew"
	ActionRestart     = "paas.restart"
	ActionDelete      = "paas.delete"
	ActionVhostCreate = "paas.vhost.create"
	ActionVhostDelete = "paas.vhost.delete"
)

// Plan is a validated paid or destructive call waiting for a human
// decision. It is stored as JSON in the approval and executed later with
// the requester's key. It never carries a password: when one is needed it
// is generated at execution (GeneratePassword) and sent privately.
type Plan struct {
	Action     string `json:"action"`
	InstanceID int    `json:"instance_id,omitempty"`
	// Target is the human label, e.g. "shop-prod (#42)".
	Target string                  `json:"target"`
	Create *gandi.PaasCreateParams `json:"create,omitempty"`
	Update *gandi.PaasUpdateParams `json:"update,omitempty"`
	Renew  *gandi.RenewOptions     `json:"renew,omitempty"`
	Vhost  *VhostPlan              `json:"vhost,omitempty"`
	// Summary says what will happen, shown in the confirm message.
	Summary []reply.Field `json:"summary,omitempty"`
	// GeneratePassword asks for a fresh password at execution (create,
	// update reset-password), shown only to the requester.
	GeneratePassword bool `json:"generate_password,omitempty"`
	// CatalogName is the instance's catalog product as the handler found
	// it resolving the instance (paas.list and paas.info both answer it),
	// so that the price of a renewal is asked beside paas.info rather
	// than after it. Optional.
	CatalogName string `json:"catalog_name,omitempty"`
	// Seen is what paas.info said of the instance when the request was
	// made (set by Propose); the execution compares the instance with it.
	Seen *Seen `json:"seen,omitempty"`
	// Unapproved marks a call Gandi ran without approval: it ignored the
	// "--dry-run" flag of a create or vhost create (set by the engine).
	Unapproved bool `json:"unapproved,omitempty"`
}

// Seen is the instance as paas.info described it when a request was made.
type Seen struct {
	State   gandi.State `json:"state"`
	DateEnd *time.Time  `json:"date_end,omitempty"`
}

// VhostPlan is a virtual host to create (FQDN, PaasID, ZoneAlter,
// Override) or delete (FQDN only).
type VhostPlan struct {
	FQDN      string `json:"fqdn"`
	PaasID    int    `json:"paas_id,omitempty"`
	ZoneAlter bool   `json:"zone_alter,omitempty"`
	Override  bool   `json:"override,omitempty"`
}

// errPlanPassword is returned when a Plan is asked to serialise a password.
var errPlanPassword = errors.New("approvals: a Plan must not carry a password")

// MarshalJSON writes the plan without the Password members of the gandi
// params (the store refuses any "password" key, even empty). A plan whose
// params hold a password is a bug and fails.
func (p Plan) MarshalJSON() ([]byte, error) {
	if (p.Create != nil && p.Create.Password != "") || (p.Update != nil && p.Update.Password != "") {
		return nil, errPlanPassword
	}
	type plain Plan
	b, err := json.Marshal(plain(p))
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for _, k := range []string{"create", "update"} {
		raw, ok := m[k]
		if !ok {
			continue
		}
		var inner map[string]json.RawMessage
		if err := json.Unmarshal(raw, &inner); err != nil {
			return nil, err
		}
		delete(inner, "Password")
		if m[k], err = json.Marshal(inner); err != nil {
			return nil, err
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (p *Plan) UnmarshalJSON(b []byte) error {
	type plain Plan
	var q plain
	if err := json.Unmarshal(b, &q); err != nil {
		return err
	}
	*p = Plan(q)
	return nil
}

// InstanceLabel names an instance in a Plan's Target and in messages:
// "shop-prod (#42)", or "#42" when the name is unknown.
func InstanceLabel(id int, name string) string {
	if name == "" {
		return fmt.Sprintf("#%d", id)
	}
	return fmt.Sprintf("%s (#%d)", name, id)
}
