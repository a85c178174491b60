"""Resource limits of the daemon against hostile clients (issue 13, holes 2
and 3): a client that never reads its replies, large partial packets on many
connections, and idle read-only connections cannot exhaust the daemon's
memory or lock the administrator out of the read-write socket."""
import os
import socket
import struct
import threading
import time

import libvirt

import armzd
from armzd import REPLY, OK, packet, raw_connect, recv_packet, wait_closed, xdr_opt_string

PROC_OPEN, PROC_GET_CAPABILITIES = 1, 7
MIB = 1024 * 1024


def vm_rss_kib(pid):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise AssertionError('no VmRSS')


def with_conf(daemons, conf):
    """A daemon, not started, whose armz.conf is CONF."""
    d = daemons.new(start=False)
    etc = os.path.join(d.root, 'etc', 'libvirt')
    os.makedirs(etc, exist_ok=True)
    with open(os.path.join(etc, 'armz.conf'), 'w') as f:
        f.write(conf)
    return d


def start_with_conf(daemons, conf):
    return with_conf(daemons, conf).start()


def handshake(path):
    s = raw_connect(path)
    s.sendall(packet(proc=PROC_OPEN, serial=1,
                     body=xdr_opt_string('armz:///system') + struct.pack('>I', 0)))
    hdr, body = recv_packet(s, 5)
    assert hdr[2] == PROC_OPEN and hdr[3] == REPLY and hdr[5] == OK, hdr
    return s


def flood(sock, data, stop, sent):
    """Sends DATA over and over without ever reading, until STOP."""
    sock.setblocking(False)
    view = b''
    while not stop.is_set():
        if not view:
            view = data
        try:
            n = sock.send(view)
            sent[0] += n
            view = view[n:]
        except BlockingIOError:
            time.sleep(0.005)
        except OSError:
            return


def test_client_that_never_reads_is_bounded(daemon):
    """Thousands of GET_CAPABILITIES calls whose replies are never read: the
    daemon stops reading that client instead of queueing its replies, its RSS
    stays within 48 MiB of where it started, and others are served."""
    s = handshake(daemon.sock_ro)
    s.sendall(packet(proc=PROC_GET_CAPABILITIES, serial=2))
    hdr, body = recv_packet(s, 5)
    reply_size = len(body)
    assert hdr[5] == OK and reply_size > 1000, (hdr, reply_size)
    base = vm_rss_kib(daemon.pid)

    burst = b''.join(packet(proc=PROC_GET_CAPABILITIES, serial=10 + i) for i in range(2000))
    stop, sent = threading.Event(), [0]
    t = threading.Thread(target=flood, args=(s, burst, stop, sent), daemon=True)
    t.start()
    peak = base
    served = 0
    try:
        c = libvirt.open(daemon.uri)
        end = time.monotonic() + 8
        while time.monotonic() < end:
            t0 = time.monotonic()
            assert c.getLibVersion() > 0
            assert len(c.getCapabilities()) > 1000
            assert time.monotonic() - t0 < 2, 'another client waited > 2 s meanwhile'
            served += 1
            peak = max(peak, vm_rss_kib(daemon.pid))
            time.sleep(0.05)
        c.close()
    finally:
        stop.set()
        t.join(10)
    calls = sent[0] // 28
    grown = (peak - base) // 1024
    print(f'never-read: {calls} calls sent ({calls * reply_size // MIB} MiB of replies), '
          f'RSS {base // 1024} -> peak {peak // 1024} MiB, {served} calls of another client')
    assert grown < 48, (f'daemon RSS grew by {grown} MiB while a client sent {calls} calls '
                        f'and read none of their replies')
    assert served >= 10
    s.close()
    time.sleep(0.5)
    r = daemon.virsh('list', '--all', ro=True)
    assert r.rc == 0


