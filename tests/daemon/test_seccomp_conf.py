"""armz.conf seccomp_sandbox (qemu.conf's name and values: 1, 0, -1) becomes
armz-vmm's --seccomp on|off, or nothing for its default: seen on the command
line the domain log records (a fake KVM device makes the VMM fail right
after it starts, on any host). Other values stop the daemon at start."""
import os

import libvirt
import pytest

import armzd
from armzd import expect_error

L = libvirt


def daemon_with(daemons, conf, start=True):
    env = dict(os.environ, ARMZ_KVM_DEVICE='/dev/null')
    d = daemons.new(start=False, env=env)
    etc = os.path.join(d.root, 'etc', 'libvirt')
    os.makedirs(etc, exist_ok=True)
    with open(os.path.join(etc, 'armz.conf'), 'w') as f:
        f.write(conf)
    if start:
        d.start()
    return d


@pytest.mark.parametrize('value,expected', [(None, None), ('1', '--seccomp on'),
                                            ('0', '--seccomp off'), ('-1', None)])
def test_seccomp_sandbox_reaches_the_vmm(daemons, tmp_path, value, expected):
    conf = f'seccomp_sandbox = {value}\n' if value is not None else '# defaults\n'
    d = daemon_with(daemons, conf)
    kernel = tmp_path / 'Image'
    kernel.write_bytes(b'not a kernel')
    conn = libvirt.open(d.uri)
    dom = conn.defineXML(armzd.domain_xml('sc', devices=False).replace(
        '/var/lib/armz/boot/Image', str(kernel)))
    expect_error(L.VIR_ERR_INTERNAL_ERROR, dom.create)
    log = open(os.path.join(d.logdir, 'sc.log')).read()
    assert 'starting up' in log, log
    if expected:
        assert expected in log, log
    else:
        assert '--seccomp' not in log, log
    conn.close()


@pytest.mark.parametrize('line', ['seccomp_sandbox = 2', 'seccomp_sandbox = -2',
                                  'seccomp_sandbox = "1"'])
def test_bad_seccomp_sandbox_is_refused(daemons, line):
    d = daemon_with(daemons, '# sandbox\n' + line + '\n', start=False)
    try:
        d.start()
    except armzd.DaemonError:
        pass
    else:
        raise AssertionError(f'the daemon started with "{line}"')
    assert "armz.conf:2: unknown setting or bad value for 'seccomp_sandbox'" in d.log(), d.log()
    d.kill()
    daemons.daemons.remove(d)
