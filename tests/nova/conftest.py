"""Fixtures of the Nova tier (39-nova): OpenStack Nova's own libvirt driver
(Debian's python3-nova) pointed at a real virtarmzd in a temporary root,
configured as Nova's unit tests configure it: no database (the two object
queries init_host makes are answered empty), no message bus."""
# first, as nova-compute does: Zed patches eventlet in on this import; from
# 2025.2 on nova-compute calls patch(backend='threading') (native threads;
# tests/nova/novaroot.py sets OS_NOVA_DISABLE_EVENTLET_PATCHING so that
# nova.tests.unit's own patch() call agrees)
from nova import monkey_patch  # noqa: E402
if hasattr(monkey_patch, 'patch'):
    monkey_patch.patch(backend='threading')

import os
import sys

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, '..', 'daemon'))
sys.path.insert(0, HERE)
import armzd  # noqa: E402
from armzd import pytest_runtest_teardown  # noqa: E402,F401 (gc after each test)
import novainst  # noqa: E402


# the IBM Z node's own tests run only in tier 39's nova-ibmz runs
collect_ignore = [] if os.environ.get('ARMZ_NOVA_IBMZ') else ['test_nova_ibmz.py']

pytest_runtest_logreport = armzd.tier_logreport(os.environ.get('ARMZ_NOVA_PREFIX', 'nova/'))


def pytest_sessionfinish(session, exitstatus):
    session.config.armz_status = int(exitstatus)


def pytest_unconfigure(config):
    # Nova from 2025.2 on runs native threads (futurist) that wait on their
    # queues for good: the interpreter would wait at exit to join them
    # (eventlet's threading, patched in, does not count them)
    if hasattr(config, 'armz_status'):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config.armz_status)


def pytest_configure(config):
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)


class OuterDaemon:
    """A virtarmzd started outside this process's root (tests/nova/in-root:
    Nova from another Debian release runs in a root of its own, the daemon
    on this host), reached by its socket."""
    def __init__(self, uri):
        self.uri = uri


@pytest.fixture(scope='module')
def daemon(tmp_path_factory):
    if os.environ.get('ARMZ_NOVA_DAEMON_URI'):
        yield OuterDaemon(os.environ['ARMZ_NOVA_DAEMON_URI'])
        return
    d = armzd.Daemon(root=str(tmp_path_factory.mktemp('armzd')))
    d.start()
    yield d
    d.stop()


@pytest.fixture(scope='module')
def nova_conf(daemon, tmp_path_factory):
    conf, overrides = novainst.configure(daemon.uri, str(tmp_path_factory.mktemp('instances')),
                                         str(tmp_path_factory.mktemp('state')))
    yield conf
    for name, _, group in overrides:
        conf.clear_override(name, group)


@pytest.fixture(scope='module')
def driver(nova_conf):
    drv, patches = novainst.start_driver()
    yield drv
    for p in patches:
        p.stop()
