"""Definitions survive a daemon restart; bad files are reported and kept."""
import os
import time

import libvirt

from armzd import domain_xml, expect_error, new_uuid

L = libvirt


def test_restart_keeps_definitions_and_autostart(daemons):
    d = daemons.new()
    c = libvirt.open(d.uri)
    names = [f'keep{i:02d}' for i in range(60)]
    before = {}
    for i, n in enumerate(names):
        dom = c.defineXML(domain_xml(n, new_uuid(), title=f'title {i}',
                                     memory_kib=131072 + 4096 * i))
        if i % 3 == 0:
            dom.setAutostart(1)
    c.lookupByName('keep59').undefine()
    names.remove('keep59')
    for n in names:
        dom = c.lookupByName(n)
        before[n] = (dom.UUIDString(), dom.XMLDesc(0), dom.autostart())
    c.close()
    d.stop()

    d.start()
    c = libvirt.open(d.uri)
    try:
        got = sorted(x.name() for x in c.listAllDomains(0))
        assert got == sorted(names)
        for n in names:
            dom = c.lookupByName(n)
            assert (dom.UUIDString(), dom.XMLDesc(0), dom.autostart()) == before[n], n
            assert dom.isPersistent() == 1 and dom.isActive() == 0
        auto = sorted(x.name() for x in c.listAllDomains(L.VIR_CONNECT_LIST_DOMAINS_AUTOSTART))
        assert auto == sorted(n for n in names if before[n][2])
        expect_error(L.VIR_ERR_NO_DOMAIN, c.lookupByName, 'keep59')
    finally:
        c.close()
    # twice: reloading must not rewrite anything into a different form
    snap = {f: open(os.path.join(d.confdir, f), 'rb').read()
            for f in os.listdir(d.confdir) if f.endswith('.xml')}
    d.stop()
    d.start()
    c = libvirt.open(d.uri)
    assert c.numOfDefinedDomains() == len(names)
    c.close()
    snap2 = {f: open(os.path.join(d.confdir, f), 'rb').read()
             for f in os.listdir(d.confdir) if f.endswith('.xml')}
    assert snap == snap2


def test_corrupt_config_skipped_and_kept(daemons):
    d = daemons.new()
    c = libvirt.open(d.uri)
    c.defineXML(domain_xml('good1', new_uuid()))
    c.defineXML(domain_xml('good2', new_uuid())).setAutostart(1)
    c.close()
    d.stop()

    bad = {
        'broken.xml': b"<domain type='kvm'><name>broken</name><memory>1</memo",
        'empty.xml': b'',
        'garbage.xml': bytes(range(256)) * 4,
        'graphics.xml': domain_xml('graphics', new_uuid(),
                                   extra_devices="    <graphics type='vnc'/>\n").encode(),
    }
    for f, data in bad.items():
        with open(os.path.join(d.confdir, f), 'wb') as fh:
            fh.write(data)
    old = time.time() - 3600
    for f in bad:
        os.utime(os.path.join(d.confdir, f), (old, old))
    stat_before = {f: os.stat(os.path.join(d.confdir, f)) for f in bad}

    d.start()
    c = libvirt.open(d.uri)
    try:
        names = sorted(x.name() for x in c.listAllDomains(0))
        assert names == ['good1', 'good2'], names
        assert c.lookupByName('good2').autostart() == 1
    finally:
        c.close()
    for f, data in bad.items():
        p = os.path.join(d.confdir, f)
        assert os.path.exists(p), f'{f} was deleted'
        assert open(p, 'rb').read() == data, f'{f} was modified'
        assert os.stat(p).st_mtime == stat_before[f].st_mtime, f'{f} was rewritten'
    time.sleep(0.2)
    log = d.log()
    logdir = d.logdir
    if os.path.isdir(logdir):
        for f in os.listdir(logdir):
            try:
                log += open(os.path.join(logdir, f), errors='replace').read()
            except OSError:
                pass
    for f in ('broken.xml', 'garbage.xml'):
        assert f in log, f'no log line names {f}; daemon log:\n{d.log_tail()}'
    # the daemon did not leave stray files beside them either
    left = sorted(x for x in os.listdir(d.confdir) if x not in ('autostart', 'networks', 'storage'))
    assert left == sorted(['good1.xml', 'good2.xml'] + list(bad)), left


def test_autostarted_pools_active_for_first_call(daemons, tmp_path):
    """A client's first call after the socket appears finds the autostarted
    pools active (libvirt's daemons serve nobody before their drivers are
    up): the daemon holds connections until pools and networks are started.
    Many pools full of volumes make the autostart long enough to lose the
    race without the hold."""
    d = daemons.new()
    c = libvirt.open(d.uri)
    names = [f'early{i:02d}' for i in range(60)]
    for n in names:
        path = tmp_path / n
        path.mkdir()
        for k in range(60):
            (path / f'v{k}.img').write_bytes(b'')
        pool = c.storagePoolDefineXML(f"<pool type='dir'><name>{n}</name><target>"
                                      f"<path>{path}</path></target></pool>", 0)
        pool.setAutostart(1)
    c.close()
    for attempt in range(3):
        d.stop()
        d.start()
        c = libvirt.open(d.uri)
        try:
            inactive = [n for n in ['default'] + names
                        if not c.storagePoolLookupByName(n).isActive()]
        finally:
            c.close()
        assert not inactive, (attempt, inactive, d.log_tail())
