"""Fixtures for the virtual network tests (tier 35-network): a virtarmzd in
a network namespace of its own, clients and a server in more namespaces.

Run: /usr/bin/python3 -m pytest tests/network      (as root; ARMZ_BUILD picks the build)
"""
import os
import sys

import pytest

here = os.path.dirname(__file__)
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, '..', 'daemon'))
import armzd  # noqa: E402
from armzd import pytest_runtest_teardown  # noqa: E402,F401 (gc after each test)
import netns  # noqa: E402

try:
    import libvirt
except ImportError:  # pragma: no cover - wrong interpreter
    libvirt = None

_why_not = [None, False]


def why_not():
    if not _why_not[1]:
        _why_not[0] = netns.usable()
        _why_not[1] = True
    return _why_not[0]


def pytest_configure(config):
    if libvirt is None:
        raise pytest.UsageError(f'{sys.executable} has no libvirt module: run the tests '
                                'with /usr/bin/python3 (Debian python3-libvirt)')
    libvirt.registerErrorHandler(lambda ctx, err: None, None)


# ------------------------------------------------------------------ tier lines
_results = {}


def pytest_runtest_logreport(report):
    if not os.environ.get('ARMZ_TIER_LINES'):
        return
    st = _results.setdefault(report.nodeid, {'status': 'PASS', 'why': ''})
    if report.failed:
        st['status'] = 'FAIL'
        st['why'] = st['why'] or report.when
    elif report.skipped and st['status'] != 'FAIL':
        st['status'] = 'SKIP'
        lr = report.longrepr
        st['why'] = lr[2] if isinstance(lr, tuple) else str(lr)
    if report.when == 'teardown':
        name = report.nodeid.split('tests/network/', 1)[-1].replace('.py::', '::')
        line = f"{st['status']}: network/{name}"
        if st['status'] == 'SKIP':
            line += f" ({st['why'].replace('Skipped: ', '')})"
        print('\n' + line, flush=True)


# ------------------------------------------------------------------ fixtures

class Host:
    """The daemon's namespace and the daemon (restartable) inside it."""

    def __init__(self, tmp_path_factory, env_extra=None):
        self.tmp = str(tmp_path_factory.mktemp('net'))
        self.ns = netns.Netns('h')
        self.root = os.path.join(self.tmp, 'root')
        os.makedirs(self.root)
        # armz-vmm really starts, and fails on a KVM device that is not one
        # (there are no arm64 guests on this machine: tests/host runs them)
        env = dict(os.environ, ARMZ_KVM_DEVICE='/dev/null', **(env_extra or {}))
        self.daemon = armzd.Daemon(root=self.root, args=['--verbose'],
                                   user_cmd=self.ns.prefix(), env=env)
        self.clients = []
        self.server = None

    @property
    def uri(self):
        return self.daemon.uri

    @property
    def netdir(self):
        return os.path.join(self.daemon.confdir, 'networks')

    @property
    def statedir(self):
        return os.path.join(self.root, 'run', 'libvirt', 'armz', 'networks')

    def virsh(self, *args, check=True, timeout=30):
        return self.daemon.virsh(*args, check=check, timeout=timeout)

    def client(self, bridge, tag='c'):
        c = netns.Client(self.ns, bridge, self.tmp, tag)
        self.clients.append(c)
        return c

    def start_server(self):
        self.server = netns.Server(self.ns)
        return self.server

    def define(self, xml, start=True):
        path = os.path.join(self.tmp, 'net.xml')
        with open(path, 'w') as f:
            f.write(xml)
        self.virsh('net-define', path)
        if start:
            name = xml.split('<name>', 1)[1].split('</name>', 1)[0]
            self.virsh('net-start', name)

    def dnsmasq_pid(self, name):
        try:
            with open(os.path.join(self.statedir, name + '.pid')) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def close(self):
        errors = []
        try:
            self.daemon.stop()
        except armzd.DaemonError as e:
            errors.append(str(e))
        finally:
            self.daemon.kill()
        for c in self.clients:
            c.close()
        if self.server:
            self.server.close()
        self.ns.close()
        return errors


def make_host(tmp_path_factory, env_extra=None):
    """A started Host (a generator: the fixtures below yield from it)."""
    why = why_not()
    if why:
        pytest.skip(why)
    if not os.path.exists(armzd.DAEMON):
        pytest.fail(f'daemon binary missing: {armzd.DAEMON}', pytrace=False)
    h = Host(tmp_path_factory, env_extra)
    try:
        h.daemon.start()
        yield h
    finally:
        errors = h.close()
    if errors:
        pytest.fail('daemon shutdown: ' + '\n'.join(errors), pytrace=False)


@pytest.fixture
def host(tmp_path_factory):
    yield from make_host(tmp_path_factory)
