package approvals

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
)

// Gandi has no dry run for paas.renew and paas.update: the reference
// documents "--dry-run" on paas.create and paas.vhost.create only, and a
// server that ignored the flag would renew or resize, and bill, before
// anyone approved. So the engine never sends them before the approval and
// checks them itself instead: against the reference (checkPlan, for every
// plan, whoever built it), then against the instance as paas.info
// describes it (checkInstance), once when the request is made and again
// just before the approved call leaves.

// maxMonths bounds a duration, as the commands do: ten years.
const maxMonths = 120

// Where paas.renew and paas.update are accepted. A renewal also revives an
// instance paused because it expired, and Gandi's locks are billing or
// abuse holds that a renewal does not touch; an instance being created,
// migrated or deleted is renewed, like it is updated, once it runs.
var (
	renewStates  = []gandi.State{gandi.StateRunning, gandi.StatePaused, gandi.StateLocked}
	updateStates = []gandi.State{gandi.StateRunning}
)

// checkPlan checks p against the reference's parameter structs: what is
// mandatory, the types and enums, and that a plan never carries a
// password (one is generated at execution). Errors are EINVALID for
// people; nothing is asked of Gandi.
func checkPlan(p Plan) error {
	bad := func(format string, args ...any) error { return apperr.Errorf(apperr.EINVALID, format, args...) }
	switch p.Action {
	case ActionUpdate, ActionRenew, ActionRestart, ActionDelete:
		if p.InstanceID <= 0 {
			return bad("Name the instance to %s by its id or its exact name.", actionVerb(p.Action))
		}
	}
	switch p.Action {
	case ActionRenew:
		// RenewOptions: duration (string) and fixed (boolean), both
		// mandatory; fixed is always sent, false unless asked.
		if p.Renew == nil {
			return bad("A renewal needs a duration, e.g. `renew %s duration=12m`.", p.Target)
		}
		return checkDuration(p.Renew.Duration)
	case ActionUpdate:
		return checkUpdate(p)
	case ActionCreate:
		// Gandi's dry run checks the rest, every reason at once.
		switch {
		case p.Create == nil:
			return bad("A new instance needs name, size, type, datacenter and duration.")
		case p.Create.Password != "":
			return errPlanPassword
		}
	case ActionVhostCreate, ActionVhostDelete:
		if p.Vhost == nil || strings.TrimSpace(p.Vhost.FQDN) == "" {
			return bad("Name the virtual host by its full name, e.g. www.example.com.")
		}
	}
	return nil
}

// checkUpdate checks PaasUpdateParams: the keys the reference lists, each
// of its type, the size among PaasSizeEnum, and at least one change.
func checkUpdate(p Plan) error {
	u := p.Update
	bad := func(format string, args ...any) error { return apperr.Errorf(apperr.EINVALID, format, args...) }
	switch {
	case u == nil:
		return bad("Say what to change, e.g. `update %s size=l`.", p.Target)
	case u.Password != "":
		return errPlanPassword
	case u.Size != "" && !slices.Contains(gandi.Sizes(), u.Size):
		return bad("size must be one of %s, not %q.", sizeList(), u.Size)
	case u.Quantity != nil && *u.Quantity < 0:
		return bad("quantity is a number of GB of additional disk, 0 or more.")
	case u.Name != "" && strings.TrimSpace(u.Name) == "":
		return bad("The new name is empty.")
	case u.SnapshotProfile != nil && u.SnapshotProfile.IsStr && u.SnapshotProfile.Str != "":
		return bad("snapshot-profile is a profile id, or none to remove it.")
	case u.SnapshotProfile != nil && !u.SnapshotProfile.IsStr && u.SnapshotProfile.Int <= 0:
		return bad("snapshot-profile is a profile id (`snapshot profiles` lists them), or none to remove it.")
	}
	for _, k := range u.Keys {
		if k <= 0 {
			return bad("keys are the ids of SSH keys stored at Gandi, not %d.", k)
		}
	}
	for _, k := range u.SSHKey {
		if strings.TrimSpace(k) == "" {
			return bad("An ssh-key is empty.")
		}
	}
	if u.Size == "" && u.Quantity == nil && u.Name == "" && u.Console == nil && !u.Upgrade && !u.ResetMySQLPassword &&
		u.SnapshotProfile == nil && len(u.SSHKey) == 0 && len(u.Keys) == 0 && !p.GeneratePassword {
		return bad("Say what to change, e.g. `update %s size=l`.", p.Target)
	}
	return nil
}

