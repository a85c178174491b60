"""Fixtures of the armz CLI tests (tier 38-cli): a real virtarmzd in a
temporary root (tests/daemon/armzd.py), the armz binary of ARMZ_BUILD, and
the tier's PASS/FAIL/SKIP lines."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, '..', 'daemon'))
import armzd  # noqa: E402
from armzd import pytest_runtest_teardown  # noqa: E402,F401 (gc after each test)

TOP = armzd.TOP
BUILD = armzd.BUILD
ARMZ = os.path.join(BUILD, 'tools', 'armz', 'armz')
HOST_VALIDATE = os.path.join(BUILD, 'tools', 'host-validate', 'armz-host-validate')
SCHEMA = os.path.join(TOP, 'schemas', 'domain.rng')
CACHE = os.environ.get('ARMZ_CACHE', '/var/cache/armz-test')


def armz(*args, uri=None, check=False, timeout=60, env=None, user_cmd=(), input=None):
    """Runs armz (with -c URI when given); returns the CompletedProcess."""
    cmd = list(user_cmd) + [ARMZ] + (['-c', uri] if uri else []) + list(args)
    e = dict(os.environ if env is None else env)
    e['LC_ALL'] = 'C'
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e,
                       input=input, stdin=None if input is not None else subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise AssertionError(f'{cmd} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}')
    return p


def pytest_configure(config):
    try:
        import libvirt
        libvirt.registerErrorHandler(lambda ctx, err: None, None)
    except ImportError:
        raise pytest.UsageError('run with /usr/bin/python3 (python3-libvirt)')


@pytest.fixture
def daemon(tmp_path):
    if not os.path.exists(ARMZ):
        pytest.fail(f'armz is not built: {ARMZ}', pytrace=False)
    root = tmp_path / 'root'
    root.mkdir()
    d = armzd.Daemon(root=str(root))
    d.start()
    yield d
    try:
        d.stop()
    finally:
        d.kill()


pytest_runtest_logreport = armzd.tier_logreport('cli/')
