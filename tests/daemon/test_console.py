"""virsh console / virDomainOpenConsole (proc 201) and libvirt RPC streams.

Here: the error paths that need no running guest, and raw stream packets.
End to end (a running guest): run_console_checks() and run_virsh_console_checks()
below take a connection URI and a running domain's name, so the emulated arm64
host can call them (e.g. over armz+tcp://127.0.0.1:PORT/system). They also run
as a script:

    /usr/bin/python3 tests/daemon/test_console.py URI DOMAIN [--probe TEXT --expect TEXT]

test_console_end_to_end starts a guest here when it can, and skips otherwise.
"""
import os
import re
import select
import termios
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import armzd  # noqa: E402
from armzd import (CONTINUE, ERROR, OK, REPLY, STREAM, domain_xml, expect_error,  # noqa: E402
                   new_uuid, packet, recv_packet)

try:
    import libvirt
except ImportError:  # pragma: no cover - wrong interpreter
    libvirt = None
try:
    import pytest
except ImportError:  # run as a script where pytest is missing
    pytest = None

PROC_OPEN_CONSOLE = 201
PROC_GET_LIB_VERSION = 157

# What the end-to-end checks type into the console, and what proves that it
# reached a shell and its output came back (the expansion is not an echo of
# the input).
DEFAULT_PROBE = b'\recho armz-console-$((40+2))\r'
DEFAULT_EXPECT = b'armz-console-42'


# ================================================================ end to end

class CheckFailed(AssertionError):
    pass


def _check(cond, what):
    if not cond:
        raise CheckFailed(what)


_loop_lock = threading.Lock()
_loop_started = [False]


def ensure_event_loop():
    """libvirt's default event loop in a thread: non-blocking streams need it
    (it reads their data). Call before opening the connections."""
    with _loop_lock:
        if _loop_started[0]:
            return
        try:
            import conftest  # the pytest session's loop, if there is one
            conftest.ensure_event_loop()
        except ImportError:
            libvirt.virEventRegisterDefaultImpl()

            def run():
                while True:
                    libvirt.virEventRunDefaultImpl()
            threading.Thread(target=run, name='libvirt-events', daemon=True).start()
        _loop_started[0] = True


class Console:
    """A non-blocking console stream of DOM, driven from the calling thread."""

    def __init__(self, conn, dom, dev_name=None, flags=0):
        self.st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        self.buf = bytearray()
        self.eof = False
        self.error = None
        dom.openConsole(dev_name, self.st, flags)

    def _pump(self):
        """Takes what has arrived; False when nothing did."""
        if self.eof or self.error:
            return False
        try:
            data = self.st.recv(65536)
        except libvirt.libvirtError as e:
            self.error = e
            return True
        if data == -2:
            return False
        if not data:
            self.eof = True
            return True
        self.buf += data
        return True

    def send(self, data, timeout=10):
        deadline = time.monotonic() + timeout
        while data:
            n = self.st.send(data)
            if n == -2:
                _check(time.monotonic() < deadline, 'console stream: send blocked')
                time.sleep(0.01)
                continue
            data = data[n:]

    def wait(self, pred, timeout):
        deadline = time.monotonic() + timeout
        while not pred():
            if not self._pump():
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.02)
        return True

    def expect(self, pattern, timeout):
        return self.wait(lambda: pattern in self.buf, timeout)

    def finish(self):
        self.st.finish()

    def abort(self):
        try:
            self.st.abort()
        except libvirt.libvirtError:
            pass


