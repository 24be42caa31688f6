# The usage guide's Python examples (../../../../shared/seeds/001_*.txt), run
# against the simulator. They are kept as written there, with three
# exceptions the guide itself forces, each marked "DEVIATION":
#   - Python 3 has xmlrpc.client where the guide imports xmlrpclib;
#   - paas_id and key, used but never assigned by the guide, are assigned;
#   - the guide's paas.update and paas.delete lines read a variable the
#     previous line did not assign (ops vs op) or a shape the reference
#     contradicts (paas.delete returns a list of paas_vm_delete and
#     paas_disk_delete per the reference); the assertions follow the
#     reference and say so.
# Usage: python3 usage_guide.py URL APIKEY SECTION
import json
import sys

import xmlrpc.client as xmlrpclib  # DEVIATION: "import xmlrpclib" in Python 2

url, my_key, section = sys.argv[1], sys.argv[2], sys.argv[3]


def check(cond, what):
    if not cond:
        print("FAILED: " + what, file=sys.stderr)
        sys.exit(1)


api = xmlrpclib.ServerProxy(url)
apikey = my_key

# Now you can call API methods.
# You must authenticate yourself by passing
# the API key as the first method's argument
version = api.version.info(apikey)
check(version == {'api_version': '3.3.42'}, "version.info: %r" % (version,))

if section == "read":
    instances = api.paas.list(apikey)
    check(len(instances) == 1, "paas.list: %r" % (instances,))
    one = instances[0]
    for k, t in [('catalog_name', str), ('data_disk_additional_size', int), ('datacenter_id', int),
                 ('date_end', xmlrpclib.DateTime), ('date_start', xmlrpclib.DateTime), ('id', int),
                 ('name', str), ('need_upgrade', bool), ('servers', list), ('size', str),
                 ('state', str), ('type', str)]:
        check(isinstance(one.get(k), t), "paas.list %s is %r" % (k, one.get(k)))
    check(one['date_end_commitment'] is None, "date_end_commitment %r" % (one['date_end_commitment'],))
    check(one['catalog_name'] == 'phpmysql_m' and one['id'] == 1 and one['name'] == 'Mon PaaS', repr(one))
    check(one['servers'] == [{'id': one['servers'][0]['id']}], repr(one['servers']))
    check(str(one['date_end']) == '20111014T14:36:30', "date_end %s" % one['date_end'])
    check(api.paas.list(apikey, {'size': 's'}) == [], "paas.list size s")
    check(api.paas.count(apikey) == 1, "paas.count")
    check(api.paas.count(apikey, {'size': 's'}) == 0, "paas.count size s")
    info = api.paas.info(apikey, 1)
    check(info['autorenew'] is None, "autorenew %r" % (info['autorenew'],))
    dc = info['datacenter']
    check(dc['id'] == 1 and dc['iso'] == 'FR' and dc['country'] == 'France' and isinstance(dc['name'], str), repr(dc))
    check(isinstance(info['owner']['handle'], str) and isinstance(info['owner']['id'], int), repr(info['owner']))
    srv = info['servers'][0]
    check(set(srv['graph_urls']) == {'vcpu', 'vdi', 'vif'} and isinstance(srv['uuid'], int), repr(srv))
    check(isinstance(info['user'], int) and isinstance(info['ftp_server'], str), repr(info))
    vh = info['vhosts'][0]
    check(isinstance(vh['date_creation'], xmlrpclib.DateTime) and vh['state'] == 'running', repr(vh))
    print("read ok")

elif section == "write":
    paas_spec = {
        'name': 'My PaaS',
        'size': 'm',
        'type': 'phpmysql',
        'datacenter_id': 1,
        'vhosts': ['vhost.test.fr'],
        'quantity': 0,
        'duration': '3m',
        'password': 'xxxxxxxxxx'}
    ops = api.paas.create(apikey, paas_spec)
    check(len(ops) == 3, "len(ops) %d" % len(ops))
    check(ops[0]['type'] == 'paas_vm_create', ops[0]['type'])
    check(ops[1]['type'] == 'paas_disk_create', ops[1]['type'])
    check(ops[2]['type'] == 'rproxy_create', ops[2]['type'])
    paas_id = ops[0]['paas_id']  # DEVIATION: the guide never assigns paas_id
    op = api.paas.update(apikey, paas_id, {'size': 'xl'})
    # DEVIATION: the guide reads ops[0] (the create's list) here; the
    # update's own answer is a list whose first operation is paas_vm_update.
    check(op[0]['type'] == 'paas_vm_update', repr(op))
    op = api.paas.delete(apikey, paas_id)
    # DEVIATION: the guide shows op['type'] == 'paas_delete'; the reference
    # says paas.delete returns the list paas_vm_delete, paas_disk_delete.
    check([o['type'] for o in op] == ['paas_vm_delete', 'paas_disk_delete'], repr(op))
    print("write ok")

elif section == "dnscheck":
    paas_spec = {
        'name': 'My PaaS',
        'size': 'm',
        'type': 'phpmysql',
        'datacenter_id': 1,
        'vhosts': ['vhost.test.fr'],
        'quantity': 0,
        'duration': '3m',
        'password': 'xxxxxxxxxx',
        '--dry-run': True}
    ops = api.paas.create(apikey, paas_spec)
    check(len(ops) == 1, repr(ops))
    err = ops[0]
    check(sorted(err) == ['attr', 'error', 'field', 'field_type', 'reason'], repr(err))
    check(err['attr'][0] == 'vhost.test.fr' and err['attr'][1].startswith('vhost=') and len(err['attr'][1]) == 38, repr(err))
    check(err['error'] == 'EC_TXT+EC_MISSINGMANDATORY' and err['field'] == 'vhosts', repr(err))
    check(err['field_type'] is None and err['reason'] == 'You must put a TXT value in your zone', repr(err))
    key = apikey  # DEVIATION: the guide passes "key" to paas.vhost.create
    res = api.paas.vhost.create(key, {'paas_id': 1,
                                      'vhost': 'vhost.test.fr',
                                      '--dry-run': True})
    check(len(res) == 1 and res[0]['attr'] == err['attr'], repr(res))
    dns = api.paas.vhost.get_dns_entries(apikey, {'datacenter': 1, 'vhost': 'vhost.test.fr'})
    check('vhost=' + dns['key'] == err['attr'][1], repr(dns))
    print(json.dumps(err))

elif section == "dump":
    # Python's own decoding of a few answers, as JSON, for the Go test to
    # compare with its decoding. Dates become their wire text.
    def plain(v):
        if isinstance(v, xmlrpclib.DateTime):
            return v.value
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        return v
    out = {
        'paas.list': api.paas.list(apikey, {'items_per_page': 500}),
        'paas.info': api.paas.info(apikey, api.paas.list(apikey)[0]['id']),
        'paas.snapshot.list': api.paas.snapshot.list(apikey),
        'paas.type.list': api.paas.type.list(apikey, {'visibility': 'beta'}),
        'paas.vhost.list': api.paas.vhost.list(apikey, {'sort_by': 'name'}),
    }
    try:
        api.paas.info(apikey, 42)
    except xmlrpclib.Fault as f:
        out['fault'] = {'faultCode': f.faultCode, 'faultString': f.faultString}
    print(json.dumps(plain(out), sort_keys=True))
else:
    sys.exit("unknown section " + section)
