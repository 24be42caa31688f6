package gandisim

import (
	"fmt"
	"slices"
	"strings"
)

// semantic errors carry the fault a real (non dry-run) call answers.
type check struct {
	dryError
	code int
}

func enumCheck(field, value string, allowed []string, code int) *check {
	if slices.Contains(allowed, value) {
		return nil
	}
	return &check{dryError{Attr: enumAttr(allowed), Error: "!EC_ENUMIN", Field: field, FieldType: "Enum",
		Reason: fmt.Sprintf("%s: '%s' is not one of %s", field, truncate(value), strings.Join(allowed, ", "))}, code}
}

func passwordCheck(p string) *check {
	if n := len([]rune(p)); n >= 8 && n <= 64 {
		return nil
	}
	return &check{dryError{Attr: nil, Error: "EC_PASSWORD", Field: "password", FieldType: "Password",
		Reason: "password must have between 8 and 64 characters"}, CodePaasBadParameter}
}

func nameCheck(n string) *check {
	if l := len([]rune(strings.TrimSpace(n))); l >= 1 && l <= 64 {
		return nil
	}
	return &check{dryError{Attr: nil, Error: "EC_STRLEN", Field: "name", FieldType: "String",
		Reason: "name must have between 1 and 64 characters"}, CodePaasBadParameter}
}

// answer turns semantic checks into the dry-run list, a fault, or nothing.
func (c *call) answer(checks []*check) (any, *Fault, bool) {
	var errs []dryError
	var first *check
	for _, ch := range checks {
		if ch == nil {
			continue
		}
		if first == nil {
			first = ch
		}
		errs = append(errs, ch.dryError)
	}
	if c.dry {
		return dryList(errs), nil, true
	}
	if first != nil {
		return nil, newFault(first.code, "%s", first.Reason), true
	}
	return nil, nil, false
}

func (c *call) creditCheck(cost float64) *check {
	if c.acct.credit == nil || *c.acct.credit >= cost {
		return nil
	}
	return &check{dryError{Attr: nil, Error: "EC_NOCREDIT", Field: "credit", FieldType: nil,
		Reason: fmt.Sprintf("Not enough prepaid credit: this costs %.2f EUR, the account has %.2f EUR", cost, *c.acct.credit)}, CodeNoCredit}
}

func (c *call) charge(cost float64) {
	if c.acct.credit != nil {
		*c.acct.credit -= cost
	}
}

func durationCheck() *check {
	return &check{dryError{Attr: []any{"^[0-9]+[my]$"}, Error: "!EC_REGEXP", Field: "duration", FieldType: "String",
		Reason: "duration must be a number of months or years such as 1m, 12m or 1y (at most 120 months)"}, CodePaasBadParameter}
}
