"""Fixtures of the Nova tier (39-nova): OpenStack Nova's own libvirt driver
(Debian's python3-nova) pointed at a real virtarmzd in a temporary root,
configured as Nova's unit tests configure it: no database (the two object
queries init_host makes are answered empty), no message bus."""
import nova.monkey_patch  # noqa: F401  (first, as nova-compute does)

import os
import sys
from unittest import mock

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, '..', 'daemon'))
import armzd  # noqa: E402
from armzd import pytest_runtest_teardown  # noqa: E402,F401 (gc after each test)


pytest_runtest_logreport = armzd.tier_logreport('nova/')


def pytest_configure(config):
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)


@pytest.fixture(scope='module')
def daemon(tmp_path_factory):
    d = armzd.Daemon(root=str(tmp_path_factory.mktemp('armzd')))
    d.start()
    yield d
    d.stop()


@pytest.fixture(scope='module')
def nova_conf(daemon, tmp_path_factory):
    import nova.conf
    from nova import objects
    objects.register_all()
    conf = nova.conf.CONF
    conf([], project='nova', default_config_files=[])
    inst = tmp_path_factory.mktemp('instances')
    overrides = [
        ('connection_uri', daemon.uri, 'libvirt'),
        ('virt_type', 'kvm', 'libvirt'),
        ('instances_path', str(inst), None),
        ('state_path', str(tmp_path_factory.mktemp('state')), None),
        ('host', 'compute1', None),
        # docs/nova.md: no VNC until graphics land; Nova's serial console
        ('enabled', False, 'vnc'),
        ('enabled', True, 'serial_console'),
    ]
    for name, value, group in overrides:
        conf.set_override(name, value, group)
    yield conf
    for name, _, group in overrides:
        conf.clear_override(name, group)


@pytest.fixture(scope='module')
def driver(nova_conf):
    from nova import objects
    from nova.virt.libvirt import driver as libvirt_driver
    patches = [mock.patch.object(objects.InstanceList, 'get_by_host', return_value=[]),
               mock.patch.object(objects.Service, 'get_by_compute_host')]
    for p in patches:
        p.start()
    drv = libvirt_driver.LibvirtDriver(mock.Mock(), False)
    drv.init_host('compute1')
    yield drv
    for p in patches:
        p.stop()
