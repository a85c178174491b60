#!/usr/bin/python3
"""A stand-in for armz-vmm in tier 30 (<emulator>): serves QMP on the
listening socket the daemon passes (--qmp-fd), and for every
--vhost-user-blk and --vhost-user-fs socket=PATH connects to the backend the daemon started and
asks it for its features (VHOST_USER_GET_FEATURES), reconnecting when the
backend goes away, as armz-vmm's frontend does. What it sees goes to its
stdout, the domain log: "fake-vmm: vhost-user ID features 0x...", with a
connection count, and each QMP command but queries ("fake-vmm: qmp CMD
ARGS"). query-blockstats lists each vhost-user-blk id with the counters of
blockstats() (what armz-vmm reads off the rings). Nothing here runs a
guest."""
import json
import os
import socket
import struct
import sys
import threading
import time

GET_FEATURES = 1
VERSION = 0x1
REPLY = 0x4


def say(msg):
    sys.stdout.write(f'fake-vmm: {msg}\n')
    sys.stdout.flush()


def opts(argv, name):
    return [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == name]


def recv_exact(s, n):
    buf = b''
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError('closed')
        buf += chunk
    return buf


def frontend(spec):
    kv = dict(p.split('=', 1) for p in spec.split(','))
    path, ident = kv['socket'], kv.get('id', '?')
    if len(path.encode()) > 107:    # as armz-vmm refuses it (sun_path)
        say(f'vhost-user {ident}: socket path too long ({len(path.encode())} bytes): {path}')
        return
    count = 0
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
        except OSError:
            time.sleep(0.1)
            continue
        try:
            s.sendall(struct.pack('<III', GET_FEATURES, VERSION, 0))
            req, flags, size = struct.unpack('<III', recv_exact(s, 12))
            (features,) = struct.unpack('<Q', recv_exact(s, size))
            count += 1
            say(f'vhost-user {ident} features {features:#x} connection {count}')
            while s.recv(4096):     # the backend closes it when it dies
                pass
        except (OSError, ConnectionError, struct.error) as e:
            say(f'vhost-user {ident} lost: {e}')
        s.close()
        say(f'vhost-user {ident} disconnected')


def blockstats(ident, k):
    """The made-up counters of the Kth vhost-user-blk disk, ID."""
    return {'device': ident, 'node-name': ident, 'stats': {
        'rd_bytes': (k + 1) << 20, 'wr_bytes': (k + 1) * 4096, 'rd_operations': 16 * (k + 1),
        'wr_operations': k + 1, 'flush_operations': 2, 'rd_total_time_ns': 7000,
        'wr_total_time_ns': 3000, 'flush_total_time_ns': 500, 'failed_rd_operations': 0,
        'failed_wr_operations': 0, 'failed_flush_operations': 0, 'unmap_operations': 0,
        'unmap_bytes': 0, 'wr_highest_offset': 4096}}


def qmp(fd, blks):
    lsock = socket.socket(fileno=fd)
    while True:
        c, _ = lsock.accept()
        f = c.makefile('rwb')
        f.write(b'{"QMP": {"version": {"qemu": {"micro": 0, "minor": 0, "major": 0}, '
                b'"package": "fake"}, "capabilities": []}}\r\n')
        f.flush()
        for line in f:
            try:
                req = json.loads(line)
            except ValueError:
                continue
            rep = {'return': {}}
            if req.get('execute') == 'query-blockstats':
                rep['return'] = [blockstats(dict(p.split('=', 1) for p in spec.split(',')).get(
                    'id', '?'), k) for k, spec in enumerate(blks)]
            # what the daemon asks of it beyond polling, for the tests
            cmd = req.get('execute', '')
            if not cmd.startswith('query-') and cmd != 'qmp_capabilities':
                say(f"qmp {cmd} {json.dumps(req.get('arguments', {}), sort_keys=True)}")
            if 'id' in req:
                rep['id'] = req['id']
            f.write(json.dumps(rep).encode() + b'\r\n')
            f.flush()
            if req.get('execute') == 'quit':
                os._exit(0)


def main(argv):
    say('args ' + ' '.join(argv[1:]))
    for spec in opts(argv, '--vhost-user-blk') + opts(argv, '--vhost-user-fs'):
        threading.Thread(target=frontend, args=(spec,), daemon=True).start()
    qmp(int(opts(argv, '--qmp-fd')[0]), opts(argv, '--vhost-user-blk'))


if __name__ == '__main__':
    main(sys.argv)
