"""The instance OpenStack Nova writes boots through virtarmzd in the
emulated arm64 host (issue 19): Nova's own driver code (Debian's
python3-nova, run from the x86 side by nova-instance) writes the XML with
_get_guest_xml on this daemon (UEFI from AAVMF, a qcow2 root disk over its
image in _base through qemu-storage-daemon, the config drive Nova's
ConfigDriveBuilder made on a SCSI CD-ROM, memballoon with stats, Nova's
pcie-root-ports, the serial log, virtio-net on a Linux bridge: the default
network's). The guest boots through firmware, reads the instance uuid from
the config drive and takes a DHCP lease; then Nova's lifecycle: spawn
(start paused, resume), diagnostics, pause/unpause, soft reboot, hard
reboot (destroy, undefine with nvram, define, create), attach and detach
of a volume (a loop device) and of an interface through Nova's driver
methods, the detach waiting for DEVICE_REMOVED in Nova's event thread, power off
(shutdown polled, then destroy), undefine with nvram. The s390 run boots
the firmware once (no reboots unless ARMZ_NOVA_FULL=1)."""
import os
import shutil
import subprocess
import sys
import tempfile

import libvirt
import pytest

from hostlib import URI, host_sh

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(TOP, 'tests', 'nova'))
import novaroot  # noqa: E402
STEPS = ['init_host', 'instance-written', 'spawn-boots', 'diagnostics', 'pause-unpause',
         'soft-reboot', 'hard-reboot', 'volume-attach-detach', 'interface-attach-detach',
         'power-off', 'undefined']

pytestmark = pytest.mark.skipif(not URI, reason='not driven by tests/host/run-host')


def have_in_host(test):
    return host_sh(test)[0] == 0


@pytest.fixture
def default_net():
    try:
        import nova  # noqa: F401
    except ImportError:
        pytest.skip('no python3-nova on this machine (tests/deps)')
    if not have_in_host('test -f /firmware/esp-nova.img'):
        pytest.skip('no /firmware in the test host (qemu-efi-aarch64 not on the build machine)')
    if not have_in_host('command -v qemu-img && command -v qemu-storage-daemon'):
        pytest.skip('no arm64 qemu-storage-daemon/qemu-img in the test host')
    if not have_in_host('test -x /usr/sbin/dnsmasq'):
        pytest.skip('no arm64 dnsmasq in the test host (tests/deps/network.post.sh)')
    conn = libvirt.open(URI)
    # the daemon defines it, as libvirt does; a test may leave it stopped
    net = conn.networkLookupByName('default')
    started = not net.isActive()
    if started:
        net.create()
    yield net.bridgeName()
    if started:
        net.destroy()
    conn.close()


@pytest.fixture
def instances():
    """Nova's instances path, the same on both sides (Nova's image backend
    writes disk.info on this side, the daemon finds the disks on the
    other): in the test host an ext2 file system on a loop device, which
    has O_DIRECT like a compute node's disk, for the cache='none' Nova's
    probe of its instances path picks here."""
    path = tempfile.mkdtemp(prefix='armz-nova-')
    img = '/tmp/armz-nova-fs.img'
    rc, out = host_sh(f'dd if=/dev/zero of={img} bs=1M count=0 seek=192 2>/dev/null'
                      f' && dev=$(losetup -f) && losetup $dev {img} && mke2fs -q $dev'
                      f' && mkdir -p {path} && mount -t ext2 $dev {path} && echo $dev')
    assert rc == 0, f'no ext2 instances file system in the test host: {out}'
    dev = out.split()[-1]
    yield path
    host_sh(f'umount {path}; losetup -d {dev}; rm -f {img}; rmdir {path}')
    shutil.rmtree(path, ignore_errors=True)


def run_nova_instance(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=3000, env=env)
    done = [line.split(' ', 1)[1].split(' ')[0] for line in p.stdout.splitlines()
            if line.startswith('NOVA-STEP ')]
    print(p.stdout)
    if os.environ.get('ARMZ_HOST_PROFILE') == 's390' and 'READONLY_MEM' in p.stderr \
            and 'spawn-boots' not in done:
        pytest.skip('the s390 KVM profile has no read-only memory slots, which the '
                    'firmware flash needs (the daemon runs without s390+readonly-mem)')
    assert p.returncode == 0 and done == STEPS, \
        f'Nova steps done: {done}\n{p.stderr[-4000:]}'


def test_nova_instance_boots_and_lives(default_net, instances):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE='1')
    run_nova_instance([sys.executable, os.path.join(HERE, 'nova-instance'), instances,
                       default_net], env)


def test_newest_nova_instance_boots_and_lives(default_net, instances):
    """The same instance written and driven by the newest Nova Debian has
    (unstable's python3-nova, in the root tests/deps/nova-root.post.sh
    makes; Zed above), which leaves the firmware to libvirt (<os
    firmware='efi'>) and has no Linux-bridge ports: its ports are taps
    (<interface type='ethernet'> with managed='no'), made on the default
    network's bridge as their agent would. The whole life as above."""
    root = novaroot.default_root()
    suite = novaroot.suite(root)
    if not suite:
        pytest.skip(f'no root with a newer Nova in {root} (tests/deps/nova-root.post.sh)')
    if os.getuid() != 0:
        pytest.skip(f'entering {root} needs root')
    env = {k: v for k, v in os.environ.items()
           if k.startswith('ARMZ_HOST_') or k in ('ARMZ_NOVA_FULL', 'ARMZ_NOVA_TRACE')}
    print(f'nova: {novaroot.describe(root)}')
    run_nova_instance(novaroot.command(
        root, [TOP, instances], env,
        ['python3', os.path.join(HERE, 'nova-instance'), instances, default_net, 'tap']))
