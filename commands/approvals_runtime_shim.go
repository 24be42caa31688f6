package commands

import "sync"

// runtimes holds each Core's approvalRuntime until Core gets a field for
// it. TEMPORARY: config.go belongs to another engineer; once Core has
// `approvals approvalRuntime`, this file becomes
//
//	func (c *Core) runtime() *approvalRuntime { return &c.approvals }

var runtimes sync.Map // *Core → *approvalRuntime

// runtime returns the approvals runtime of c, created on first use.
func (c *Core) runtime() *approvalRuntime {
	if rt, ok := runtimes.Load(c); ok {
		return rt.(*approvalRuntime)
	}
	rt, _ := runtimes.LoadOrStore(c, &approvalRuntime{})
	return rt.(*approvalRuntime)
}
