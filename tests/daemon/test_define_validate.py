"""Validation at define through real virsh: what start refuses for the
definition alone (the launch-plan golden errors, tests/data/vmm-command) is
refused by `virsh define` with the same text, what start would run is
defined, and `virsh domcapabilities` is the golden document
(tests/data/domain-capabilities) with the daemon's armz-vmm path."""
import glob
import os
import re

import libvirt
import pytest

import armzd

L = libvirt
DATA = os.path.join(armzd.TOP, 'tests', 'data', 'vmm-command')
# refused at start for what the host lacks or holds (test-vmm-command.c's list)
HOST_CASES = {'err-type-kvm-no-kvm', 'err-type-qemu-no-kvm', 'err-net-network-no-driver',
              'err-net-network-unknown', 'err-disk-volume-no-driver',
              'err-disk-volume-unknown', 'err-disk-qcow2-missing-backing',
              'err-fs-no-virtiofsd',
              # run by test_firmware.py with a daemon that has no descriptors
              'err-fw-efi-no-descriptor',
              'err-fw-smbios-host-none'}
# libvirt's wire prefixes of the codes the golden files name
PREFIX = {'VIR_ERR_CONFIG_UNSUPPORTED': 'unsupported configuration: ',
          'VIR_ERR_XML_ERROR': 'XML error: ',
          'VIR_ERR_INVALID_ARG': 'invalid argument: ',
          'VIR_ERR_OPERATION_FAILED': 'operation failed: '}


def cases(prefix, ext):
    out = []
    for p in sorted(glob.glob(os.path.join(DATA, prefix + '*.' + ext))):
        name = os.path.basename(p)[:-len(ext) - 1]
        if name not in HOST_CASES:
            out.append(name)
    return out


@pytest.fixture(scope='module')
def shared(tmp_path_factory):
    if not os.path.exists(armzd.DAEMON):
        pytest.fail(f'daemon binary missing: {armzd.DAEMON}', pytrace=False)
    d = armzd.Daemon(root=str(tmp_path_factory.mktemp('define')))
    d.start()
    yield d
    try:
        d.stop()
    except armzd.DaemonError as e:
        d.kill()
        pytest.fail(f'daemon shutdown: {e}', pytrace=False)


@pytest.mark.parametrize('name', cases('err-', 'err'))
def test_refused_at_define(shared, name):
    with open(os.path.join(DATA, name + '.err')) as f:
        golden = f.read().rstrip('\n')
    r = shared.virsh('define', os.path.join(DATA, name + '.xml'), check=False)
    assert r.rc != 0, f'{name} was defined: {r!r}'
    # the step that refused ("parse: ", "firmware: ") is the unit test's
    golden = re.sub(r'^(parse|firmware): ', '', golden)
    code, msg = golden.split(': ', 1)
    assert f'error: {PREFIX[code]}{msg}' in r.err, r
    assert shared.virsh('list', '--all', '--name').out.strip() == ''


@pytest.mark.parametrize('name', cases('', 'args'))
def test_what_starts_is_defined(shared, name):
    with open(os.path.join(DATA, name + '.xml')) as f:
        xml = f.read()
    c = libvirt.open(shared.uri)
    try:
        c.defineXML(xml).undefine()
    finally:
        c.close()


@pytest.mark.parametrize('virttype', ['kvm', 'qemu'])
def test_domcapabilities_golden(shared, virttype):
    path = os.path.join(armzd.TOP, 'tests', 'data', 'domain-capabilities', virttype + '.xml')
    with open(path) as f:
        golden = f.read()
    out = shared.virsh('domcapabilities', '--virttype', virttype).out
    out = re.sub(r'<path>[^<]*</path>', '<path>/usr/libexec/armz-vmm</path>', out, count=1)
    # the golden documents describe a build with liburing (io='io_uring')
    with open(os.path.join(os.path.dirname(armzd.DAEMON), '..', '..', 'config.h')) as f:
        if '#define ARMZ_HAVE_IO_URING 0' in f.read():
            golden = golden.replace('        <value>io_uring</value>\n', '')
    assert out.strip() == golden.strip(), out


def test_stored_definition_refused_at_start(daemons):
    """A definition stored before define refused it (an older daemon's) still
    loads, and start refuses it with define's message."""
    daemon = daemons.new(start=False)
    with open(os.path.join(DATA, 'err-clock-localtime.xml')) as f:
        xml = f.read()
    name = re.search(r'<name>([^<]+)</name>', xml).group(1)
    os.makedirs(daemon.confdir, exist_ok=True)
    with open(os.path.join(daemon.confdir, name + '.xml'), 'w') as f:
        f.write(xml)
    daemon.start()
    assert daemon.virsh('list', '--all', '--name').out.split() == [name]
    r = daemon.virsh('start', name, check=False)
    with open(os.path.join(DATA, 'err-clock-localtime.err')) as f:
        msg = f.read().rstrip('\n').split(': ', 1)[1]
    assert r.rc != 0 and f'error: unsupported configuration: {msg}' in r.err, r
