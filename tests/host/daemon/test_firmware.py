"""UEFI firmware guests through virtarmzd in the emulated arm64 host:
<os firmware='efi'> resolved from the descriptor serve.sh installs (Debian's
AAVMF), the guest's variable store kept across a shutdown and a start, the
undefine rule for it, SMBIOS from <sysinfo>, ACPI with the power button,
and PCIe hotplug under the firmware (a disk attached and detached live on
the ACPI guest's free root port). Firmware under nested TCG is slow: few
boots, generous timeouts.
Skipped when run-host found no AAVMF on the build machine."""
import base64
import time

import libvirt
import pytest

from hostlib import GUEST, ROOT, domain_xml, host_sh, serial_log, virsh, wait_for, \
    wait_guest_marker, wait_state

E = libvirt
FW_TIMEOUT = 1500       # AAVMF to the guest's /init, nVHE, nested under TCG
STORE = ROOT + '/var/lib/libvirt/armz/nvram/{}_VARS.fd'
UUID = '3cc3d9a1-7a3e-4b2c-9a3e-61726d7a7465'

# the guest side (armz.mode=run): what it sees of SMBIOS, ACPI and its
# UEFI variables; then it waits for the power button
GUEST_SCRIPT = r'''#!/bin/sh
echo "ARMZ-FW product=$(cat /sys/class/dmi/id/product_name 2>/dev/null)"
[ -e /sys/firmware/acpi/tables/DSDT ] && echo "ARMZ-FW acpi=yes" || echo "ARMZ-FW acpi=no"
insmod /data/efivarfs.ko 2>/dev/null
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo "ARMZ-FW efivarfs=unavailable"
v=/sys/firmware/efi/efivars/ArmzTest-3cc3d9a1-0000-4b2c-9a3e-61726d7a7465
if [ -e "$v" ]; then echo "ARMZ-FW efivar=present"
elif printf '\007\000\000\000armz' > "$v"; then echo "ARMZ-FW efivar=written"
else echo "ARMZ-FW efivar=failed"; fi
sync
echo "ARMZ-FW waiting"
# the disk attached live (its vda: it has none at boot) gets a stamp at
# its start (O_DIRECT), read back; then its removal is reported
n=1200; while [ ! -b /dev/vda ] && [ $n -gt 0 ]; do usleep 500000; n=$((n - 1)); done
if [ -b /dev/vda ]; then
  printf ARMZ-FW-HOTDISK | dd of=/dev/vda bs=512 conv=sync oflag=direct 2>/dev/null
  echo "ARMZ-FW hotdisk vda $(dd if=/dev/vda bs=15 count=1 2>/dev/null)"
  while [ -b /dev/vda ]; do usleep 500000; done
  echo "ARMZ-FW hotdisk-gone vda"
fi
sleep 600
'''


@pytest.fixture(scope='module')
def firmware():
    # the s390 run's daemon has ARMZ_KVM_PROFILE=s390+readonly-mem (serve.sh):
    # IBM Z's kvm-arm64 lacks read-only memory slots, which the flash needs
    rc, _ = host_sh('test -f /firmware/AAVMF_CODE.fd && test -f /firmware/esp.img')
    if rc != 0:
        pytest.skip('no /firmware in the test host (qemu-efi-aarch64 not on the build machine)')


@pytest.fixture
def conn(firmware):
    c = libvirt.open(__import__('hostlib').URI)
    yield c
    c.close()


def fw_xml(name, os_body, extra_top='', features='', devices=''):
    xml = domain_xml(name, extra=devices, memory_mib=512)
    xml = xml.replace("<os>", "<os firmware='efi'>", 1)
    head, rest = xml.split('<os', 1)
    os_part, tail = rest.split('</os>', 1)
    # our <os>: type only (no <kernel> unless given), then OS_BODY
    os_part = os_part.split('<kernel>')[0].rstrip() + '\n' + os_body + '  '
    return head + extra_top + '<os' + os_part + '</os>' + features + tail


def gone(name):
    try:
        d = libvirt.open(__import__('hostlib').URI).lookupByName(name)
    except libvirt.libvirtError:
        return
    if d.isActive():
        d.destroy()
    d.undefineFlags(E.VIR_DOMAIN_UNDEFINE_NVRAM)