def test_partial_large_packets_share_one_budget(daemons):
    """Four connections each announce a 32 MiB packet and send all but its
    last bytes: with max_large_input_bytes of 33 MiB only one of them is read
    at a time, so the daemon's RSS does not grow by four times 32 MiB."""
    d = start_with_conf(daemons, f'max_large_input_bytes = {33 * MIB}\n')
    base = vm_rss_kib(d.pid)
    length = 32 * MIB
    body = packet(proc=PROC_GET_CAPABILITIES, serial=1)[4:28] + b'\0' * (length - 28)
    socks, sent = [], []
    for _ in range(4):
        s = handshake(d.sock_ro)
        s.setblocking(False)
        socks.append(s)
        sent.append(0)
    data = struct.pack('>I', length) + body[:-4]
    end = time.monotonic() + 6
    while time.monotonic() < end:
        progress = False
        for i, s in enumerate(socks):
            if sent[i] >= len(data):
                continue
            try:
                n = s.send(data[sent[i]:sent[i] + MIB])
                sent[i] += n
                progress = True
            except BlockingIOError:
                pass
        if all(x >= len(data) for x in sent):
            break
        if not progress:
            time.sleep(0.02)
    time.sleep(0.5)
    grown = (vm_rss_kib(d.pid) - base) // 1024
    print(f'partial packets: sent {[x // MIB for x in sent]} MiB, RSS grew by {grown} MiB')
    assert grown < 64, f'daemon RSS grew by {grown} MiB for four partial 32 MiB packets'
    # others are still served meanwhile, on both sockets
    assert d.virsh('list', '--all').rc == 0
    assert d.virsh('list', '--all', ro=True).rc == 0
    for s in socks:
        s.close()
    time.sleep(0.5)
    assert d.virsh('list').rc == 0
    after = (vm_rss_kib(d.pid) - base) // 1024
    print(f'partial packets: {after} MiB above the start after the clients left')
    assert after < 16, f'the daemon kept {after} MiB after the clients disconnected'


def test_idle_readonly_clients_do_not_lock_out_the_rw_socket(daemons):
    """More idle read-only connections than the read-only socket may hold,
    opened or not: the read-write socket still serves `virsh list`."""
    d = start_with_conf(daemons, 'max_clients = 40\nrw_reserved_clients = 10\n'
                                 'max_anonymous_clients = 5\n')
    socks = []
    opened = 0
    try:
        for _ in range(40):
            try:
                socks.append(handshake(d.sock_ro))
                opened += 1
            except (OSError, EOFError, TimeoutError, AssertionError):
                break
        for _ in range(20):
            try:
                socks.append(raw_connect(d.sock_ro))
            except OSError:
                break
        time.sleep(0.3)
        for _ in range(3):
            r = d.virsh('list', '--all', check=False, timeout=15)
            assert r.rc == 0, f'the read-write socket refused virsh list: {r!r}'
        c = libvirt.open(d.uri)
        assert c.getLibVersion() > 0
        c.close()
        assert opened <= 30, f'{opened} read-only clients opened; the limit is 40 - 10'
    finally:
        for s in socks:
            s.close()
    time.sleep(0.3)
    assert d.virsh('list', ro=True).rc == 0


def test_unopened_connections_time_out_and_make_room(daemons):
    """A connection that never completes CONNECT_OPEN is dropped after
    anonymous_client_timeout; past max_anonymous_clients the oldest one is."""
    d = start_with_conf(daemons, 'anonymous_client_timeout = 2\nmax_anonymous_clients = 3\n')
    idle = raw_connect(d.sock_ro)
    t0 = time.monotonic()
    closed, _ = wait_closed(idle, 6)
    assert closed, 'a connection that never opened was kept for 6 s'
    assert time.monotonic() - t0 >= 1.5
    idle.close()

    first = [raw_connect(d.sock_ro) for _ in range(3)]
    time.sleep(0.2)
    later = raw_connect(d.sock_ro)
    closed, _ = wait_closed(first[0], 1.5)
    assert closed, 'the oldest unopened connection was kept past max_anonymous_clients'
    # a client that opens at once is not hurt by the others
    s = handshake(d.sock_ro)
    s.sendall(packet(proc=PROC_GET_CAPABILITIES, serial=5))
    hdr, _ = recv_packet(s, 5)
    assert hdr[5] == OK
    time.sleep(2.5)
    s.sendall(packet(proc=PROC_GET_CAPABILITIES, serial=6))
    hdr, _ = recv_packet(s, 5)
    assert hdr[5] == OK, 'an opened connection was dropped by the open timeout'
    for x in first + [later, s]:
        x.close()


