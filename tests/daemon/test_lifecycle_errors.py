"""Lifecycle APIs where a start cannot work: what a user sees, and that
nothing is left behind. Most of it holds on any host (a fake KVM device makes
the VMM fail); the refusal for lack of arm64 KVM is skipped where the host
has it. The guests that do run are tested in the emulated arm64 host
(tests/host/daemon)."""
import os
import threading

import libvirt
import pytest

import armzd
from armzd import expect_error

L = libvirt


@pytest.mark.skipif(armzd.has_arm64_kvm(),
                    reason='this host has arm64 KVM: the domain would start, not be refused')
def test_kvm_domain_without_arm64_kvm_is_refused(conn):
    dom = conn.defineXML(armzd.domain_xml('nokvm', devices=False))
    e = expect_error(L.VIR_ERR_CONFIG_UNSUPPORTED, dom.create)
    assert '/dev/kvm-arm64' in e.get_error_message()
    assert dom.state() == [L.VIR_DOMAIN_SHUTOFF, L.VIR_DOMAIN_SHUTOFF_UNKNOWN]
    assert dom.ID() == -1


@pytest.mark.parametrize('call', ['destroy', 'shutdown', 'suspend', 'resume', 'reboot',
                                  'reset'])
def test_inactive_domain_is_not_running(conn, call):
    dom = conn.defineXML(armzd.domain_xml('idle', devices=False))
    fn = getattr(dom, call)
    args = (0,) if call in ('reboot', 'reset') else ()
    e = expect_error(L.VIR_ERR_OPERATION_INVALID, fn, *args)
    assert 'not running' in e.get_error_message()


def test_unsupported_flags_are_refused(conn):
    dom = conn.defineXML(armzd.domain_xml('flags', devices=False))
    expect_error(L.VIR_ERR_INVALID_ARG, dom.createWithFlags, 0x1000)
    expect_error(L.VIR_ERR_INVALID_ARG, dom.destroyFlags, 0x100)


@pytest.fixture
def fake_kvm_daemon(daemons, tmp_path):
    """A daemon told that /dev/null is the KVM device: armz-vmm really starts
    and really fails, as it would on a host whose KVM misbehaves."""
    env = dict(os.environ, ARMZ_KVM_DEVICE='/dev/null')
    return daemons.new(env=env)


def kernel_file(tmp_path):
    k = tmp_path / 'Image'
    k.write_bytes(b'not a kernel')
    return str(k)


def test_vmm_failing_at_start_reports_its_reason(fake_kvm_daemon, tmp_path, event_loop):
    d = fake_kvm_daemon
    conn = libvirt.open(d.uri)
    seen = []
    got = threading.Event()

    def cb(c, dom, event, detail, opaque):
        seen.append((dom.name(), event, detail))
        if event == L.VIR_DOMAIN_EVENT_STOPPED:
            got.set()
    cid = conn.domainEventRegisterAny(None, L.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, None)
    xml = armzd.domain_xml('failing', devices=False).replace('/var/lib/armz/boot/Image',
                                                             kernel_file(tmp_path))
    dom = conn.defineXML(xml)
    e = expect_error(L.VIR_ERR_INTERNAL_ERROR, dom.create)
    assert 'armz-vmm' in e.get_error_message(), e.get_error_message()
    assert dom.state() == [L.VIR_DOMAIN_SHUTOFF, L.VIR_DOMAIN_SHUTOFF_FAILED]
    assert got.wait(10), seen
    assert ('failing', L.VIR_DOMAIN_EVENT_STOPPED, L.VIR_DOMAIN_EVENT_STOPPED_FAILED) in seen
    assert not any(ev == L.VIR_DOMAIN_EVENT_STARTED for _, ev, _ in seen)
    # the domain log tells the story: command line, the VMM's words, the end
    log = open(os.path.join(d.logdir, 'failing.log')).read()
    assert 'starting up' in log and '--kvm-device /dev/null' in log
    assert 'armz-vmm: ' in log and 'shutting down, reason=failed' in log
    # nothing left in the runtime directory: no socket, status or pid file
    state = os.path.join(d.root, 'run', 'libvirt', 'armz')
    assert [f for f in os.listdir(state) if f.startswith('failing')] == []
    conn.domainEventDeregisterAny(cid)
    conn.close()


def test_transient_create_that_fails_leaves_nothing(fake_kvm_daemon, tmp_path):
    conn = libvirt.open(fake_kvm_daemon.uri)
    xml = armzd.domain_xml('ghost', devices=False).replace('/var/lib/armz/boot/Image',
                                                           kernel_file(tmp_path))
    expect_error(L.VIR_ERR_INTERNAL_ERROR, conn.createXML, xml, 0)
    expect_error(L.VIR_ERR_NO_DOMAIN, conn.lookupByName, 'ghost')
    assert conn.listAllDomains(0) == []
    conn.close()


def test_create_with_bad_xml(conn):
    expect_error((L.VIR_ERR_XML_ERROR, L.VIR_ERR_XML_DETAIL), conn.createXML, '<domain', 0)
    assert conn.listAllDomains(0) == []


def test_start_is_refused_on_the_read_only_socket(daemon):
    rw = libvirt.open(daemon.uri)
    rw.defineXML(armzd.domain_xml('ro', devices=False))
    ro = libvirt.openReadOnly(daemon.uri_ro)
    expect_error(L.VIR_ERR_OPERATION_DENIED, ro.lookupByName('ro').create)
    ro.close()
    rw.close()
