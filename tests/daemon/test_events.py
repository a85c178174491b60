"""Domain lifecycle events (316/317/318), keepalive and the close callback."""
import os
import queue
import re
import signal
import subprocess
import threading
import time

import libvirt
import pytest

import armzd
from armzd import domain_xml, new_uuid

L = libvirt
TS = r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+0000: '


class VirshEvent:
    """`virsh event --loop ...` on a pty (so its stdout is line-buffered)."""

    def __init__(self, d, args):
        master, slave = os.openpty()
        env = dict(os.environ, LC_ALL='C')
        env.pop('LIBVIRT_DEFAULT_URI', None)
        self.errpath = os.path.join(d.root, f'virsh-event-{time.monotonic_ns()}.err')
        self.err = open(self.errpath, 'wb')
        self.p = subprocess.Popen([armzd.VIRSH, '-c', d.uri, 'event', '--loop'] + list(args),
                                  stdin=subprocess.DEVNULL, stdout=slave, stderr=self.err,
                                  env=env, start_new_session=True)
        os.close(slave)
        self.master = master
        self.buf = b''
        self.lock = threading.Lock()
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        while True:
            try:
                b = os.read(self.master, 4096)
            except OSError:
                return
            if not b:
                return
            with self.lock:
                self.buf += b

    def text(self):
        with self.lock:
            return self.buf.decode(errors='replace').replace('\r', '')

    def stderr(self):
        return open(self.errpath, 'rb').read().decode(errors='replace')

    def wait_for(self, pattern, timeout=10):
        end = time.monotonic() + timeout
        rx = re.compile(pattern, re.M)
        while time.monotonic() < end:
            if rx.search(self.text()):
                return True
            if self.p.poll() is not None:
                return bool(rx.search(self.text()))
            time.sleep(0.05)
        return False

    def stop(self, sig=signal.SIGINT):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        time.sleep(0.1)
        try:
            os.close(self.master)
        except OSError:
            pass
        self.err.close()


_probe_uuids = {}


def wait_registered(d, ve, conn, name='probe'):
    """Defines NAME until virsh reports an event for it (virsh prints nothing
    when its registration is done)."""
    xml = domain_xml(name, _probe_uuids.setdefault(name, new_uuid()))
    end = time.monotonic() + 10
    while time.monotonic() < end:
        conn.defineXML(xml)
        if ve.wait_for(rf"event 'lifecycle' for domain '{name}': Defined", timeout=0.5):
            return True
        if ve.p.poll() is not None:
            break
    return False


@pytest.mark.parametrize('args', [['--all'], ['--event', 'lifecycle', '--timestamp']],
                         ids=['all', 'lifecycle-timestamp'])
def test_virsh_event_loop_sees_define_undefine(daemon, conn, args):
    ve = VirshEvent(daemon, args)
    try:
        assert wait_registered(daemon, ve, conn), \
            f'virsh event saw no event for the probe domain\nstdout: {ve.text()}\n' \
            f'stderr: {ve.stderr()}'
        conn.defineXML(domain_xml('evdom', new_uuid()))
        dom = conn.lookupByName('evdom')
        conn.defineXML(dom.XMLDesc(0))
        dom.undefine()
        pre = TS if '--timestamp' in args else ''
        for what in ('Defined Added', 'Defined Updated', 'Undefined Removed'):
            pat = rf"^{pre}event 'lifecycle' for domain 'evdom': {what}$"
            assert ve.wait_for(pat, 5), f'no {what!r} line; virsh printed:\n{ve.text()}\n' \
                                        f'stderr: {ve.stderr()}'
        lines = [x for x in ve.text().splitlines() if "'evdom'" in x]
        assert len(lines) == 3, lines
        assert 'Added' in lines[0] and 'Updated' in lines[1] and 'Removed' in lines[2], lines
    finally:
        ve.stop()
    assert ve.p.returncode == 0, f'virsh event exited {ve.p.returncode}: {ve.stderr()}'
    assert re.search(r'events received: \d+', ve.text()), ve.text()


def test_event_client_killed_does_not_hurt(daemon, conn, event_loop):
    got = queue.Queue()
    listener = libvirt.open(daemon.uri)
    cb = listener.domainEventRegisterAny(
        None, L.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        lambda c, dom, ev, det, op: got.put((dom.name(), ev, det)), None)
    ves = [VirshEvent(daemon, ['--all']) for _ in range(3)]
    try:
        for ve in ves:
            assert wait_registered(daemon, ve, conn), ve.text() + ve.stderr()
    finally:
        for ve in ves:
            ve.stop(signal.SIGKILL)
    for i in range(20):
        conn.defineXML(domain_xml(f'after-kill-{i}'))
    names = set()
    end = time.monotonic() + 5
    while time.monotonic() < end and len([n for n in names if n.startswith('after-kill')]) < 20:
        try:
            names.add(got.get(timeout=0.2)[0])
        except queue.Empty:
            pass
    listener.domainEventDeregisterAny(cb)
    listener.close()
    assert {f'after-kill-{i}' for i in range(20)} <= names, sorted(names)
    assert daemon.alive()


