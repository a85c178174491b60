"""Fixtures for the big-endian daemon tests (tier 22-daemon-s390x): the
daemon tests' fixtures and tier lines (tests/daemon/conftest.py), reused as
they are; the daemon they start is the one ARMZ_DAEMON names, run through
ARMZ_DAEMON_WRAPPER (the tier sets both: the s390x virtarmzd under
qemu-s390x-static)."""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DAEMON_TESTS = os.path.join(HERE, '..', 'daemon')
sys.path.insert(0, DAEMON_TESTS)
sys.path.insert(0, HERE)

_spec = importlib.util.spec_from_file_location('armz_daemon_conftest_s390x',
                                               os.path.join(DAEMON_TESTS, 'conftest.py'))
_dc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_dc)
# tier lines name tests as "test_x::test_y" (the tier prefixes "daemon-s390x/")
_dc._short = lambda nodeid: (nodeid.split('daemon-s390x/', 1)[-1]
                             .replace('.py::', '::'))

pytest_configure = _dc.pytest_configure
pytest_runtest_logreport = _dc.pytest_runtest_logreport
pytest_runtest_teardown = _dc.pytest_runtest_teardown
pytest_sessionstart = _dc.pytest_sessionstart
pytest_report_teststatus = _dc.pytest_report_teststatus
daemons = _dc.daemons
daemon = _dc.daemon
conn = _dc.conn
event_loop = _dc.event_loop
