"""Fixtures for the storage tests: the daemon tests' fixtures and tier
lines (tests/daemon/conftest.py), reused as they are."""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DAEMON_TESTS = os.path.join(HERE, '..', 'daemon')
sys.path.insert(0, DAEMON_TESTS)
sys.path.insert(0, HERE)

_spec = importlib.util.spec_from_file_location('armz_daemon_conftest',
                                               os.path.join(DAEMON_TESTS, 'conftest.py'))
_dc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_dc)
# tier lines name tests as "storage/test_x::test_y"
_dc._short = lambda nodeid: nodeid.split('tests/', 1)[-1].replace('.py::', '::')

pytest_configure = _dc.pytest_configure
pytest_runtest_logreport = _dc.pytest_runtest_logreport
pytest_runtest_teardown = _dc.pytest_runtest_teardown
pytest_sessionstart = _dc.pytest_sessionstart
pytest_report_teststatus = _dc.pytest_report_teststatus
daemons = _dc.daemons
daemon = _dc.daemon
conn = _dc.conn
event_loop = _dc.event_loop