def collect(q, n, timeout=5):
    out = []
    end = time.monotonic() + timeout
    while len(out) < n and time.monotonic() < end:
        try:
            out.append(q.get(timeout=0.1))
        except queue.Empty:
            pass
    return out


def test_python_lifecycle_events(daemon, event_loop):
    listener = libvirt.open(daemon.uri)
    writer = libvirt.open(daemon.uri)
    q = queue.Queue()

    def cb(c, dom, event, detail, opaque):
        q.put((opaque, dom.name(), dom.UUIDString(), event, detail))

    cid = listener.domainEventRegisterAny(None, L.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, 'all')
    assert cid >= 0
    u = new_uuid()
    writer.defineXML(domain_xml('pyev', u))
    writer.defineXML(domain_xml('pyev', u, memory_kib=524288))
    writer.lookupByName('pyev').undefine()
    ev = collect(q, 3)
    assert ev == [
        ('all', 'pyev', u, L.VIR_DOMAIN_EVENT_DEFINED, L.VIR_DOMAIN_EVENT_DEFINED_ADDED),
        ('all', 'pyev', u, L.VIR_DOMAIN_EVENT_DEFINED, L.VIR_DOMAIN_EVENT_DEFINED_UPDATED),
        ('all', 'pyev', u, L.VIR_DOMAIN_EVENT_UNDEFINED, L.VIR_DOMAIN_EVENT_UNDEFINED_REMOVED),
    ], ev

    # a callback for one domain sees only that domain
    a = writer.defineXML(domain_xml('only-a'))
    q2 = queue.Queue()
    cid2 = listener.domainEventRegisterAny(
        listener.lookupByName('only-a'), L.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        lambda c, dom, e, d, o: q2.put(dom.name()), None)
    writer.defineXML(domain_xml('other-b'))
    writer.defineXML(a.XMLDesc(0))
    assert collect(q2, 1) == ['only-a']
    assert collect(q2, 1, timeout=0.5) == [], 'per-domain callback got another domain'
    collect(q, 10, timeout=0.5)

    # after deregistering, nothing more arrives
    listener.domainEventDeregisterAny(cid)
    listener.domainEventDeregisterAny(cid2)
    writer.defineXML(domain_xml('silent'))
    assert collect(q, 1, timeout=1) == [], 'event after deregister'
    assert collect(q2, 1, timeout=0.1) == []
    listener.close()
    writer.close()


def test_python_legacy_event_register(daemon, event_loop):
    listener = libvirt.open(daemon.uri)
    q = queue.Queue()

    def cb(c, dom, event, detail, opaque):
        q.put((dom.name(), event, detail))

    listener.domainEventRegister(cb, None)
    listener.defineXML(domain_xml('legacy'))
    assert collect(q, 1) == [('legacy', L.VIR_DOMAIN_EVENT_DEFINED,
                              L.VIR_DOMAIN_EVENT_DEFINED_ADDED)]
    listener.domainEventDeregister(cb)
    listener.defineXML(domain_xml('legacy2'))
    assert collect(q, 1, timeout=0.7) == []
    listener.close()


def test_keepalive(daemon, event_loop):
    c = libvirt.open(daemon.uri)
    # ping after 1 s idle, give up after 2 unanswered: a daemon that does
    # not answer PING gets this connection closed within ~3 s
    c.setKeepAlive(1, 2)
    time.sleep(4.5)
    assert c.isAlive() == 1
    assert c.getLibVersion() > 0
    c.close()


def test_close_callback_on_daemon_stop(daemons, event_loop):
    d = daemons.new()
    c = libvirt.open(d.uri)
    q = queue.Queue()
    c.registerCloseCallback(lambda conn, reason, opaque: q.put(reason), None)
    assert c.getLibVersion() > 0
    d.stop()
    reason = collect(q, 1, timeout=5)
    assert reason, 'close callback did not fire when the daemon stopped'
    assert reason[0] in (L.VIR_CONNECT_CLOSE_REASON_EOF, L.VIR_CONNECT_CLOSE_REASON_ERROR,
                         L.VIR_CONNECT_CLOSE_REASON_KEEPALIVE)
    try:
        c.unregisterCloseCallback()
    except libvirt.libvirtError:
        pass
    try:
        c.close()
    except libvirt.libvirtError:
        pass
