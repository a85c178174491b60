"""Fixtures for the daemon integration tests, and the tier's PASS/FAIL lines.

Run: /usr/bin/python3 -m pytest tests/daemon      (ARMZ_BUILD picks the build)
"""
import os
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import armzd  # noqa: E402
from armzd import pytest_runtest_teardown  # noqa: E402,F401 (gc after each test)

try:
    import libvirt
except ImportError:  # pragma: no cover - wrong interpreter
    libvirt = None


def pytest_configure(config):
    if libvirt is None:
        raise pytest.UsageError(f'{sys.executable} has no libvirt module: run the tests '
                                'with /usr/bin/python3 (Debian python3-libvirt)')
    # libvirt-python prints every error to stderr unless told otherwise.
    libvirt.registerErrorHandler(lambda ctx, err: None, None)


# ------------------------------------------------------------------ tier lines
_results = {}


def _short(nodeid):
    return nodeid.split('tests/daemon/', 1)[-1].replace('.py::', '::')


def pytest_runtest_logreport(report):
    if not os.environ.get('ARMZ_TIER_LINES'):
        return
    st = _results.setdefault(report.nodeid, {'status': 'PASS', 'why': ''})
    if report.failed:
        st['status'] = 'FAIL'
        if not st['why']:
            st['why'] = f'{report.when}'
    elif report.skipped and st['status'] != 'FAIL':
        st['status'] = 'SKIP'
        lr = report.longrepr
        st['why'] = lr[2] if isinstance(lr, tuple) else str(lr)
    if report.when == 'teardown':
        name = _short(report.nodeid)
        line = f"{st['status']}: {name}"
        if st['status'] == 'SKIP':
            line += f" ({st['why'].replace('Skipped: ', '')})"
        tr = _tr[0]
        if tr is not None:
            tw = getattr(tr, '_tw', None)
            if tw is not None and getattr(tw, 'width_of_current_line', 0):
                tw.line()
            tr.write_line(line)
        else:
            print(line, flush=True)


_tr = [None]


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    _tr[0] = session.config.pluginmanager.getplugin('terminalreporter')


# ------------------------------------------------------------------ fixtures

class DaemonSet:
    """Starts daemons on demand and stops them all (checking for crashes)."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.daemons = []

    def new(self, args=(), root=None, start=True, **kw):
        if root is None:
            root = str(self.tmp.mktemp('root'))
        d = armzd.Daemon(root=root, args=args, **kw)
        self.daemons.append(d)
        if start:
            d.start()
        return d

    def stop_all(self):
        errors = []
        for d in self.daemons:
            try:
                d.stop()
            except armzd.DaemonError as e:
                errors.append(str(e))
            finally:
                d.kill()
        self.daemons = []
        return errors


@pytest.fixture
def daemons(tmp_path_factory):
    ds = DaemonSet(tmp_path_factory)
    yield ds
    errors = ds.stop_all()
    if errors:
        pytest.fail('daemon shutdown: ' + '\n'.join(errors), pytrace=False)


@pytest.fixture
def daemon(daemons):
    """A fresh daemon in a temporary --root, stopped with SIGTERM afterwards;
    the test fails if it crashed, hung or exited non-zero."""
    if not os.path.exists(armzd.DAEMON):
        pytest.fail(f'daemon binary missing: {armzd.DAEMON}', pytrace=False)
    return daemons.new()


@pytest.fixture
def conn(daemon):
    c = libvirt.open(daemon.uri)
    yield c
    try:
        c.close()
    except libvirt.libvirtError:
        pass


# ------------------------------------------------------------------ event loop
_loop = {'started': False}
_loop_lock = threading.Lock()


def ensure_event_loop():
    """libvirt's default event loop in a background thread, for the whole
    session (it cannot be unregistered)."""
    with _loop_lock:
        if _loop['started']:
            return
        libvirt.virEventRegisterDefaultImpl()

        def run():
            while True:
                libvirt.virEventRunDefaultImpl()

        threading.Thread(target=run, name='libvirt-events', daemon=True).start()
        _loop['started'] = True


@pytest.fixture
def event_loop():
    ensure_event_loop()
    return True


@pytest.hookimpl(hookwrapper=True)
def pytest_report_teststatus(report, config):
    """In tier mode the PASS/FAIL lines replace pytest's progress letters."""
    outcome = yield
    if os.environ.get('ARMZ_TIER_LINES'):
        res = outcome.get_result()
        if res and isinstance(res, tuple) and len(res) == 3:
            outcome.force_result((res[0], '', res[2]))