def test_efi_boots_the_esp_disk(conn):
    """<os firmware='efi'> alone: AAVMF boots the disk `armz image build
    --format efi` made (tests/cli/host-extra): the unified kernel image of its
    EFI system partition (removable-media path), whose initramfs continues
    on the disk's root partition to the image's "ARMZ-IMAGE READY"; virsh
    shutdown (the power key) powers it off."""
    name = 'fwesp'
    rc, out = host_sh('ls /extra/image/')
    if 'armz-guest-efi.img' not in out:
        pytest.fail('no /extra/image/armz-guest-efi.img in the test host (see '
                    'tests/host/out/cli-extra.log)', pytrace=False)
    host_sh(f'rm -f {ROOT}/{name}-serial.log; cp /extra/image/armz-guest-efi.img '
            f'{GUEST}/{name}-esp.img')
    disk = f'''<disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{GUEST}/{name}-esp.img'/>
      <target dev='vda' bus='virtio'/>
    </disk>'''
    try:
        dom = conn.defineXML(fw_xml(name, "    <boot dev='hd'/>\n", devices=disk))
        xml = dom.XMLDesc(0)
        assert "<loader readonly='yes' type='pflash'>/firmware/AAVMF_CODE.fd</loader>" in xml
        assert f"<nvram template='/firmware/AAVMF_VARS.fd'>{STORE.format(name)}</nvram>" in xml
        dom.create()
        wait_guest_marker(name, marker='ARMZ-IMAGE READY', timeout=FW_TIMEOUT)
        assert 'cannot boot from' not in serial_log(name), serial_log(name)
        # the init's power key watcher starts after READY; a press before is lost
        shut_down(dom, 240)
        rc, _ = host_sh(f'test -s {STORE.format(name)}')
        assert rc == 0, 'no variable store after the first start'
    finally:
        gone(name)
        # 64 MiB in the test host's RAM, and in the way of later greps of ROOT
        host_sh(f'rm -f {GUEST}/{name}-esp.img')
    rc, _ = host_sh(f'test -e {STORE.format(name)}')
    assert rc != 0, 'undefine --nvram left the store'


def test_scsi_disk_first_in_boot_order(conn):
    """<boot order> through the daemon (virt-install's and Nova's install
    ISO on a SCSI CD-ROM first): the same EFI system partition as a
    virtio disk on the first root port (order 2) and as a SCSI disk on the
    controller below the second (order 1). AAVMF would try the virtio disk
    first by its position; the first disk it starts (its "BdsDxe: starting"
    line on the serial console) must be the SCSI one, and the guest boots."""
    name = 'fwscsi'
    esp = '/firmware/esp.img'
    devices = f"""<controller type='pci' index='0' model='pcie-root'/>
    <controller type='pci' index='1' model='pcie-root-port'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'
               multifunction='on'/>
    </controller>
    <controller type='pci' index='2' model='pcie-root-port'>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x1'/>
    </controller>
    <controller type='scsi' index='0' model='virtio-scsi'>
      <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>
    </controller>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{esp}'/>
      <target dev='vda' bus='virtio'/>
      <readonly/>
      <boot order='2'/>
      <address type='pci' domain='0x0000' bus='0x01' slot='0x00' function='0x0'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{esp}'/>
      <target dev='sda' bus='scsi'/>
      <readonly/>
      <boot order='1'/>
      <address type='drive' controller='0' bus='0' target='0' unit='0'/>
    </disk>"""
    want = ' from PciRoot(0x0)/Pci(0x1,0x1)/Pci(0x0,0x0)/Scsi(0x0,0x0)'
    host_sh(f'rm -f {ROOT}/{name}-serial.log')
    try:
        dom = conn.defineXML(fw_xml(name, '', devices=devices))
        dom.create()
        wait_guest_marker(name, timeout=FW_TIMEOUT)
        log = serial_log(name).replace('\r', '')
        starts = [ln for ln in log.splitlines() if 'BdsDxe: starting' in ln]
        assert starts and starts[0].endswith(want), \
            f'boot order not followed: {starts[:1]}, expected one{want}'
        dom.destroy()
    finally:
        gone(name)


