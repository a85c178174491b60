#!/usr/bin/python3
"""A stand-in for armz-vmm in tier 30 (<emulator>) that speaks the hotplug
part of its QMP (docs/hotplug.md): getfd, device_add (checked against the
ports given by --pcie-root-port), device_del answered at once and followed by
DEVICE_DELETED, or by DEVICE_UNPLUG_GUEST_ERROR for an id beginning with
"ua-stuck" (a guest that never lets go); device_add of an id beginning with
"ua-fail" is refused. A vhost-user-blk-pci connects to
its 'path' and asks the back-end for its features (VHOST_USER_GET_FEATURES),
as armz-vmm's frontend does first: "fake-vmm: vhost-user ID features 0x...";
it needs --memfd, as armz-vmm does. set_link works on a NIC of --net id= or
device_add. Each command goes to its stdout,
the domain log: "fake-vmm: qmp NAME ARGS". Nothing here runs a guest."""
import array
import json
import os
import socket
import struct
import sys
import threading
import time


def say(msg):
    sys.stdout.write(f'fake-vmm: {msg}\n')
    sys.stdout.flush()


def opts(argv, name):
    return [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == name]


def ports(argv):
    out = set()
    for spec in opts(argv, '--pcie-root-port'):
        kv = dict(p.split('=', 1) for p in spec.split(',') if '=' in p)
        out.add('pci.' + kv['index'])
    return out


def nics(argv):
    out = set()
    for spec in opts(argv, '--net'):
        kv = dict(p.split('=', 1) for p in spec.split(',') if '=' in p)
        if 'id' in kv:
            out.add(kv['id'])
    return out


def vhost_user(path, ident, fd):
    """Asks the back-end for its features on FD (connected by the daemon:
    the export takes one client at a time), or connects to PATH."""
    if fd is not None:
        s = socket.socket(fileno=fd)
    else:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
    s.sendall(struct.pack('<III', 1, 1, 0))
    hdr = b''
    while len(hdr) < 20:
        chunk = s.recv(20 - len(hdr))
        if not chunk:
            raise ConnectionError('back-end closed the socket')
        hdr += chunk
    (features,) = struct.unpack('<Q', hdr[12:20])
    say(f'vhost-user {ident} features {features:#x}')
    return s


# the VM's devices outlive a client (a restarted virtarmzd connects anew)
devices = {}
backends = {}
nets = set()      # NICs by id: set_link knows them


def requests(conn, fds):
    """The lines CONN sends; descriptors passed with them go to FDS."""
    buf = b''
    while True:
        data, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(16 * 4))
        for level, kind, d in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.extend(array.array('i', d[:len(d) - len(d) % 4]))
        if not data:
            return
        buf += data
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            yield line


def serve(conn, buses, memfd):
    lock = threading.Lock()
    f = conn.makefile('rwb')

    def send(obj):
        with lock:
            f.write(json.dumps(obj).encode() + b'\r\n')
            f.flush()

    def later(event, ident):
        time.sleep(0.2)
        send({'event': event, 'data': {'device': ident, 'path': f'/machine/peripheral/{ident}'},
              'timestamp': {'seconds': int(time.time()), 'microseconds': 0}})

    send({'QMP': {'version': {'qemu': {'micro': 0, 'minor': 0, 'major': 0},
                              'package': 'fake'}, 'capabilities': []}})
    received, named = [], {}
    for line in requests(conn, received):
        try:
            req = json.loads(line)
        except ValueError:
            continue
        cmd, args = req.get('execute'), req.get('arguments', {})
        say(f'qmp {cmd} {json.dumps(args, sort_keys=True)}')
        rep = {'return': {}}
        if cmd == 'getfd' and received:
            named[args.get('fdname')] = received.pop(0)
        if cmd == 'device_add':
            if args.get('bus') not in buses:
                rep = {'error': {'class': 'GenericError',
                                 'desc': f"unknown bus '{args.get('bus')}'"}}
            elif args['bus'] in devices.values():
                rep = {'error': {'class': 'GenericError', 'desc': 'port occupied'}}
            elif args['id'].startswith('ua-fail'):
                rep = {'error': {'class': 'GenericError', 'desc': 'device_add refused'}}
            elif args.get('driver') == 'vhost-user-blk-pci' and not memfd:
                rep = {'error': {'class': 'GenericError',
                                 'desc': 'vhost-user-blk-pci needs guest RAM from a memfd'}}
            elif args.get('driver') == 'vhost-user-blk-pci':
                try:
                    backends[args['id']] = vhost_user(args['path'], args['id'],
                                                      named.pop(args.get('fdname'), None))
                    devices[args['id']] = args['bus']
                except (OSError, KeyError) as e:
                    rep = {'error': {'class': 'GenericError', 'desc': f'vhost-user: {e}'}}
            else:
                devices[args['id']] = args['bus']
                if args.get('driver') == 'virtio-net-pci':
                    nets.add(args['id'])
        elif cmd == 'set_link':
            if args.get('name') not in nets or not isinstance(args.get('up'), bool):
                rep = {'error': {'class': 'GenericError',
                                 'desc': f"Device '{args.get('name')}' not found"}}
        elif cmd == 'device_del':
            ident = args.get('id')
            if ident not in devices:
                rep = {'error': {'class': 'GenericError',
                                 'desc': f"Device '{ident}' not found"}}
            else:
                stuck = ident.startswith('ua-stuck')
                if not stuck:
                    del devices[ident]
                    if ident in backends:
                        backends.pop(ident).close()
                threading.Thread(target=later, daemon=True, args=(
                    'DEVICE_UNPLUG_GUEST_ERROR' if stuck else 'DEVICE_DELETED', ident)).start()
        if 'id' in req:
            rep['id'] = req['id']
        send(rep)
        if cmd == 'quit':
            os._exit(0)


def main(argv):
    say('args ' + ' '.join(argv[1:]))
    lsock = socket.socket(fileno=int(opts(argv, '--qmp-fd')[0]))
    buses = ports(argv)
    nets.update(nics(argv))
    while True:
        c, _ = lsock.accept()
        serve(c, buses, '--memfd' in argv)


if __name__ == '__main__':
    main(sys.argv)
