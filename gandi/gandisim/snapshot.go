package gandisim

func snapshotSpec(method string) listSpec {
	return listSpec{
		method: method, code: CodeSnapshotBadParameter,
		eq:   map[string]kind{"date_created": kDate, "name": kString, "paas_id": kInt, "size": kInt, "type": kString},
		like: []string{"name"},
		cmp:  map[string]kind{"date_created": kDate, "size": kInt},
		sort: []string{"date_created", "name", "paas_id", "size", "type"},
	}
}

func (c *call) ownSnapshots() []*snapshot {
	out := make([]*snapshot, 0, 64)
	for _, sn := range c.s.snapshots {
		if in, ok := c.s.instances[sn.paasID]; ok && in.owner == c.acct {
			out = append(out, sn)
		}
	}
	sortByID(out, func(sn *snapshot) int { return sn.id })
	return out
}

func snapshotGet(sn *snapshot, f string) any {
	switch f {
	case "date_created":
		return sn.createdAt
	case "name":
		return sn.name
	case "paas_id":
		return sn.paasID
	case "size":
		return sn.size
	case "type":
		return sn.typ
	}
	return nil
}

func snapshotID(sn *snapshot) int { return sn.id }

func snapshotList(c *call) (any, *Fault) {
	return listAnswer(c, snapshotSpec(c.method), true, c.ownSnapshots(), snapshotGet, snapshotID,
		func(sn *snapshot) any { return sn.record(c.s.instances[sn.paasID]) })
}

func snapshotCount(c *call) (any, *Fault) {
	return countAnswer(c, snapshotSpec(c.method), true, c.ownSnapshots(), snapshotGet, snapshotID)
}

func snapshotInfo(c *call) (any, *Fault) {
	id, f := c.intArg(0, "snapshot", CodeSnapshotBadParameter)
	if f != nil {
		return nil, f
	}
	sn, ok := c.s.snapshots[id]
	if ok {
		if in, own := c.s.instances[sn.paasID]; own && in.owner == c.acct {
			return sn.record(in), nil
		}
	}
	return nil, newFault(CodeSnapshotNotFound, "Snapshot '%d' doesn't exist.", id)
}

const codeTypeBadParameter = 537537

func typeSpec(method string) listSpec {
	return listSpec{
		method: method, code: codeTypeBadParameter,
		eq: map[string]kind{"catalog_prefix": kStrOrArray, "category": kStrOrArray, "database": kStrOrArray,
			"id": kIntOrArray, "name": kStrOrArray, "visibility": kString},
		sort:  []string{"catalog_prefix", "category", "database", "id", "name", "visibility"},
		enums: map[string][]string{"visibility": visibilities},
	}
}

func typeGet(t paasType, f string) any {
	switch f {
	case "catalog_prefix":
		return t.CatalogPrefix
	case "category":
		return t.Category
	case "database":
		return t.Database
	case "id":
		return t.ID
	case "name":
		return t.Name
	case "visibility":
		return t.Visibility
	}
	return nil
}

func typeList(c *call) (any, *Fault) {
	return listAnswer(c, typeSpec(c.method), true, c.s.types, typeGet, paasTypeID, paasType.record)
}

func typeCount(c *call) (any, *Fault) {
	return countAnswer(c, typeSpec(c.method), true, c.s.types, typeGet, paasTypeID)
}

func paasTypeID(t paasType) int { return t.ID }

// paas.snapshotprofile.list and .info are not in the PaaS reference but
// Gandi's own CLI calls them to name the profiles paas.create accepts.
func profileSpec(method string) listSpec {
	return listSpec{
		method: method, code: CodeSnapshotProfileBadParameter,
		eq:   map[string]kind{"id": kIntOrArray, "name": kStrOrArray},
		sort: []string{"id", "name"},
	}
}

func profileGet(p snapshotProfile, f string) any {
	switch f {
	case "id":
		return p.ID
	case "name":
		return p.Name
	}
	return nil
}

func profileList(c *call) (any, *Fault) {
	return listAnswer(c, profileSpec(c.method), true, snapshotProfiles, profileGet,
		func(p snapshotProfile) int { return p.ID }, snapshotProfile.record)
}

func profileInfo(c *call) (any, *Fault) {
	id, f := c.intArg(0, "id", CodeSnapshotProfileBadParameter)
	if f != nil {
		return nil, f
	}
	p, ok := findProfile(id)
	if !ok {
		return nil, newFault(CodeSnapshotProfileNotFound, "Snapshot profile '%d' doesn't exist.", id)
	}
	return p.record(), nil
}
