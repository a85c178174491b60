"""Malformed packets, raw protocol edge cases, many clients: the daemon keeps
serving everyone else."""
import os
import random
import socket
import struct
import threading
import time

import libvirt
import pytest

import armzd
from armzd import (CALL, ERROR, KEEPALIVE_PROGRAM, MAX_MESSAGE, MESSAGE, OK, REMOTE_PROGRAM,
                   REPLY, domain_xml, packet, raw_connect, recv_packet, wait_closed,
                   xdr_opt_string, xdr_string)

SEED = 20261121
PROC_OPEN, PROC_GET_TYPE, PROC_DEFINE_XML, PROC_LOOKUP_BY_NAME = 1, 3, 11, 23
PROC_SUPPORTS_FEATURE, PROC_AUTH_LIST, PROC_GET_LIB_VERSION = 60, 66, 157
PROC_EVENT_REGISTER_ANY = 316


def send(s, data):
    try:
        s.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


def open_call(serial=1):
    return packet(proc=PROC_OPEN, serial=serial,
                  body=xdr_opt_string('armz:///system') + struct.pack('>I', 0))


def handshake(path):
    s = raw_connect(path)
    send(s, open_call(1))
    hdr, body = recv_packet(s, 5)
    assert hdr[2] == PROC_OPEN and hdr[3] == REPLY and hdr[4] == 1, hdr
    assert hdr[5] == OK, f'CONNECT_OPEN failed on a raw socket: {hdr} {body[:200]!r}'
    return s


# ------------------------------------------------------------ targeted cases

def test_raw_open_and_pipelined_calls(daemon):
    s = handshake(daemon.sock)
    # 50 calls in one write, answered in any order, each once, serials echoed
    data = b''.join(packet(proc=PROC_GET_LIB_VERSION, serial=100 + i) for i in range(50))
    send(s, data)
    serials = []
    for _ in range(50):
        hdr, body = recv_packet(s, 5)
        assert hdr[:4] == (REMOTE_PROGRAM, 1, PROC_GET_LIB_VERSION, REPLY), hdr
        assert hdr[5] == OK
        assert len(body) == 8  # unsigned hyper
        serials.append(hdr[4])
    assert sorted(serials) == list(range(100, 150))
    s.close()


def test_raw_keepalive_ping_pong(daemon):
    s = handshake(daemon.sock)
    send(s, packet(prog=KEEPALIVE_PROGRAM, proc=1, mtype=MESSAGE, serial=0))
    deadline = time.monotonic() + 5
    while True:
        ln = struct.unpack('>I', armzd.recv_exact(s, 4, deadline))[0]
        data = armzd.recv_exact(s, ln - 4, deadline)
        hdr = struct.unpack('>6I', data[:24])
        if hdr[0] == KEEPALIVE_PROGRAM and hdr[2] == 2:
            assert hdr[3] == MESSAGE and ln == 28, hdr
            break
        if hdr[0] == KEEPALIVE_PROGRAM and hdr[2] == 1:   # the daemon's own ping
            continue
        raise AssertionError(f'unexpected packet instead of PONG: {hdr}')
    s.close()


def test_call_before_open_is_an_error(daemon):
    s = raw_connect(daemon.sock)
    send(s, packet(proc=PROC_GET_TYPE, serial=7))
    try:
        hdr, body = recv_packet(s, 5)
    except EOFError:
        return  # closing the client is acceptable too
    assert hdr[2] == PROC_GET_TYPE and hdr[4] == 7 and hdr[3] == REPLY, hdr
    assert hdr[5] == ERROR, 'GET_TYPE answered OK before CONNECT_OPEN'
    s.close()


def test_unknown_procedure_is_no_support(daemon):
    s = handshake(daemon.sock)
    send(s, packet(proc=203, serial=9))          # CONNECT_GET_SYSINFO {flags}: no body
    hdr, body = recv_packet(s, 5)
    assert hdr[2] == 203 and hdr[4] == 9 and hdr[5] == ERROR, hdr
    code, = struct.unpack('>i', body[:4])
    assert code in (libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_RPC), armzd.errname(code)
    send(s, packet(proc=203, serial=10, body=struct.pack('>I', 0)))
    hdr, body = recv_packet(s, 5)
    assert hdr[4] == 10 and hdr[5] == ERROR
    assert struct.unpack('>i', body[:4])[0] == libvirt.VIR_ERR_NO_SUPPORT
    send(s, packet(proc=99999, serial=11))       # not a procedure at all
    try:
        hdr, body = recv_packet(s, 5)
        assert hdr[4] == 11 and hdr[5] == ERROR, hdr
    except EOFError:
        pass
    s.close()


