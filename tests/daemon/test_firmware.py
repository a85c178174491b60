"""UEFI firmware through real virsh and libvirt-python: <os firmware='efi'>
resolved from firmware descriptors at define and shown in the XML, the
per-domain variable store's life (created at the first start, kept, reset,
undefine's rule), and the domain capabilities a client such as Nova or
virt-install reads. No guest boots here (the VMM fails at once on a fake KVM
device; that is after the store is prepared, as with libvirt); booting is
tests/host/daemon's."""
import json
import os
import xml.etree.ElementTree as ET

import libvirt
import pytest

import armzd
from armzd import expect_error

L = libvirt
TEMPLATE = b'armz-test-vars-template\n' * 64


def firmware_xml(name, os_extra='', os_attrs=" firmware='efi'"):
    return f"""<domain type='kvm'>
  <name>{name}</name>
  <memory unit='MiB'>256</memory>
  <os{os_attrs}>
    <type arch='aarch64' machine='virt'>hvm</type>
{os_extra}  </os>
</domain>
"""


@pytest.fixture
def fw(tmp_path):
    """A descriptor directory with one descriptor for small test files."""
    d = tmp_path / 'descriptors'
    d.mkdir()
    code, tmpl = tmp_path / 'CODE.fd', tmp_path / 'VARS.fd'
    code.write_bytes(b'\0' * 4096)
    tmpl.write_bytes(TEMPLATE)
    desc = {
        'interface-types': ['uefi'],
        'mapping': {'device': 'flash',
                    'executable': {'filename': str(code), 'format': 'raw'},
                    'nvram-template': {'filename': str(tmpl), 'format': 'raw'}},
        'targets': [{'architecture': 'aarch64', 'machines': ['virt-*']}],
        'features': [],
    }
    (d / '60-test.json').write_text(json.dumps(desc))
    # a secure-boot one sorts first and is never chosen nor listed
    secure = dict(desc, features=['secure-boot', 'enrolled-keys'])
    secure['mapping'] = dict(desc['mapping'], executable={'filename': str(tmp_path / 'S.fd')})
    (d / '40-secure.json').write_text(json.dumps(secure))
    return {'dir': str(d), 'code': str(code), 'template': str(tmpl)}


@pytest.fixture
def fwd(daemons, fw):
    env = dict(os.environ, ARMZ_FIRMWARE_DIRS=fw['dir'], ARMZ_KVM_DEVICE='/dev/null')
    return daemons.new(env=env)


def store_path(d, name):
    return os.path.join(d.root, 'var', 'lib', 'libvirt', 'armz', 'nvram', name + '_VARS.fd')


def try_start(dom, flags=0):
    # armz-vmm starts and fails on the fake KVM device
    expect_error((L.VIR_ERR_INTERNAL_ERROR, L.VIR_ERR_CONFIG_UNSUPPORTED,
                  L.VIR_ERR_SYSTEM_ERROR), dom.createWithFlags, flags)


def test_efi_resolved_at_define_and_shown(fwd, fw):
    c = libvirt.open(fwd.uri)
    try:
        dom = c.defineXML(firmware_xml('fw1'))
        for flags in (0, L.VIR_DOMAIN_XML_INACTIVE):
            os_el = ET.fromstring(dom.XMLDesc(flags)).find('os')
            assert os_el.get('firmware') == 'efi'
            loader = os_el.find('loader')
            assert loader.text == fw['code']
            assert (loader.get('readonly'), loader.get('type')) == ('yes', 'pflash')
            nvram = os_el.find('nvram')
            assert nvram.get('template') == fw['template']
            assert nvram.text == store_path(fwd, 'fw1')
        # what was read back defines the same guest again (Nova's hard reboot)
        again = c.defineXML(dom.XMLDesc(L.VIR_DOMAIN_XML_INACTIVE))
        assert again.XMLDesc(0) == dom.XMLDesc(0)
    finally:
        c.close()