def run_console_checks(uri, name, probe=DEFAULT_PROBE, expect=DEFAULT_EXPECT,
                       dev_name=None, stop=None, timeout=60, log=print):
    """End-to-end console checks against the running domain NAME at URI:
    data both ways, the busy error, a FORCE takeover (the old session gets an
    error), a clean finish and, when STOP (a callable that stops the guest)
    is given, the end of the stream when the guest stops. Raises CheckFailed
    (an AssertionError) naming the first check that failed."""
    ensure_event_loop()
    conn1 = libvirt.open(uri)
    conn2 = libvirt.open(uri)
    try:
        dom1 = conn1.lookupByName(name)
        dom2 = conn2.lookupByName(name)
        _check(dom1.isActive(), f'domain {name} is not running')

        c1 = Console(conn1, dom1, dev_name)
        c1.send(probe)
        _check(c1.expect(expect, timeout),
               f'first session: {expect!r} not seen after sending {probe!r}; '
               f'got {bytes(c1.buf[-300:])!r} error={c1.error}')
        log('PASS: console data both ways')

        try:
            Console(conn2, dom2, dev_name)
            raise CheckFailed('a second session without FORCE was accepted')
        except libvirt.libvirtError as e:
            _check(e.get_error_code() == libvirt.VIR_ERR_OPERATION_FAILED and
                   'Active console session exists for this domain' in str(e),
                   f'busy console: unexpected error {e}')
        # The same device by its alias is the same session.
        if dev_name is None:
            for alias in ('serial0', 'console0'):
                try:
                    Console(conn2, dom2, alias)
                    raise CheckFailed(f'{alias} opened while the default console is busy')
                except libvirt.libvirtError as e:
                    _check(e.get_error_code() in (libvirt.VIR_ERR_OPERATION_FAILED,
                                                  libvirt.VIR_ERR_INTERNAL_ERROR),
                           f'{alias} while busy: unexpected error {e}')
        log('PASS: console busy without FORCE')

        c2 = Console(conn2, dom2, dev_name, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
        _check(c1.wait(lambda: c1.error is not None or c1.eof, timeout),
               'the old session did not end after a FORCE takeover')
        _check(c1.error is not None, 'the old session ended without an error')
        c2.send(probe)
        _check(c2.expect(expect, timeout),
               f'after takeover: {expect!r} not seen; got {bytes(c2.buf[-300:])!r}')
        log('PASS: console FORCE takeover')

        c2.finish()
        c3 = Console(conn1, dom1, dev_name, libvirt.VIR_DOMAIN_CONSOLE_SAFE)
        c3.send(probe)
        _check(c3.expect(expect, timeout), 'a session after a finished one sees nothing')
        log('PASS: console finish releases the device')

        if stop is not None:
            stop()
            _check(c3.wait(lambda: c3.eof or c3.error is not None, timeout),
                   'the stream did not end when the guest stopped')
            _check(c3.eof, f'the stream ended with an error, not EOF: {c3.error}')
            c3.finish()
            log('PASS: console ends when the guest stops')
        else:
            c3.abort()
    finally:
        for c in (conn1, conn2):
            try:
                c.close()
            except libvirt.libvirtError:
                pass


class VirshConsole:
    """`virsh console` on a pty of its own, as a user runs it."""

    def __init__(self, uri, name, *args):
        self.master, slave = os.openpty()
        self.p = subprocess.Popen([armzd.VIRSH, '-c', uri, 'console', name, *args],
                                  stdin=slave, stdout=slave, stderr=slave,
                                  env=dict(os.environ, LC_ALL='C'), start_new_session=True)
        os.close(slave)
        self.out = bytearray()

    def read(self, timeout):
        r, _, _ = select.select([self.master], [], [], timeout)
        if r:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: virsh has exited
                data = b''
            self.out += data
            return data
        return None

    def expect(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.out):
            left = deadline - time.monotonic()
            if left <= 0 or self.read(left) == b'':
                return bool(re.search(pattern, self.out))
        return True

    def send(self, data):
        # virsh prints its banner before it makes the tty raw with
        # TCSAFLUSH, which drops input typed in between: wait for raw mode
        # (the master reports the slave's termios).
        deadline = time.monotonic() + 10
        while termios.tcgetattr(self.master)[3] & termios.ICANON:
            if time.monotonic() > deadline or self.p.poll() is not None:
                break
            time.sleep(0.02)
        os.write(self.master, data)

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while self.p.poll() is None and time.monotonic() < deadline:
            self.read(0.05)
        while self.read(0.05):
            pass
        return self.p.poll()

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        os.close(self.master)


def run_virsh_console_checks(uri, name, probe=DEFAULT_PROBE, expect=DEFAULT_EXPECT,
                             timeout=60, log=print):
    """`virsh console` against the running domain NAME at URI: interactive
    I/O, "Active console session" without --force, --force takeover, and the
    escape key (^]) ending the session cleanly."""
    v1 = VirshConsole(uri, name)
    v2 = v3 = v4 = None
    try:
        _check(v1.expect(rb'Escape character is', timeout),
               f'virsh console did not connect: {bytes(v1.out)!r}')
        v1.send(probe)
        _check(v1.expect(re.escape(expect), timeout),
               f'virsh console: {expect!r} not seen; got {bytes(v1.out[-300:])!r}')
        log('PASS: virsh console interactive')

        v2 = VirshConsole(uri, name)
        rc = v2.wait(timeout)
        _check(rc not in (None, 0) and b'Active console session exists for this domain' in v2.out,
               f'second virsh console: rc={rc} {bytes(v2.out)!r}')
        log('PASS: virsh console busy')

        v3 = VirshConsole(uri, name, '--force')
        _check(v3.expect(rb'Escape character is', timeout),
               f'virsh console --force did not connect: {bytes(v3.out)!r}')
        rc = v1.wait(timeout)
        _check(rc is not None, 'the first virsh console kept running after --force')
        v3.send(probe)
        _check(v3.expect(re.escape(expect), timeout),
               f'after --force: {expect!r} not seen; got {bytes(v3.out[-300:])!r}')
        v3.send(b'\x1d')
        rc = v3.wait(timeout)
        _check(rc == 0, f'virsh console after ^]: rc={rc} {bytes(v3.out[-300:])!r}')
        log('PASS: virsh console --force and escape')

        v4 = VirshConsole(uri, name)
        _check(v4.expect(rb'Escape character is', timeout),
               f'virsh console after a finished session: {bytes(v4.out)!r}')
        v4.send(b'\x1d')
        _check(v4.wait(timeout) == 0, 'virsh console: ^] did not end it cleanly')
        log('PASS: virsh console again after escape')
    finally:
        for v in (v1, v2, v3, v4):
            if v is not None:
                v.close()


# ================================================================ pytest

if pytest is not None:
    L = libvirt

    @pytest.fixture
    def shutoff(conn):
        return conn.defineXML(domain_xml('con-off', new_uuid()))

    def _open(conn, dom, dev=None, flags=0):
        st = conn.newStream(0)
        try:
            dom.openConsole(dev, st, flags)
        finally:
            del st

    def test_console_of_shut_off_domain(daemon, conn, shutoff):
        for dev, flags in ((None, 0), ('serial0', L.VIR_DOMAIN_CONSOLE_FORCE),
                           (None, L.VIR_DOMAIN_CONSOLE_SAFE)):
            e = expect_error(L.VIR_ERR_OPERATION_INVALID, _open, conn, shutoff, dev, flags)
            assert 'domain is not running' in e.get_error_message()
        # Nothing was left open: the daemon is fine and the connection too.
        assert shutoff.info()[0] == L.VIR_DOMAIN_SHUTOFF

    def test_console_of_unknown_domain(daemon, conn, shutoff):
        shutoff.undefine()
        e = expect_error(L.VIR_ERR_NO_DOMAIN, _open, conn, shutoff)
        assert 'con-off' in e.get_error_message()

    def test_console_unknown_flags(daemon, conn, shutoff):
        e = expect_error(L.VIR_ERR_INVALID_ARG, _open, conn, shutoff, None, 4)
        assert 'virDomainOpenConsole' in e.get_error_message()

    def test_virsh_console_of_shut_off_domain(daemon, conn, shutoff):
        r = daemon.virsh('console', 'con-off', check=False)
        assert r.rc != 0 and 'not running' in r.err, r

    def _open_console_body(name, uuid_hex, dev=None, flags=0):
        return (armzd.xdr_string(name) + bytes.fromhex(uuid_hex.replace('-', '')) +
                struct.pack('>i', -1) + armzd.xdr_opt_string(dev) + struct.pack('>I', flags))

    def test_raw_open_console_error_reply_and_readonly(daemon, conn, shutoff):
        from test_robustness import handshake
        body = _open_console_body('con-off', shutoff.UUIDString())
        for path, code in ((daemon.sock, L.VIR_ERR_OPERATION_INVALID),
                           (daemon.sock_ro, L.VIR_ERR_OPERATION_DENIED)):
            s = handshake(path)
            s.sendall(packet(proc=PROC_OPEN_CONSOLE, serial=5, body=body))
            hdr, rbody = recv_packet(s, 5)
            assert hdr[2:] == (PROC_OPEN_CONSOLE, REPLY, 5, ERROR), hdr
            assert struct.unpack('>i', rbody[:4])[0] == code
            # No stream was opened: stream packets for that serial are dropped
            # and the connection keeps working.
            s.sendall(packet(proc=PROC_OPEN_CONSOLE, mtype=STREAM, serial=5, status=CONTINUE,
                             body=b'typed'))
            s.sendall(packet(proc=PROC_OPEN_CONSOLE, mtype=STREAM, serial=5, status=OK))
            s.sendall(packet(proc=PROC_OPEN_CONSOLE, mtype=STREAM, serial=5, status=ERROR))
            s.sendall(packet(proc=PROC_GET_LIB_VERSION, serial=6))
            hdr, _ = recv_packet(s, 5)
            assert hdr[2:] == (PROC_GET_LIB_VERSION, REPLY, 6, OK), hdr
            s.close()

    def test_console_end_to_end(daemon, conn, event_loop):
        """Needs a guest this machine can start (KVM for arm64 and a kernel);
        the emulated arm64 host runs run_console_checks instead."""
        dom = conn.defineXML(domain_xml('con-e2e', new_uuid()))
        try:
            dom.create()
        except L.libvirtError as e:
            pytest.skip(f'no guest can be started on this machine ({e.get_error_message()}); '
                        'the emulated arm64 host runs run_console_checks()')
        try:
            run_console_checks(daemon.uri, 'con-e2e', log=lambda m: None)
            run_virsh_console_checks(daemon.uri, 'con-e2e', log=lambda m: None)
        finally:
            try:
                dom.destroy()
            except L.libvirtError:
                pass


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description='console end-to-end checks against a running domain')
    ap.add_argument('uri')
    ap.add_argument('domain')
    ap.add_argument('--probe', default=DEFAULT_PROBE.decode())
    ap.add_argument('--expect', default=DEFAULT_EXPECT.decode())
    ap.add_argument('--dev', default=None)
    ap.add_argument('--timeout', type=float, default=60)
    ap.add_argument('--no-virsh', action='store_true')
    a = ap.parse_args(argv)
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    probe = a.probe.encode().decode('unicode_escape').encode('latin-1')
    try:
        run_console_checks(a.uri, a.domain, probe, a.expect.encode(), a.dev, timeout=a.timeout)
        if not a.no_virsh:
            run_virsh_console_checks(a.uri, a.domain, probe, a.expect.encode(), a.timeout)
    except CheckFailed as e:
        print(f'FAIL: {e}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