@pytest.mark.parametrize('length', [0, 4, 27, MAX_MESSAGE + 5, 0x7fffffff, 0xffffffff])
def test_bad_length_closes_client(daemon, conn, length):
    s = raw_connect(daemon.sock)
    send(s, struct.pack('>I', length) + b'\0' * 24)
    closed, _ = wait_closed(s, 5)
    assert closed, f'length {length}: the daemon kept the connection open'
    s.close()
    assert conn.getLibVersion() > 0
    assert daemon.alive()


@pytest.mark.parametrize('prog,vers', [(0x12345678, 1), (REMOTE_PROGRAM, 2),
                                       (KEEPALIVE_PROGRAM, 7)])
def test_unknown_program_closes_client(daemon, conn, prog, vers):
    s = raw_connect(daemon.sock)
    send(s, packet(prog=prog, vers=vers, proc=1, serial=3))
    closed, got = wait_closed(s, 5)
    assert closed, f'program {prog:#x} v{vers}: connection left open (got {got!r})'
    s.close()
    assert conn.getLibVersion() > 0


# ------------------------------------------------------------ the fuzz loop

def garbage_xdr(rng):
    """A CALL for a real procedure whose body cannot decode."""
    proc, body = rng.choice([
        (PROC_OPEN, struct.pack('>II', 1, 0x00ffffff) + b'abc'),
        (PROC_OPEN, struct.pack('>I', 7)),                     # bad optional flag
        (PROC_SUPPORTS_FEATURE, b'\x00\x01'),
        (PROC_DEFINE_XML, struct.pack('>I', 5 * 1024 * 1024) + b'<domain'),
        (PROC_DEFINE_XML, struct.pack('>I', 0xfffffff0)),
        (PROC_LOOKUP_BY_NAME, struct.pack('>I', 5000) + b'x' * 10),
        (PROC_EVENT_REGISTER_ANY, struct.pack('>III', 0, 1, 0x7fffffff)),
        (PROC_EVENT_REGISTER_ANY, struct.pack('>I', 0)),
    ])
    return proc, body