def test_keepalive_drops_a_silent_client(daemons):
    """A client that asked for keepalive (CONNECT_SUPPORTS_FEATURE 10, as
    libvirt clients with an event loop do) is pinged when silent and dropped
    after keepalive_count unanswered pings; one that answers stays, and one
    that never asked is not pinged."""
    d = start_with_conf(daemons, 'keepalive_interval = 1\nkeepalive_count = 2\n')

    def ask_keepalive(s):
        s.sendall(packet(proc=60, serial=3, body=struct.pack('>i', 10)))
        hdr, body = recv_packet(s, 5)
        assert hdr[2] == 60 and hdr[5] == OK and body == struct.pack('>i', 1), (hdr, body)

    silent, answering, plain = (handshake(d.sock_ro) for _ in range(3))
    ask_keepalive(silent)
    ask_keepalive(answering)
    pings = 0
    t0 = time.monotonic()
    deadline = t0 + 6
    while time.monotonic() < deadline:
        try:
            ln = struct.unpack('>I', armzd.recv_exact(answering, 4, deadline))[0]
            data = armzd.recv_exact(answering, ln - 4, deadline)
        except TimeoutError:
            break
        hdr = struct.unpack('>6I', data[:24])
        assert hdr[0] == armzd.KEEPALIVE_PROGRAM and hdr[2] == 1 and hdr[3] == armzd.MESSAGE, hdr
        pings += 1
        answering.sendall(packet(prog=armzd.KEEPALIVE_PROGRAM, proc=2, mtype=armzd.MESSAGE,
                                 serial=0))
    assert pings >= 3, f'{pings} keepalive pings in 6 s with keepalive_interval = 1'
    closed, got = wait_closed(silent, 0.5)
    assert closed, 'a client that answered no keepalive ping was kept for 6 s'
    # the answering client and the one that never asked are still served
    for s in (answering, plain):
        s.sendall(packet(proc=PROC_GET_CAPABILITIES, serial=9))
        hdr, _ = recv_packet(s, 5)    # skips pings
        assert hdr[4] == 9 and hdr[5] == OK, hdr
    closed, got = wait_closed(plain, 0.2)
    assert not closed and not got, 'a client that never asked for keepalive was pinged'
    for s in (silent, answering, plain):
        s.close()


def test_client_that_never_reads_its_events_is_dropped(daemons):
    """A read-only client registered for lifecycle events that never reads
    them: once more than max_client_output_bytes of events wait for it, it
    is disconnected instead of holding them; the daemon and others go on."""
    d = start_with_conf(daemons, 'max_client_output_bytes = 65536\n')
    s = handshake(d.sock_ro)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(packet(proc=316, serial=2, body=struct.pack('>iI', 0, 0)))
    hdr, _ = recv_packet(s, 5)
    assert hdr[2] == 316 and hdr[5] == OK, hdr
    base = vm_rss_kib(d.pid)
    c = libvirt.open(d.uri)
    xml = armzd.domain_xml('ev')
    t0 = time.monotonic()
    n = 0
    while time.monotonic() - t0 < 20 and 'does not read its messages' not in d.log():
        for _ in range(50):
            c.defineXML(xml).undefine()
        n += 100
    grown = (vm_rss_kib(d.pid) - base) // 1024
    print(f'unread events: dropped after {n} events, {time.monotonic() - t0:.1f} s')
    assert 'does not read its messages' in d.log(), f'the daemon kept {n} unread events'
    closed, _ = wait_closed(s, 5)
    assert closed, 'the client that read no events is still connected'
    assert grown < 16, f'daemon RSS grew by {grown} MiB'
    assert c.getLibVersion() > 0
    c.close()
    s.close()


def test_bad_limit_settings_are_refused(daemons):
    """Each new setting is checked: a value out of its range stops the
    daemon at start with the file and line."""
    for line in ('max_client_requests = 0', 'max_client_output_bytes = 1024',
                 'keepalive_interval = -2', 'anonymous_client_timeout = "x"',
                 'rw_reserved_clients = -1', 'max_large_input_bytes = 0'):
        d = with_conf(daemons, '# limits\n' + line + '\n')
        try:
            d.start()
        except armzd.DaemonError:
            pass
        else:
            raise AssertionError(f'the daemon started with "{line}"')
        key = line.split()[0]
        assert f'armz.conf:2: unknown setting or bad value for \'{key}\'' in d.log(), d.log()
        d.kill()
        daemons.daemons.remove(d)
    d = with_conf(daemons, 'max_clients = 10\nrw_reserved_clients = 10\n')
    try:
        d.start()
    except armzd.DaemonError:
        pass
    else:
        raise AssertionError('the daemon started with a reserve as large as max_clients')
    assert 'rw_reserved_clients (10) must be less than max_clients (10)' in d.log(), d.log()
    d.kill()
    daemons.daemons.remove(d)