def test_secure_boot_refused_clearly(fwd):
    c = libvirt.open(fwd.uri)
    try:
        xml = firmware_xml('sb', "    <firmware>\n      <feature enabled='yes' "
                                 "name='secure-boot'/>\n    </firmware>\n")
        e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, c.defineXML, xml)
        assert 'Secure Boot is not supported' in e.get_error_message()
        assert c.listAllDomains() == []
    finally:
        c.close()


def test_no_descriptor_refused(daemons, tmp_path):
    empty = tmp_path / 'none'
    empty.mkdir()
    d = daemons.new(env=dict(os.environ, ARMZ_FIRMWARE_DIRS=str(empty)))
    c = libvirt.open(d.uri)
    try:
        e = expect_error(L.VIR_ERR_OPERATION_FAILED, c.defineXML, firmware_xml('nofw'))
        assert "Unable to find any firmware to satisfy 'efi'" in e.get_error_message()
        caps = ET.fromstring(c.getDomainCapabilities(None, 'aarch64', 'virt', 'kvm'))
        assert caps.find("os/enum[@name='firmware']").findall('value') == []
    finally:
        c.close()


def test_nvram_lifecycle(fwd, fw):
    c = libvirt.open(fwd.uri)
    store = store_path(fwd, 'fw2')
    try:
        dom = c.defineXML(firmware_xml('fw2'))
        assert not os.path.exists(store)
        # plain undefine works while there is no store
        dom.undefine()
        dom = c.defineXML(firmware_xml('fw2'))
        try_start(dom)
        with open(store, 'rb') as f:
            assert f.read() == TEMPLATE, 'store not created from the template'
        # the guest's writes are kept across starts
        with open(store, 'wb') as f:
            f.write(b'guest wrote this')
        try_start(dom)
        with open(store, 'rb') as f:
            assert f.read() == b'guest wrote this'
        # start --reset-nvram recreates it
        try_start(dom, L.VIR_DOMAIN_START_RESET_NVRAM)
        with open(store, 'rb') as f:
            assert f.read() == TEMPLATE
    finally:
        c.close()

    r = fwd.virsh('undefine', 'fw2', check=False)
    assert r.rc != 0 and 'cannot undefine domain with nvram' in r.err, r
    # (virsh refuses --nvram with --keep-nvram itself; the API says why)
    c = libvirt.open(fwd.uri)
    try:
        e = expect_error(L.VIR_ERR_OPERATION_INVALID, c.lookupByName('fw2').undefineFlags,
                         L.VIR_DOMAIN_UNDEFINE_NVRAM | L.VIR_DOMAIN_UNDEFINE_KEEP_NVRAM)
        assert 'cannot both keep and delete nvram' in e.get_error_message()
    finally:
        c.close()
    fwd.virsh('undefine', 'fw2', '--keep-nvram')
    assert os.path.exists(store)
    # defined again, it finds its store; undefine --nvram removes it
    c = libvirt.open(fwd.uri)
    try:
        c.defineXML(firmware_xml('fw2'))
    finally:
        c.close()
    fwd.virsh('start', 'fw2', check=False)
    with open(store, 'rb') as f:
        assert f.read() == TEMPLATE
    fwd.virsh('undefine', 'fw2', '--nvram')
    assert not os.path.exists(store)
    assert fwd.virsh('list', '--all', '--name').out.strip() == ''


def test_virsh_start_reset_nvram(fwd):
    store = store_path(fwd, 'fw3')
    c = libvirt.open(fwd.uri)
    try:
        try_start(c.defineXML(firmware_xml('fw3')))
    finally:
        c.close()
    with open(store, 'wb') as f:
        f.write(b'x')
    fwd.virsh('start', 'fw3', '--reset-nvram', check=False)
    with open(store, 'rb') as f:
        assert f.read() == TEMPLATE


