package commands

func (c *Core) instanceCommands() []*CommandSpec { return nil }
func (c *Core) paidCommands() []*CommandSpec     { return nil }
func (c *Core) vhostCommands() []*CommandSpec    { return nil }
func (c *Core) snapshotCommands() []*CommandSpec { return nil }
func (c *Core) typeCommands() []*CommandSpec     { return nil }
