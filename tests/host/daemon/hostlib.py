"""Helpers for the tests that drive virtarmzd inside the emulated arm64
test host from the x86 side (tests/host/run-host --drive)."""
import os
import socket
import subprocess
import threading
import time

import libvirt

URI = os.environ.get('ARMZ_HOST_URI', '')
SHELL_PORT = int(os.environ.get('ARMZ_HOST_SHELL_PORT', '0') or 0)
ROOT = '/tmp/armz'            # virtarmzd --root inside the test host
GUEST = ROOT + '/guest'

# Nested KVM under TCG: generous, but bounded.
BOOT_TIMEOUT = 120
STOP_TIMEOUT = 60


def _host_sh_once(cmd, timeout):
    s = socket.create_connection(('127.0.0.1', SHELL_PORT), timeout=timeout)
    try:
        s.sendall(cmd.encode() + b'\n')
        data = b''
        s.settimeout(timeout)
        while b'ARMZ-RC ' not in data or not data.endswith(b'\n'):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    return data.decode(errors='replace')


def host_sh(cmd, timeout=60):
    """Runs CMD in the test host; returns (status, output). The host serves
    one command per connection and needs a moment to listen again."""
    for attempt in range(40):
        try:
            text = _host_sh_once(cmd, timeout)
        except (ConnectionResetError, ConnectionRefusedError, BrokenPipeError):
            text = ''
        if 'ARMZ-RC ' in text:
            out, _, rc = text.rpartition('ARMZ-RC ')
            return int(rc.strip() or '255'), out
        time.sleep(0.25)
    raise AssertionError(f'the test host does not answer commands ({cmd!r})')


def host_put(path, data, timeout=120):
    """Writes DATA (bytes) to PATH in the test host: the command the host's
    shell runs reads the rest of the connection."""
    s = socket.create_connection(('127.0.0.1', SHELL_PORT), timeout=timeout)
    try:
        s.sendall(f"cat > '{path}'\n".encode() + data)
        s.shutdown(socket.SHUT_WR)
        reply = b''
        while chunk := s.recv(65536):
            reply += chunk
    finally:
        s.close()
    assert reply.strip().endswith(b'ARMZ-RC 0'), f'cannot write {path} in the test host: {reply!r}'


def let_pciehp_settle():
    """Before plugging a device into a root port a detach has just freed
    (libvirt's choice and ours: the lowest free port): Linux's pciehp ignores
    presence changes for 1 s after it powers a slot off (DEVICE_DELETED comes
    then), so a device plugged in that second is never enumerated, with QEMU
    too. Tier 45 saw it once in test_hotplug and once in the Nova guest."""
    time.sleep(3)


def wait_for(pred, timeout, what, step=0.5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f'timed out after {timeout}s waiting for {what}')


def try_open():
    """A connection to virtarmzd, or None while it is not serving."""
    try:
        return libvirt.open(URI)
    except libvirt.libvirtError:
        return None


def restart_daemon(timeout=60):
    """Stop virtarmzd (serve.sh starts it again) and return a connection
    to the new one. The old daemon drains its clients before it exits and
    still accepts meanwhile, so wait for its process to be gone first: a
    connection opened in that window dies with it."""
    rc, out = host_sh(f'cat {ROOT}/run/virtarmzd.pid')
    pid = out.strip()
    assert rc == 0 and pid.isdigit(), f'no virtarmzd pid file: {out!r}'
    rc, out = host_sh(f'kill {pid}')
    assert rc == 0, out
    wait_for(lambda: host_sh(f'kill -0 {pid}')[0] != 0, timeout, f'virtarmzd {pid} to exit')
    return wait_for(try_open, timeout, 'the restarted daemon')


def remove_domains(conn, *names):
    """Test cleanup: the domains NAMES destroyed and undefined, where they exist."""
    for name in names:
        try:
            d = conn.lookupByName(name)
            if d.isActive():
                d.destroy()
            d.undefine()
        except libvirt.libvirtError:
            pass


