"""Raw disks on armz-vmm's virtio-blk: the <driver> modes (cache, io,
discard, detect_zeroes, error_policy, rerror_policy), <shareable/> and
type='block' round trip through define and dumpxml; the buses armz has no
controller for are refused with the way out; the block APIs of running
domains (domblkstat, blockresize, domblkerror) refuse an inactive one, and
domstats --block reports its disks (the running cases are in tier 45)."""
import libvirt

import armzd
from armzd import expect_error

L = libvirt

DISKS = """
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none' error_policy='stop' rerror_policy='report' io='threads' discard='unmap' detect_zeroes='unmap'/>
      <source file='/var/lib/libvirt/images/fast.img'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw' cache='directsync' error_policy='enospace' io='native'/>
      <source dev='/dev/vg0/shared'/>
      <target dev='vdc' bus='virtio'/>
      <shareable/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='unsafe' io='io_uring' detect_zeroes='on'/>
      <source file='/var/lib/libvirt/images/scratch.img'/>
      <target dev='vdd' bus='virtio'/>
    </disk>
"""


def test_driver_modes_round_trip(conn, daemon):
    dom = conn.defineXML(armzd.domain_xml('modes', extra_devices=DISKS))
    xml = dom.XMLDesc(0)
    # libvirt's attribute order
    assert ("<driver name='qemu' type='raw' cache='none' error_policy='stop' "
            "rerror_policy='report' io='threads' discard='unmap' detect_zeroes='unmap'/>") in xml, xml
    assert ("<driver name='qemu' type='raw' cache='directsync' error_policy='enospace' "
            "io='native'/>") in xml, xml
    assert "<source dev='/dev/vg0/shared'/>" in xml and '<shareable/>' in xml
    assert "cache='unsafe' io='io_uring' detect_zeroes='on'" in xml, xml
    # the daemon keeps it across a restart of its reading (define again)
    conn.defineXML(xml)
    assert conn.lookupByName('modes').XMLDesc(0) == xml
    for mode in ('writethrough', 'writeback', 'default'):
        x = armzd.domain_xml('m-' + mode, extra_devices=DISKS.replace("'unsafe'", f"'{mode}'"))
        conn.defineXML(x).undefine()


def bad_disk(conn, name, driver='', target="<target dev='vdb' bus='virtio'/>"):
    d = (f"<disk type='file' device='disk'><driver name='qemu' type='raw' {driver}/>"
         f"<source file='/var/lib/libvirt/images/x.img'/>{target}</disk>")
    return armzd.domain_xml(name, extra_devices=d)


def test_refusals(conn, daemon):
    # virt-install and virt-manager pick sd for connections they do not know
    for bus in ('sd', 'usb', 'sata', 'ide'):
        e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, conn.defineXML,
                         bad_disk(conn, 'b-' + bus, target=f"<target dev='sdb' bus='{bus}'/>"))
        msg = e.get_error_message()
        assert f"bus='{bus}'" in msg and "bus='virtio'" in msg and "bus='scsi'" in msg, msg
    # io='native' is Linux AIO on an O_DIRECT fd: QEMU's rule and message
    for cache in ('', "cache='writeback'", "cache='writethrough'", "cache='unsafe'"):
        e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, conn.defineXML,
                         bad_disk(conn, 'io-native', f"{cache} io='native'"))
        msg = e.get_error_message()
        assert "io='native' needs cache='none' or cache='directsync'" in msg, msg
    # the SCSI target has no other io mode than threads
    e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, conn.defineXML,
                     bad_disk(conn, 'io-scsi', "cache='none' io='native'",
                              "<target dev='sdb' bus='scsi'/>"))
    assert "bus='scsi'" in e.get_error_message(), e.get_error_message()
    # values libvirt does not know are XML errors
    for attr in ("rerror_policy='enospace'", "error_policy='pause'", "detect_zeroes='yes'",
                 "cache='fast'", "discard='on'"):
        expect_error(L.VIR_ERR_XML_ERROR, conn.defineXML, bad_disk(conn, 'x', attr))
    # other formats than raw stay refused on this path
    e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, conn.defineXML,
                     bad_disk(conn, 'fmt', '').replace("type='raw'", "type='vmdk'"))
    assert 'vmdk' in e.get_error_message()


def test_block_apis_need_a_running_domain(conn, daemon):
    dom = conn.defineXML(armzd.domain_xml('idle', extra_devices=DISKS))
    for call in (lambda: dom.blockStats('vda'), lambda: dom.blockStatsFlags('vda', 0),
                 lambda: dom.blockResize('vda', 1 << 20, L.VIR_DOMAIN_BLOCK_RESIZE_BYTES),
                 lambda: dom.diskErrors(0)):
        e = expect_error(L.VIR_ERR_OPERATION_INVALID, call)
        assert 'domain is not running' in e.get_error_message()
    # flags first, then the domain (libvirt's order; python's diskErrors
    # asks for the count without its flags)
    for call in (lambda: dom.blockStatsFlags('vda', 1 << 5),
                 lambda: dom.blockResize('vda', 1, 1 << 5)):
        e = expect_error(L.VIR_ERR_INVALID_ARG, call)
        assert 'unsupported flags' in e.get_error_message()
    # CAPACITY takes no size
    expect_error(L.VIR_ERR_INVALID_ARG, dom.blockResize, 'vda', 4096, 2)
    for args in (('domblkstat', 'idle', 'vda'), ('blockresize', 'idle', 'vda', '8M'),
                 ('domblkerror', 'idle')):
        r = daemon.virsh(*args, check=False)
        assert r.rc != 0 and 'domain is not running' in r.err, r


def test_domstats_block_of_an_inactive_domain(conn, daemon, tmp_path):
    img = tmp_path / 'a.img'
    with open(img, 'wb') as f:
        f.truncate(32 << 20)
        f.write(b'\x01' * 4096)
    d = (f"<disk type='file' device='disk'><driver name='qemu' type='raw' cache='none'/>"
         f"<source file='{img}'/><target dev='vdb' bus='virtio'/></disk>")
    conn.defineXML(armzd.domain_xml('stats', extra_devices=d))
    out = daemon.virsh('domstats', '--block', 'stats').out
    st = {}
    for line in out.splitlines():
        if '=' in line:
            k, v = line.strip().split('=', 1)
            st[k] = v
    assert st['block.count'] == '2', st
    assert st['block.0.name'] == 'vda' and st['block.1.name'] == 'vdb', st
    assert st['block.1.path'] == str(img), st
    assert st['block.1.capacity'] == str(32 << 20) and st['block.1.physical'] == str(32 << 20)
    # no counters without a running guest
    assert 'block.1.rd.reqs' not in st, st