def test_domcapabilities_list_what_define_accepts(fwd, fw):
    out = fwd.virsh('domcapabilities', '--arch', 'aarch64', '--machine', 'virt').out
    caps = ET.fromstring(out)
    os_el = caps.find('os')
    assert os_el.get('supported') == 'yes'
    assert [v.text for v in os_el.findall("enum[@name='firmware']/value")] == ['efi']
    loader = os_el.find('loader')
    assert loader.get('supported') == 'yes'
    assert [v.text for v in loader.findall('value')] == [fw['code']]
    assert [v.text for v in loader.findall("enum[@name='type']/value")] == ['pflash']
    assert [v.text for v in loader.findall("enum[@name='secure']/value")] == ['no']
    ro = [v.text for v in loader.findall("enum[@name='readonly']/value")]
    c = libvirt.open(fwd.uri)
    try:
        # every listed loader, type and readonly value is accepted
        for i, value in enumerate(ro):
            xml = firmware_xml(f'cap{i}', f"    <loader readonly='{value}' type='pflash'>"
                                          f"{fw['code']}</loader>\n", os_attrs='')
            c.defineXML(xml).undefine()
        # and what is not listed is refused
        for attrs in ("readonly='no' type='pflash'", "type='rom'",
                      "readonly='yes' type='pflash' secure='yes'"):
            xml = firmware_xml('capx', f"    <loader {attrs}>{fw['code']}</loader>\n",
                               os_attrs='')
            expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, c.defineXML, xml)
    finally:
        c.close()


def test_nova_uefi_check(fwd):
    """What Nova's libvirt driver checks before it writes a UEFI guest
    (nova.virt.libvirt.host: a loader with 'pflash' among its types and
    'efi' in the firmware enum), by its own code where python3-nova is
    installed."""
    c = libvirt.open(fwd.uri)
    try:
        xml = c.getDomainCapabilities(None, 'aarch64', 'virt', 'kvm')
    finally:
        c.close()
    caps = ET.fromstring(xml)
    loader = caps.find('os/loader')
    assert loader.get('supported') == 'yes'
    assert 'pflash' in [v.text for v in loader.findall("enum[@name='type']/value")]
    assert 'efi' in [v.text for v in caps.findall("os/enum[@name='firmware']/value")]
    try:
        from nova.virt.libvirt import config as vconfig
    except ImportError:
        return
    dc = vconfig.LibvirtConfigDomainCaps()
    dc.parse_str(xml)
    # Host.supports_uefi() asks for exactly this; secure boot is not offered
    assert dc.os.uefi_supported
    assert dc.os.uefi_autoconfig_supported
    assert not dc.os.secure_boot_supported


def test_no_firmware_where_kvm_has_no_read_only_slots(daemons, fw):
    """IBM Z's kvm-arm64 (the s390 KVM profile) has no read-only memory
    slots, which the firmware's flash needs: the domain capabilities offer
    no loader and no 'efi', so Nova and virt-install see that before they
    write a guest, and define refuses a firmware guest naming why. A kernel
    booted directly still defines."""
    env = dict(os.environ, ARMZ_FIRMWARE_DIRS=fw['dir'], ARMZ_KVM_DEVICE='/dev/null',
               ARMZ_KVM_PROFILE='s390')
    d = daemons.new(env=env)
    c = libvirt.open(d.uri)
    try:
        xml = c.getDomainCapabilities(None, 'aarch64', 'virt', 'kvm')
        caps = ET.fromstring(xml)
        assert caps.find('os/loader').get('supported') == 'no', xml
        assert caps.findall("os/enum[@name='firmware']/value") == [], xml
        for os_part in (firmware_xml('z1'),
                        firmware_xml('z2', f"    <loader readonly='yes' type='pflash'>"
                                           f"{fw['code']}</loader>\n", os_attrs='')):
            e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, c.defineXML, os_part)
            msg = e.get_error_message()
            assert 'KVM_CAP_READONLY_MEM' in msg and "'s390'" in msg, msg
        assert c.listAllDomains() == []
        kernel = firmware_xml('z3', "    <kernel>/boot/vmlinuz</kernel>\n", os_attrs='')
        c.defineXML(kernel).undefine()
        try:
            from nova.virt.libvirt import config as vconfig
        except ImportError:
            return
        dc = vconfig.LibvirtConfigDomainCaps()
        dc.parse_str(xml)
        # what Host.supports_uefi asks: Nova refuses a UEFI instance here
        assert not dc.os.uefi_supported
    finally:
        c.close()


