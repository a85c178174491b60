"""Temporary files a crash left in the middle of an atomic save
(NAME.xml.tmp-XXXXXX, see src/util/fileutil.c) are removed when the daemon
loads its definitions; the definitions themselves are untouched."""
import os

import libvirt

from armzd import domain_xml, new_uuid

NET = ("<network><name>net1</name><bridge name='armzst0'/>"
       "<ip address='10.61.0.1' netmask='255.255.255.0'/></network>")


def pool_xml(target):
    return f"<pool type='dir'><name>pool1</name><target><path>{target}</path></target></pool>"


def test_stale_temporary_files_are_removed_at_start(daemons, tmp_path):
    d = daemons.new()
    c = libvirt.open(d.uri)
    dom = c.defineXML(domain_xml('keep', new_uuid(), title='kept'))
    c.networkDefineXML(NET)
    c.storagePoolDefineXML(pool_xml(tmp_path / 'pool1'))
    before = (dom.XMLDesc(0), c.networkLookupByName('net1').XMLDesc(0),
              c.storagePoolLookupByName('pool1').XMLDesc(0))
    c.close()
    d.stop()

    conf = {'domain': d.confdir,
            'network': os.path.join(d.confdir, 'networks'),
            'pool': os.path.join(d.confdir, 'storage')}
    state = os.path.join(d.root, 'run', 'libvirt', 'armz')
    real = {os.path.join(conf['domain'], 'keep.xml'),
            os.path.join(conf['network'], 'net1.xml'),
            os.path.join(conf['pool'], 'pool1.xml')}
    real_bytes = {p: open(p, 'rb').read() for p in real}

    # what a crash between the temporary file's creation and its rename
    # leaves: a half-written copy beside the good definition
    stale = []
    for path in real:
        t = path + '.tmp-Ab12Cd'
        with open(t, 'wb') as f:
            f.write(real_bytes[path][:40])
        stale.append(t)
    for sub in ('', 'networks', 'storage'):
        os.makedirs(os.path.join(state, sub), exist_ok=True)
    for t in (os.path.join(state, 'keep.status.tmp-000000'),
              os.path.join(state, 'networks', 'net1.xml.tmp-zZ9yY8'),
              os.path.join(state, 'storage', 'pool1.xml.tmp-q1w2e3')):
        with open(t, 'wb') as f:
            f.write(b'[run]\npid=')
        stale.append(t)
    # files of other shapes are not ours to remove
    others = [os.path.join(conf['domain'], n) for n in
              ('keep.xml.tmp-ab', 'notes.tmp-abcdefg', 'README')]
    for p in others:
        with open(p, 'w') as f:
            f.write('x')

    d.start()
    left = [t for t in stale if os.path.exists(t)]
    assert left == [], f'stale temporary files survived the start: {left}'
    for p in others:
        assert os.path.exists(p), p
    # the definitions are as they were, on disk and through the API
    for p in real:
        assert open(p, 'rb').read() == real_bytes[p], p
    c = libvirt.open(d.uri)
    try:
        dom = c.lookupByName('keep')
        after = (dom.XMLDesc(0), c.networkLookupByName('net1').XMLDesc(0),
                 c.storagePoolLookupByName('pool1').XMLDesc(0))
        assert after == before
        assert [x.name() for x in c.listAllDomains(0)] == ['keep']
    finally:
        c.close()