def fuzz_case(kind, rng, path):
    """Runs one case; returns None or a string describing wrong behaviour."""
    if kind == 'truncated':
        s = raw_connect(path)
        full = packet(proc=PROC_LOOKUP_BY_NAME, serial=rng.randrange(1 << 31),
                      body=xdr_string('x' * rng.randrange(1, 400)))
        send(s, full[:rng.randrange(1, len(full))])
        if rng.random() < 0.5:
            time.sleep(0.05)
        s.close()
    elif kind == 'too_long':
        s = raw_connect(path)
        send(s, struct.pack('>I', rng.randrange(MAX_MESSAGE + 1, 1 << 32)) +
             bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 64))))
        closed, _ = wait_closed(s, 3)
        s.close()
        if not closed:
            return 'length > 32 MiB: connection not closed'
    elif kind == 'too_short':
        s = raw_connect(path)
        send(s, struct.pack('>I', rng.randrange(0, 28)) + b'\0' * 28)
        closed, _ = wait_closed(s, 3)
        s.close()
        if not closed:
            return 'length < 28: connection not closed'
    elif kind == 'garbage_xdr':
        s = handshake(path) if rng.random() < 0.7 else raw_connect(path)
        proc, body = garbage_xdr(rng)
        serial = rng.randrange(2, 1 << 31)
        send(s, packet(proc=proc, serial=serial, body=body))
        try:
            hdr, _ = recv_packet(s, 3)
            if hdr[5] == OK:
                return f'garbage XDR for proc {proc}: answered OK'
            if hdr[4] != serial or hdr[2] != proc:
                return f'garbage XDR for proc {proc}: reply {hdr} does not echo the call'
        except (EOFError, ConnectionResetError):
            pass
        except TimeoutError:
            return f'garbage XDR for proc {proc}: neither reply nor close in 3 s'
        finally:
            s.close()
    elif kind == 'unknown_program':
        s = raw_connect(path)
        prog = rng.choice([rng.getrandbits(32), REMOTE_PROGRAM + 1, 0])
        send(s, packet(prog=prog, proc=rng.randrange(1, 500), serial=1))
        closed, _ = wait_closed(s, 3)
        s.close()
        if not closed:
            return f'unknown program {prog:#x}: connection not closed'
    elif kind == 'random_bytes':
        s = raw_connect(path)
        send(s, bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 3000))))
        wait_closed(s, 0.05)
        s.close()
    elif kind == 'wrong_type':
        s = handshake(path)
        send(s, packet(proc=PROC_GET_LIB_VERSION, mtype=rng.choice([REPLY, 3, 5, 6, 77]),
                       status=rng.choice([0, 1, 2, 9]), serial=5))
        wait_closed(s, 0.1)
        s.close()
    elif kind == 'big_then_close':
        s = handshake(path)
        xml = domain_xml('big', description='x' * (3 * 1024 * 1024))
        data = packet(proc=PROC_DEFINE_XML, serial=9, body=xdr_string(xml))
        send(s, data[:rng.randrange(len(data) // 2, len(data))])
        s.close()
    return None


KINDS = ['truncated', 'too_long', 'too_short', 'garbage_xdr', 'unknown_program',
         'random_bytes', 'wrong_type', 'big_then_close']


def test_fuzz_malformed_packets(daemon):
    rng = random.Random(SEED)
    log_before = len(daemon.log())
    stop = threading.Event()
    client_errors, ops = [], [0]

    def client():
        try:
            c = libvirt.open(daemon.uri)
            i = 0
            while not stop.is_set():
                n = f'fz{i}'
                c.defineXML(domain_xml(n))
                assert n in [d.name() for d in c.listAllDomains(0)]
                c.lookupByName(n).XMLDesc(0)
                if i % 2:
                    c.lookupByName(n).undefine()
                ops[0] += 1
                i += 1
            c.close()
        except Exception as e:  # noqa: BLE001
            client_errors.append(repr(e))

    t = threading.Thread(target=client)
    t.start()
    problems = {}
    counts = {k: 0 for k in KINDS}
    deadline = time.monotonic() + 20
    virsh_ok = 0
    try:
        for i in range(400):
            if time.monotonic() > deadline or not daemon.alive():
                break
            kind = rng.choice(KINDS)
            if kind in problems:
                continue  # one failure per kind is enough, keep the time bounded
            counts[kind] += 1
            try:
                err = fuzz_case(kind, rng, daemon.sock)
            except (ConnectionRefusedError, FileNotFoundError) as e:
                err = f'connect failed: {e}'
            except AssertionError as e:
                err = f'{kind}: {e}'
            except (EOFError, TimeoutError, ConnectionResetError) as e:
                err = f'{kind}: handshake failed: {e!r}'
            if err:
                problems[kind] = err
            if i % 50 == 25:
                r = daemon.virsh('list', '--all', check=False, timeout=15)
                if r.rc == 0:
                    virsh_ok += 1
                else:
                    problems.setdefault('virsh', repr(r))
    finally:
        stop.set()
        t.join(30)
    assert daemon.alive(), 'the daemon died during the fuzz loop:\n' + daemon.log_tail()
    assert not client_errors, f'the well-behaved client failed: {client_errors}'
    assert ops[0] >= 10, f'the well-behaved client made only {ops[0]} loops'
    assert not problems, problems
    assert virsh_ok >= 1
    r = daemon.virsh('list', '--all')
    assert r.rc == 0
    c = libvirt.open(daemon.uri)
    assert c.getLibVersion() > 0
    c.close()
    assert len(daemon.log()) > log_before, 'malformed packets left no log line'
    print(f'fuzz: {sum(counts.values())} cases {counts}, client loops {ops[0]}')


def test_many_idle_connections(daemon, conn):
    socks = []
    try:
        for i in range(200):
            socks.append(raw_connect(daemon.sock if i % 2 else daemon.sock_ro))
        t0 = time.monotonic()
        assert conn.listAllDomains(0) == []
        conn.defineXML(domain_xml('busy'))
        assert time.monotonic() - t0 < 5
        r = daemon.virsh('list', '--all', '--name')
        assert r.out.split() == ['busy']
    finally:
        for s in socks:
            s.close()
    time.sleep(0.2)
    assert conn.getLibVersion() > 0


def test_sigterm_with_clients_connected(daemons):
    d = daemons.new()
    conns = [libvirt.open(d.uri) for _ in range(5)]
    ro = libvirt.openReadOnly(d.uri_ro)
    raw = raw_connect(d.sock)
    send(raw, b'\0\0\0\x40partial')
    assert conns[0].getLibVersion() > 0
    t0 = time.monotonic()
    d.stop(timeout=10)   # must exit 0, promptly, with clients attached
    assert time.monotonic() - t0 < 10
    raw.close()
    for c in conns + [ro]:
        try:
            c.close()
        except libvirt.libvirtError:
            pass