def remove_network(conn, name):
    """Test cleanup: the network NAME destroyed and undefined, where it exists."""
    try:
        n = conn.networkLookupByName(name)
        if n.isActive():
            n.destroy()
        n.undefine()
    except libvirt.libvirtError:
        pass


def domain_xml(name, mode='wait', vcpus=1, memory_mib=192, extra=''):
    """An Arm64 guest of the test payload: the guest's /init prints
    "ARMZ-GUEST INIT" and, in mode 'wait', waits for the power button."""
    return f'''<domain type='kvm'>
  <name>{name}</name>
  <memory unit='MiB'>{memory_mib}</memory>
  <vcpu>{vcpus}</vcpu>
  <os>
    <type arch='aarch64' machine='virt'>hvm</type>
    <kernel>{GUEST}/Image</kernel>
    <initrd>{GUEST}/initrd</initrd>
    <cmdline>console=ttyAMA0 quiet panic=-1 armz.mode={mode}</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <devices>
    <serial type='pty'>
      <log file='{ROOT}/{name}-serial.log' append='on'/>
    </serial>
    <console type='pty'><target type='serial'/></console>
    {extra}
  </devices>
</domain>'''


def serial_log(name):
    rc, out = host_sh(f'cat {ROOT}/{name}-serial.log 2>/dev/null')
    return out


def wait_guest_marker(name, marker='ARMZ-GUEST INIT', count=1, timeout=BOOT_TIMEOUT):
    try:
        return wait_for(lambda: serial_log(name).count(marker) >= count, timeout,
                        f'{marker!r} x{count} on the serial line of {name}')
    except AssertionError as e:
        # what the guest did say
        tail = '\n'.join(serial_log(name).splitlines()[-15:])
        raise AssertionError(f'{e}; its last lines:\n{tail}') from None


def wait_powerkey_ready(name, count=1):
    """The guest listens to its power button (shutdown before that is lost,
    as an ACPI button press before the guest's OS is up)."""
    return wait_guest_marker(name, 'ARMZ-GUEST POWERKEY-READY', count)


def wait_state(dom, state, timeout=STOP_TIMEOUT):
    return wait_for(lambda: dom.state()[0] == state, timeout,
                    f'domain {dom.name()} in state {state}')


class Events:
    """Lifecycle and reboot events of one connection, recorded in order."""

    _loop_started = False
    _lock = threading.Lock()

    @classmethod
    def start_loop(cls):
        with cls._lock:
            if cls._loop_started:
                return
            libvirt.virEventRegisterDefaultImpl()

            def run():
                while True:
                    libvirt.virEventRunDefaultImpl()
            threading.Thread(target=run, daemon=True).start()
            cls._loop_started = True

    def __init__(self, conn):
        self.items = []
        self.cond = threading.Condition()
        self.conn = conn
        self.ids = [
            conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                        self._lifecycle, None),
            conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT,
                                        self._reboot, None),
        ]

    def _lifecycle(self, conn, dom, event, detail, opaque):
        with self.cond:
            self.items.append((dom.name(), event, detail))
            self.cond.notify_all()

    def _reboot(self, conn, dom, opaque):
        with self.cond:
            self.items.append((dom.name(), 'reboot', None))
            self.cond.notify_all()

    def of(self, name):
        with self.cond:
            return [(e, d) for n, e, d in self.items if n == name]

    def wait(self, name, event, detail=None, timeout=STOP_TIMEOUT):
        def seen():
            return any(e == event and (detail is None or d == detail)
                       for e, d in self.of(name))
        end = time.monotonic() + timeout
        with self.cond:
            while not seen():
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError(f'no event {event}/{detail} for {name}; '
                                         f'got {self.of(name)}')
                self.cond.wait(left)

    def close(self):
        for i in self.ids:
            try:
                self.conn.domainEventDeregisterAny(i)
            except libvirt.libvirtError:
                pass


def virsh(*args, check=True, timeout=120):
    p = subprocess.run(['virsh', '-c', URI, *args], capture_output=True, text=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f'virsh {" ".join(args)} failed: {p.stderr.strip()}')
    return p
