package gandisim

import (
	"fmt"
	"strconv"
)

// Fault is an XML-RPC fault as the simulator sends it: always with HTTP 200,
// a six-digit Gandi code and a text of the form
// "Error on object : OBJECT_<NAME> (CAUSE_<NAME>) [<message>]".
type Fault struct {
	Code   int
	String string
}

func (f *Fault) Error() string { return "fault " + strconv.Itoa(f.Code) + ": " + f.String }

// Gandi fault codes read as: qualification (1 server, 5 data), object
// (3 digits), cause (2 digits).
const (
	// CodeMalformed answers an unparsable request, an unknown method or a
	// wrong number of arguments (the real service's generic code).
	CodeMalformed = 1
	// CodeInternal is a server-side failure (injected by FaultRate by default).
	CodeInternal = 150000
	// CodeInvalidAPIKey answers an unknown API key.
	CodeInvalidAPIKey = 510150
	// CodeTooMany answers when the account sends too many requests.
	CodeTooMany = 510199
	// CodeNoCredit answers a paid call the prepaid account cannot afford.
	CodeNoCredit = 530040
	// CodePaasBadParameter answers invalid paas.* parameters.
	CodePaasBadParameter = 537537
	// CodePaasNotFound answers an unknown paas_id.
	CodePaasNotFound = 537542
	// CodePaasState answers an action the instance's state forbids.
	CodePaasState = 537560
	// CodeVhostBadParameter answers invalid paas.vhost.* parameters,
	// including a vhost whose domain ownership is not proven.
	CodeVhostBadParameter = 537637
	// CodeVhostExists answers a vhost name already linked to an instance.
	CodeVhostExists = 537641
	// CodeVhostState answers a vhost being created or deleted.
	CodeVhostState = 537660
	// CodeVhostNotFound answers an unknown vhost.
	CodeVhostNotFound = 537642
	// CodeSnapshotNotFound answers an unknown snapshot id.
	CodeSnapshotNotFound = 532442
	// CodeSnapshotBadParameter answers invalid paas.snapshot.* options.
	CodeSnapshotBadParameter = 532437
	// CodeDatacenterNotFound answers an unknown datacenter_id.
	CodeDatacenterNotFound = 532742
	// CodeDatacenterBadParameter answers invalid hosting.datacenter.list
	// options.
	CodeDatacenterBadParameter = 532737
	// CodeSnapshotProfileBadParameter answers invalid
	// paas.snapshotprofile.* options.
	CodeSnapshotProfileBadParameter = 537837
	// CodeSnapshotProfileNotFound answers an unknown snapshot profile.
	CodeSnapshotProfileNotFound = 537842
	// CodeOperationNotFound answers an unknown operation id.
	CodeOperationNotFound = 510242
	// CodeOperationBadParameter answers invalid operation.* options.
	CodeOperationBadParameter = 510237
)

var objectNames = map[int]string{
	0: "UNKNOWN", 101: "ACCOUNT", 102: "OPERATION", 300: "PREPAID", 324: "SNAPSHOT",
	327: "DATACENTER", 375: "PAAS", 376: "VIRTUALHOST", 378: "SNAPSHOT_PROFILE",
	500: "UNKNOWN", 999: "CATALOG",
}

var causeNames = map[int]string{
	0: "UNKNOWN", 37: "BADPARAMETER", 40: "DONTEXIST", 41: "EXIST", 42: "NOTFOUND",
	50: "NORIGHT", 60: "STATE", 63: "NOT_ENOUGH_MONEY", 99: "TOOMANY",
}

// newFault builds a fault whose text names the object and cause encoded in
// code, the way the real service does.
func newFault(code int, format string, args ...any) *Fault {
	msg := fmt.Sprintf(format, args...)
	if code < 100000 {
		return &Fault{Code: code, String: msg}
	}
	obj, cause := (code/100)%1000, code%100
	on, ok := objectNames[obj]
	if !ok {
		on = "UNKNOWN"
	}
	cn, ok := causeNames[cause]
	if !ok {
		cn = "UNKNOWN"
	}
	return &Fault{Code: code, String: fmt.Sprintf("Error on object : OBJECT_%s (CAUSE_%s) [%s]", on, cn, msg)}
}

// injectedFault is the fault sent by fault injection for a code.
func injectedFault(code int) *Fault {
	switch code {
	case CodeTooMany:
		return newFault(code, "Too many requests, slow down")
	case CodeInternal:
		return newFault(code, "Internal error, please retry later")
	case CodeInvalidAPIKey:
		return newFault(code, "Invalid API key")
	}
	return newFault(code, "Injected fault")
}
