"""Fixtures for the big-endian daemon tests (tier 22-daemon-s390x): the
daemon tests' fixtures and tier lines (tests/daemon/conftest.py), reused as
they are; the daemon they start is the one ARMZ_DAEMON names, run through
ARMZ_DAEMON_WRAPPER (the tier sets both: the s390x virtarmzd under
qemu-s390x-static)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'daemon'))
sys.path.insert(0, HERE)
import armzd  # noqa: E402

# tier lines name tests as "test_x::test_y" (the tier prefixes "daemon-s390x/")
_dc = armzd.daemon_conftest('armz_daemon_conftest_s390x', lambda nodeid: (
    nodeid.split('daemon-s390x/', 1)[-1].replace('.py::', '::')))
# its hooks and fixtures, as this directory's
globals().update({n: getattr(_dc, n) for n in (
    'pytest_configure', 'pytest_runtest_logreport', 'pytest_runtest_teardown',
    'pytest_sessionstart', 'pytest_report_teststatus',
    'daemons', 'daemon', 'conn', 'event_loop')})
