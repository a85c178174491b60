"""The s390x armz CLI (with the s390x libvirt client library) under
qemu-s390x-static, against the s390x daemon: both ends of the connection
big-endian, the domain checked with the native virsh."""
import os
import subprocess

import pytest

import armzd

NATIVE_ARMZ = os.path.join(armzd.BUILD, 'tools', 'armz', 'armz')
# the cross build's armz, beside its daemon (BUILD-cross-s390x/src/daemon)
ARMZ = os.environ.get('ARMZ_CLI') or os.path.join(
    os.path.dirname(armzd.DAEMON), '..', '..', 'tools', 'armz', 'armz')


def armz(*args, native=False):
    cmd = ([] if native else armzd.DAEMON_WRAPPER) + [NATIVE_ARMZ if native else ARMZ]
    p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, LC_ALL='C'), stdin=subprocess.DEVNULL)
    return p


@pytest.fixture
def cli(daemon):
    if not os.path.exists(ARMZ):
        pytest.fail(f'the s390x armz is not built: {ARMZ}', pytrace=False)
    return daemon


def test_cli_create_and_top(cli):
    p = armz('-c', cli.uri, 'create', 'web', '--kernel', '/boot/Image', '--memory', '256',
             '--vcpus', '2')
    assert p.returncode == 0, p.stderr
    assert "Domain 'web' defined" in p.stdout
    info = armzd.parse_colon_table(cli.virsh('dominfo', 'web').out)
    assert info['State'] == 'shut off' and info['Max memory'] == '262144 KiB', info
    assert info['CPU(s)'] == '2', info
    p = armz('-c', cli.uri, 'create', 'web', '--kernel', '/boot/Image')
    assert p.returncode == 1 and "a domain named 'web' already exists" in p.stderr, p
    p = armz('-c', cli.uri, 'top', '--batch', '-n', '1')
    assert p.returncode == 0, p.stderr
    assert 'web' in p.stdout and 'shut off' in p.stdout and '256 MiB' in p.stdout, p.stdout


def test_cli_print_xml_same_as_native(cli):
    args = ('-c', cli.uri, 'create', 'x', '--kernel', '/boot/Image', '--memory', '1024',
            '--vcpus', '3', '--print-xml')
    be = armz(*args)
    assert be.returncode == 0, be.stderr
    if not os.path.exists(NATIVE_ARMZ):
        pytest.fail(f'the native armz is not built: {NATIVE_ARMZ}', pytrace=False)
    le = armz(*args, native=True)
    assert le.returncode == 0, le.stderr
    assert be.stdout == le.stdout
    assert '<memory unit="KiB">1048576</memory>' in be.stdout