@pytest.mark.skipif(not os.path.exists('/usr/bin/virt-install'),
                    reason='virt-install (Debian package virtinst) is not installed')
def test_virt_install_uefi_xml_is_accepted(fwd, fw, tmp_path):
    """virt-install asks the domain capabilities for a firmware and writes
    <os firmware='efi'>; define resolves it to the descriptor's loader."""
    import subprocess
    disk = tmp_path / 'disk.img'
    disk.write_bytes(b'\0' * 65536)
    r = subprocess.run(['virt-install', '--connect', fwd.uri, '--import', '--name', 'vi1',
                        '--arch', 'aarch64', '--memory', '512', '--vcpus', '2',
                        '--disk', f'{disk},bus=virtio', '--boot', 'uefi',
                        '--network', 'none', '--graphics', 'none',
                        '--osinfo', 'detect=on,require=off', '--print-xml'],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, HOME=str(tmp_path)))
    assert r.returncode == 0, r.stderr
    assert "firmware=\"efi\"" in r.stdout or "firmware='efi'" in r.stdout, r.stdout
    # defined as virt-install wrote it: its bare pcie-root-port controllers
    # get indexes and root-bus addresses as libvirt gives them
    c = libvirt.open(fwd.uri)
    try:
        dom = c.defineXML(r.stdout)
        saved = ET.fromstring(dom.XMLDesc(L.VIR_DOMAIN_XML_INACTIVE))
        loader = saved.find('os/loader')
        assert loader.text == fw['code']
        ports = saved.findall("devices/controller[@model='pcie-root-port']")
        assert len(ports) == r.stdout.count('model="pcie-root-port"') > 0
        assert sorted(int(p.get('index')) for p in ports) == list(range(1, len(ports) + 1))
        slots = {(p.find('address').get('slot'), p.find('address').get('function'))
                 for p in ports}
        assert len(slots) == len(ports), 'two root ports at one address'
        # the disk went below one of them
        assert saved.find("devices/disk/address").get('type') == 'pci'
        dom.undefine()
    finally:
        c.close()


def test_example_firmware_uefi_is_defined(daemons):
    """examples/firmware-uefi.xml is defined with the test descriptors'
    loader (tests/data/firmware, the shape of Debian's)."""
    d = daemons.new()
    with open(os.path.join(armzd.TOP, 'examples', 'firmware-uefi.xml')) as f:
        xml = f.read()
    c = libvirt.open(d.uri)
    try:
        dom = c.defineXML(xml)
        os_el = ET.fromstring(dom.XMLDesc(0)).find('os')
        assert os_el.find('loader').text == '/usr/share/AAVMF/AAVMF_CODE.fd'
        assert os_el.find('nvram').get('template') == '/usr/share/AAVMF/AAVMF_VARS.fd'
        dom.undefine()
    finally:
        c.close()


def test_nova_get_loader_finds_the_firmware(fwd, fw):
    """Nova writes the loader itself: Host.get_loader() resolves the machine
    'virt' to its canonical name from the capabilities and matches it
    against the descriptors' "virt-*" globs."""
    import fnmatch
    c = libvirt.open(fwd.uri)
    try:
        caps = ET.fromstring(c.getCapabilities())
    finally:
        c.close()
    arch = caps.find("guest/arch[@name='aarch64']")
    machines = {m.text: m.get('canonical') for m in arch.findall('machine')}
    canonical = machines['virt'] or 'virt'
    assert fnmatch.fnmatch(canonical, 'virt-*'), machines
    assert canonical in machines and machines[canonical] is None
    try:
        from nova.virt.libvirt import config as vconfig
    except ImportError:
        return
    nc = vconfig.LibvirtConfigCaps()
    nc.parse_str(ET.tostring(caps, encoding='unicode'))
    guest = [g for g in nc.guests if g.arch == 'aarch64'][0]
    dom = list(guest.domains.values())[0]
    assert 'virt' not in dom.machines
    assert fnmatch.fnmatch(dom.aliases['virt']['canonical'], 'virt-*')
