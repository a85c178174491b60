"""The tier's PASS/FAIL lines for the tests driven from the x86 side."""
import gc
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import libvirt  # noqa: E402

_status = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # libvirt objects left in cycles are finalised here rather than inside a
    # later test's call (see finalise_libvirt_garbage in tests/daemon/armzd.py)
    yield
    gc.collect()


def pytest_configure(config):
    if not os.environ.get('ARMZ_HOST_URI'):
        raise pytest.UsageError('run these through tests/host/run-host --drive')
    libvirt.registerErrorHandler(lambda ctx, err: None, None)


def pytest_runtest_logreport(report):
    st = _status.setdefault(report.nodeid, 'PASS')
    if report.failed:
        _status[report.nodeid] = 'FAIL'
    elif report.skipped and st != 'FAIL':
        why = getattr(report, 'wasxfail', '') or 'skipped'
        _status[report.nodeid] = f'SKIP ({why})'
    if report.failed and report.when == 'call':
        # what the daemon said, for the failure report
        from hostlib import host_sh
        try:
            _, log = host_sh('tail -40 /tmp/virtarmzd.log')
            report.sections.append(('virtarmzd log (last lines)', log))
        except Exception as e:  # the host may be gone
            report.sections.append(('virtarmzd log', f'unavailable: {e}'))
    if report.when == 'teardown':
        name = report.nodeid.rsplit('::', 1)[-1]
        st = _status[report.nodeid]
        # s390-profile runs (run-host --profile s390) under their own names
        tier = ('daemon-host/s390' if os.environ.get('ARMZ_HOST_PROFILE') == 's390'
                else 'daemon-host')
        line = (f'SKIP: {tier}/{name} {st[5:]}' if st.startswith('SKIP')
                else f'{st}: {tier}/{name}')
        print('\n' + line, flush=True)


def ensure_event_loop():
    """The session's one libvirt event loop (tests/daemon/test_console.py
    asks for it by this name)."""
    from hostlib import Events
    Events.start_loop()