def shut_down(dom, timeout):
    """virsh shutdown until the guest is off (a press before its power key
    watcher runs is lost)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            dom.shutdown()
        except libvirt.libvirtError:
            pass            # it went off meanwhile
        if wait_for_off(dom, 20):
            return
    raise AssertionError(f'{dom.name()} did not power off on virsh shutdown in {timeout}s')


def wait_for_off(dom, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not dom.isActive():
            return True
        time.sleep(0.5)
    return not dom.isActive()


def test_nvram_smbios_acpi_and_shutdown(conn):
    """A kernel handed to the firmware (fw_cfg) with Nova's SMBIOS and
    <acpi/>: the guest sees the product and ACPI tables, writes a UEFI
    variable that is still there after virsh shutdown and a new start; the
    store makes a plain undefine fail. The guest is PCIe with a free root
    port: virsh attach-disk --live gives it a disk it writes to (AAVMF
    reserved the empty port's bus and window; _OSC gave Linux native
    hotplug), detach-disk --live takes it away with DEVICE_REMOVED."""
    name = 'fwnova'
    b64 = base64.b64encode(GUEST_SCRIPT.encode()).decode()
    rc, out = host_sh(
        f'rm -rf /tmp/fwov {ROOT}/{name}-serial.log && mkdir -p /tmp/fwov/data && cd /tmp/fwov'
        f' && cp /firmware/efivarfs.ko data/ 2>/dev/null; cd /tmp/fwov'
        f' && echo {b64} | base64 -d > armz-run.sh && chmod 755 armz-run.sh'
        f' && find armz-run.sh data | cpio -o -H newc > ../fwov.cpio 2>/dev/null'
        f' && cat {GUEST}/initrd ../fwov.cpio > {GUEST}/fw-initrd')
    assert rc == 0, out
    os_body = (f"    <kernel>{GUEST}/Image</kernel>\n"
               f"    <initrd>{GUEST}/fw-initrd</initrd>\n"
               "    <cmdline>console=ttyAMA0 quiet panic=-1 armz.mode=run</cmdline>\n"
               "    <smbios mode='sysinfo'/>\n")
    sysinfo = f'''  <uuid>{UUID}</uuid>
  <sysinfo type='smbios'>
    <system>
      <entry name='manufacturer'>OpenStack Foundation</entry>
      <entry name='product'>OpenStack Nova</entry>
      <entry name='uuid'>{UUID}</entry>
      <entry name='family'>Virtual Machine</entry>
    </system>
  </sysinfo>
  '''
    features = "\n  <features>\n    <acpi/>\n    <apic/>\n  </features>"
    ports = ("<controller type='pci' index='0' model='pcie-root'/>\n"
             "    <controller type='pci' model='pcie-root-port'/>")
    img = f'{ROOT}/{name}-hot.img'
    rc, out = host_sh(f'dd if=/dev/zero of={img} bs=1M count=1 2>/dev/null && chmod 666 {img}')
    assert rc == 0, out
    try:
        dom = conn.defineXML(fw_xml(name, os_body, extra_top=sysinfo, features=features,
                                    devices=ports))
        dom.create()
        wait_guest_marker(name, 'ARMZ-FW waiting', timeout=FW_TIMEOUT)
        log = serial_log(name)
        assert 'ARMZ-FW product=OpenStack Nova' in log, log[-2000:]
        assert 'ARMZ-FW acpi=yes' in log, log[-2000:]
        assert 'ARMZ-FW efivar=written' in log, log[-2000:]
        hotplug_disk(conn, name, img)
        # ACPI power button: the guest powers off
        wait_guest_marker(name, 'ARMZ-GUEST POWERKEY-READY')
        dom.shutdown()
        wait_state(dom, E.VIR_DOMAIN_SHUTOFF, timeout=300)

        r = virsh('undefine', name, check=False)
        assert r.returncode != 0 and 'cannot undefine domain with nvram' in r.stderr, r

        dom.create()
        wait_guest_marker(name, 'ARMZ-FW waiting', count=2, timeout=FW_TIMEOUT)
        assert 'ARMZ-FW efivar=present' in serial_log(name).split('ARMZ-FW acpi=')[-1]
        dom.destroy()
    finally:
        gone(name)
        host_sh(f'rm -f {img}')


def hotplug_disk(conn, name, img):
    """attach-disk --live: the guest writes its stamp onto the new disk (the
    host reads it in the image); detach-disk --live: DEVICE_REMOVED and the
    guest lost it."""
    from test_hotplug import VirshEvents
    events = VirshEvents(conn)
    try:
        virsh('attach-disk', name, img, 'vdb', '--live', '--targetbus', 'virtio')
        events.wait(rf"event 'device-added' for domain '{name}': virtio-disk1", 120)
        wait_guest_marker(name, 'ARMZ-FW hotdisk vda', timeout=300)
        line = [x for x in serial_log(name).splitlines() if 'ARMZ-FW hotdisk vda' in x][-1]
        assert line.split()[-1] == 'ARMZ-FW-HOTDISK', line
        rc, out = host_sh(f'dd if={img} bs=15 count=1 2>/dev/null')
        assert rc == 0 and out.startswith('ARMZ-FW-HOTDISK'), out
        virsh('detach-disk', name, 'vdb', '--live')
        events.wait(rf"event 'device-removed' for domain '{name}': virtio-disk1", 300)
        wait_guest_marker(name, 'ARMZ-FW hotdisk-gone vda', timeout=120)
        assert 'vdb' not in conn.lookupByName(name).XMLDesc(0)
    finally:
        events.close()