// checkDuration checks a Gandi duration: months ("12m") or years ("1y"),
// one month to ten years.
func checkDuration(d string) error {
	if n, ok := durationMonths(d); !ok || n > maxMonths {
		return apperr.Errorf(apperr.EINVALID, "duration must be a number of months such as 1m or 12m (or years: 1y), at most %d months, not %q.", maxMonths, d)
	}
	return nil
}

func sizeList() string {
	names := make([]string, 0, len(gandi.Sizes()))
	for _, s := range gandi.Sizes() {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}

// checkInstance checks p against the instance as paas.info describes it:
// a state that allows the call, and (update) no change that is already
// true, so that an approver never pays for nothing. Errors are ECONFLICT
// for people.
func checkInstance(p Plan, info *gandi.InstanceInfo) error {
	states := updateStates
	if p.Action == ActionRenew {
		states = renewStates
	}
	if !slices.Contains(states, info.State) {
		names := make([]string, len(states))
		for i, s := range states {
			names[i] = string(s)
		}
		return apperr.Errorf(apperr.ECONFLICT, "%s is %s: Gandi accepts a %s of an instance that is %s only. Nothing was requested.",
			p.Target, info.State, actionVerb(p.Action), strings.Join(names, " or "))
	}
	if p.Action != ActionUpdate || p.Update == nil {
		return nil
	}
	u := p.Update
	var same []string
	if u.Size != "" && u.Size == info.Size {
		same = append(same, fmt.Sprintf("its size is already %s", u.Size))
	}
	if u.Quantity != nil {
		switch q := *u.Quantity; {
		case q == info.DataDiskAdditionalSize:
			same = append(same, fmt.Sprintf("its additional disk is already %d GB", q))
		case q < info.DataDiskAdditionalSize:
			return apperr.Errorf(apperr.EINVALID, "%s has %d GB of additional disk and Gandi does not shrink disks: quantity must be more than %d. Nothing was requested.",
				p.Target, info.DataDiskAdditionalSize, info.DataDiskAdditionalSize)
		}
	}
	if u.Name != "" && u.Name == info.Name {
		same = append(same, fmt.Sprintf("it is already named %s", u.Name))
	}
	if u.Console != nil && info.ConsoleInfo != nil && *u.Console == info.ConsoleInfo.Enabled {
		same = append(same, "its console is already "+human.OnOff(*u.Console))
	}
	if sp := u.SnapshotProfile; sp != nil {
		cur := 0
		if info.SnapshotProfile != nil {
			cur = info.SnapshotProfile.ID
		}
		if (sp.IsStr && cur == 0) || (!sp.IsStr && sp.Int == cur) {
			same = append(same, "its snapshot profile is already "+profileLabel(cur))
		}
	}
	if u.Upgrade && !info.NeedUpgrade {
		same = append(same, "it already runs the latest system image")
	}
	if len(same) > 0 {
		return apperr.Errorf(apperr.EINVALID, "%s: %s, so this update would change nothing there. Drop that part of the command; nothing was requested.",
			p.Target, strings.Join(same, "; "))
	}
	return nil
}

// recheck compares the instance at execution with what it was when the
// request was made (checkInstance again, and for a renewal the expiry
// date: if it moved, someone renewed it meanwhile and a second renewal
// would bill twice).
func recheck(p Plan, info *gandi.InstanceInfo) error {
	if err := checkInstance(p, info); err != nil {
		return err
	}
	if p.Action == ActionRenew && p.Seen != nil && p.Seen.DateEnd != nil && info.DateEnd != nil && !p.Seen.DateEnd.Equal(*info.DateEnd) {
		return apperr.Errorf(apperr.ECONFLICT, "the expiry date of %s changed since the request (%s, now %s): it may have been renewed already. Check `/paas %s` and ask again if needed.",
			p.Target, human.Date(p.Seen.DateEnd), human.Date(info.DateEnd), checkCommand(p))
	}
	return nil
}

// profileLabel names a snapshot profile id ("none" for 0).
func profileLabel(id int) string {
	if id == 0 {
		return "none"
	}
	return "#" + strconv.Itoa(id)
}

// renewedUntil is the expiry date a renewal of months gives an instance
// expiring at end: Gandi adds the duration to the current expiry.
func renewedUntil(end time.Time, months int) time.Time { return end.AddDate(0, months, 0) }
