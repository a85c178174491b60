"""The secret driver: virsh secret-* and libvirt-python's secret API, values
kept like libvirt's (root-only files, base64), private values never readable
over the API, definitions and values surviving a restart."""
import base64
import os
import stat

import libvirt

from armzd import expect_error, new_uuid

L = libvirt


def secret_xml(uuid=None, usage='volume', ident='/var/lib/x.img', private=False,
               ephemeral=False, desc=None):
    elem = {'volume': 'volume', 'ceph': 'name', 'iscsi': 'target', 'tls': 'name'}[usage]
    return (f"<secret ephemeral='{'yes' if ephemeral else 'no'}' "
            f"private='{'yes' if private else 'no'}'>"
            + (f'<uuid>{uuid}</uuid>' if uuid else '')
            + (f'<description>{desc}</description>' if desc else '')
            + f"<usage type='{usage}'><{elem}>{ident}</{elem}></usage></secret>")


def test_define_lookup_value_roundtrip(conn, daemon):
    u = new_uuid()
    s = conn.secretDefineXML(secret_xml(u, 'ceph', 'client.nova secret', desc='a &amp; b'))
    assert s.UUIDString() == u
    assert s.usageType() == L.VIR_SECRET_USAGE_TYPE_CEPH
    assert s.usageID() == 'client.nova secret'
    s.setValue(b'\x00\x01binary\xff')
    assert conn.secretLookupByUUIDString(u).value() == b'\x00\x01binary\xff'
    by_usage = conn.secretLookupByUsage(L.VIR_SECRET_USAGE_TYPE_CEPH, 'client.nova secret')
    assert by_usage.UUIDString() == u
    assert '<description>a &amp; b</description>' in s.XMLDesc(0)
    # stored like libvirt's: root-only XML and base64 value
    d = os.path.join(daemon.confdir, 'secrets')
    for ext in ('xml', 'base64'):
        st = os.stat(os.path.join(d, f'{u}.{ext}'))
        assert stat.S_IMODE(st.st_mode) == 0o600, ext
    with open(os.path.join(d, f'{u}.base64')) as f:
        assert base64.b64decode(f.read()) == b'\x00\x01binary\xff'


def test_private_value_is_never_returned(conn):
    s = conn.secretDefineXML(secret_xml(new_uuid(), 'volume', '/srv/luks.img', private=True))
    s.setValue(b'passphrase')
    e = expect_error(L.VIR_ERR_INVALID_SECRET, s.value)
    assert 'private' in e.get_error_message()
    # and the private flag cannot be dropped to read it
    expect_error(L.VIR_ERR_INTERNAL_ERROR, conn.secretDefineXML,
                 secret_xml(s.UUIDString(), 'volume', '/srv/luks.img', private=False))


def test_errors_name_the_problem(conn):
    u = new_uuid()
    e = expect_error(L.VIR_ERR_NO_SECRET, conn.secretLookupByUUIDString, u)
    assert u in e.get_error_message()
    expect_error(L.VIR_ERR_NO_SECRET, conn.secretLookupByUsage,
                 L.VIR_SECRET_USAGE_TYPE_ISCSI, 'iqn.nothing')
    s = conn.secretDefineXML(secret_xml(u, 'iscsi', 'iqn.2026-12.test:t1'))
    e = expect_error(L.VIR_ERR_NO_SECRET, s.value)
    assert 'does not have a value' in e.get_error_message()
    # one usage, one secret
    e = expect_error(L.VIR_ERR_INTERNAL_ERROR, conn.secretDefineXML,
                     secret_xml(new_uuid(), 'iscsi', 'iqn.2026-12.test:t1'))
    assert u in e.get_error_message()
    expect_error(L.VIR_ERR_XML_ERROR, conn.secretDefineXML, '<secret><usage type="bogus"/>')
    expect_error(L.VIR_ERR_XML_ERROR, conn.secretDefineXML,
                 "<secret><usage type='volume'/></secret>")
    expect_error(L.VIR_ERR_XML_ERROR, conn.secretDefineXML,
                 "<secret><usage type='ceph'><name>a\nb</name></usage></secret>")
    expect_error(L.VIR_ERR_INVALID_ARG, conn.secretDefineXML, secret_xml(new_uuid()), 1 << 20)


def test_list_undefine_and_flags(conn):
    a = conn.secretDefineXML(secret_xml(new_uuid(), 'tls', 'tls-a', private=True))
    b = conn.secretDefineXML(secret_xml(new_uuid(), 'tls', 'tls-b', ephemeral=True))
    all_ = {s.UUIDString() for s in conn.listAllSecrets(0)}
    assert all_ == {a.UUIDString(), b.UUIDString()}
    assert conn.numOfSecrets() == 2
    assert sorted(conn.listSecrets()) == sorted(all_)
    priv = [s.UUIDString() for s in conn.listAllSecrets(L.VIR_CONNECT_LIST_SECRETS_PRIVATE)]
    assert priv == [a.UUIDString()]
    eph = [s.UUIDString() for s in conn.listAllSecrets(L.VIR_CONNECT_LIST_SECRETS_EPHEMERAL)]
    assert eph == [b.UUIDString()]
    a.undefine()
    expect_error(L.VIR_ERR_NO_SECRET, conn.secretLookupByUUIDString, a.UUIDString())
    assert conn.numOfSecrets() == 1


def test_survives_restart_ephemeral_does_not(daemons):
    d = daemons.new()
    c = libvirt.open(d.uri)
    u, e = new_uuid(), new_uuid()
    c.secretDefineXML(secret_xml(u, 'volume', '/srv/a.img')).setValue(b'kept')
    c.secretDefineXML(secret_xml(e, 'volume', '/srv/b.img', ephemeral=True)).setValue(b'gone')
    xml = c.secretLookupByUUIDString(u).XMLDesc(0)
    c.close()
    d.stop()
    assert not os.path.exists(os.path.join(d.confdir, 'secrets', f'{e}.xml'))
    d.start()
    c = libvirt.open(d.uri)
    try:
        s = c.secretLookupByUUIDString(u)
        assert s.value() == b'kept'
        assert s.XMLDesc(0) == xml
        expect_error(L.VIR_ERR_NO_SECRET, c.secretLookupByUUIDString, e)
    finally:
        c.close()


def test_virsh_secret_commands(daemon, tmp_path):
    u = new_uuid()
    f = tmp_path / 's.xml'
    f.write_text(secret_xml(u, 'ceph', 'client.admin'))
    r = daemon.virsh('secret-define', str(f))
    assert u in r.out, r.out
    daemon.virsh('secret-set-value', u, base64.b64encode(b'key').decode())
    r = daemon.virsh('secret-get-value', u)
    assert base64.b64decode(r.out.strip()) == b'key'
    r = daemon.virsh('secret-list')
    assert u in r.out and 'ceph client.admin' in r.out, r.out
    r = daemon.virsh('secret-get-value', u, ro=True, check=False)
    assert r.rc != 0, 'a read-only connection read a secret value'
    daemon.virsh('secret-undefine', u)
    assert u not in daemon.virsh('secret-list').out
