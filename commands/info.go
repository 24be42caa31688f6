package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/paasbot/paasbot/apperr"
	"github.com/paasbot/paasbot/gandi"
	"github.com/paasbot/paasbot/internal/human"
	"github.com/paasbot/paasbot/reply"
)

func runInfo(ctx context.Context, c *Core, call *Call) (reply.Message, error) {
	gc := c.client(call)
	ref, err := resolveInstance(ctx, gc.PaaS, call.Arg(0), false)
	if err != nil {
		return reply.Message{}, err
	}
	in, err := gc.PaaS.Info(ctx, ref.ID)
	if err != nil {
		return reply.Message{}, apperr.FromGandi(err, fmt.Sprintf("no instance %d in your account", ref.ID))
	}
	return instanceInfoMessage(c, in), nil
}

func instanceInfoMessage(c *Core, in *gandi.InstanceInfo) reply.Message {
	now := c.now()
	expiry := human.Date(in.DateEnd)
	if in.DateEnd != nil {
		d := human.DaysUntil(now, *in.DateEnd)
		expiry += " (" + human.RelDays(d) + ")"
		if d <= expiryWarnDays {
			expiry += " ⚠"
		}
	}
	f := []reply.Field{
		{Label: "State", Value: string(in.State)},
		{Label: "Size", Value: string(in.Size)},
		{Label: "Type", Value: string(in.Type)},
		{Label: "Expires", Value: expiry},
		{Label: "Created", Value: human.Date(in.DateStart)},
	}
	if in.DateEndCommitment != nil {
		f = append(f, reply.Field{Label: "Commitment ends", Value: human.Date(in.DateEndCommitment)})
	}
	upgrade := "no"
	if in.NeedUpgrade {
		upgrade = "yes ⬆ (`update " + strconv.Itoa(in.ID) + " upgrade`)"
	}
	f = append(f, reply.Field{Label: "Needs upgrade", Value: upgrade})
	if in.Datacenter != nil {
		dc := in.Datacenter
		f = append(f, reply.Field{Label: "Datacenter", Value: fmt.Sprintf("%s (#%d, %s %s)", human.OrDash(dc.Name), dc.ID, dc.DCCode, dc.Country)})
	}
	disk := fmt.Sprintf("+%d GB additional", in.DataDiskAdditionalSize)
	if mb, ok := in.DatadiskTotalSizeMB(); ok {
		// The reference says megabytes. A value under 1024 cannot be
		// megabytes of a 10 GB minimum disk: some answers are believed to
		// carry gigabytes, so read such a value as gigabytes.
		gb := mb
		if mb >= 1024 {
			gb = mb / 1024
		}
		disk = fmt.Sprintf("%.0f GB total (%s)", gb, disk)
	}
	f = append(f, reply.Field{Label: "Disk", Value: disk})
	f = append(f, reply.Field{Label: "SFTP", Value: sftpLine(in)})
	f = append(f, reply.Field{Label: "Git", Value: human.OrDash(in.GitServer)})
	console := human.OrDash(in.Console)
	if in.ConsoleInfo != nil {
		if in.ConsoleInfo.Enabled {
			console += " (enabled until " + human.DateTime(in.ConsoleInfo.DateEnd) + ")"
		} else {
			console += " (disabled)"
		}
	}
	f = append(f, reply.Field{Label: "Console", Value: console})
	f = append(f, reply.Field{Label: "Snapshots", Value: snapshotProfileLine(in.SnapshotProfile)})
	if in.Autorenew != nil {
		f = append(f, reply.Field{Label: "Autorenew", Value: fmt.Sprintf("%s, %d months", human.OnOff(in.Autorenew.Active), in.Autorenew.Duration)})
	}
	if in.Owner != nil {
		f = append(f, reply.Field{Label: "Owner", Value: in.Owner.Handle})
	}
	var vh []string
	for _, v := range in.Vhosts {
		vh = append(vh, v.Name+" ("+v.State+")")
	}
	f = append(f, reply.Field{Label: "Vhosts", Value: human.OrDash(strings.Join(vh, ", "))})
	id := strconv.Itoa(in.ID)
	return reply.Message{
		Title:  fmt.Sprintf("%s (#%d)", in.Name, in.ID),
		Fields: f,
		Notes:  []string{parisNote},
		Buttons: []reply.Button{
			{Label: "Vhosts", Action: "cmd", Value: "vhost list " + id, Command: "vhost list " + id},
			{Label: "Snapshots", Action: "cmd", Value: "snapshot list " + id, Command: "snapshot list " + id},
			{Label: "Renew 12 months", Action: "cmd", Value: "renew " + id + " duration=12m", Command: "renew " + id + " duration=12m"},
		},
	}
}

// parisNote says the zone of the dates of a reply that shows them as
// days: Gandi's, Paris time (DESIGN §9: every date says its zone).
const parisNote = "Dates are Paris time."

func sftpLine(in *gandi.InstanceInfo) string {
	if in.FTPServer == "" {
		return "—"
	}
	if in.User != 0 {
		return fmt.Sprintf("%d@%s", in.User, in.FTPServer)
	}
	return in.FTPServer
}

func snapshotProfileLine(p *gandi.SnapshotProfile) string {
	if p == nil {
		return "no snapshot profile ⚠"
	}
	var sch []string
	for _, s := range p.Schedules {
		sch = append(sch, fmt.Sprintf("%s×%d", s.Name, s.KeptVersion))
	}
	out := fmt.Sprintf("%s (#%d)", human.OrDash(p.Name), p.ID)
	if len(sch) > 0 {
		out += ": " + strings.Join(sch, ", ")
	}
	return out
}
