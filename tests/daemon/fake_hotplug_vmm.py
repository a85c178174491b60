#!/usr/bin/python3
"""A stand-in for armz-vmm in tier 30 (<emulator>) that speaks the hotplug
part of its QMP (docs/hotplug.md): getfd, device_add (checked against the
ports given by --pcie-root-port), device_del answered at once and followed by
DEVICE_DELETED, or by DEVICE_UNPLUG_GUEST_ERROR for an id beginning with
"ua-stuck" (a guest that never lets go), set_link on a NIC of --net id= or
device_add. Each command goes to its stdout,
the domain log: "fake-vmm: qmp NAME ARGS". Nothing here runs a guest."""
import json
import os
import socket
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


def serve(conn, buses, nets):
    lock = threading.Lock()
    f = conn.makefile('rwb')
    devices = {}

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
    for line in f:
        try:
            req = json.loads(line)
        except ValueError:
            continue
        cmd, args = req.get('execute'), req.get('arguments', {})
        say(f'qmp {cmd} {json.dumps(args, sort_keys=True)}')
        rep = {'return': {}}
        if cmd == 'device_add':
            if args.get('bus') not in buses:
                rep = {'error': {'class': 'GenericError',
                                 'desc': f"unknown bus '{args.get('bus')}'"}}
            elif args['bus'] in devices.values():
                rep = {'error': {'class': 'GenericError', 'desc': 'port occupied'}}
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
    buses, nets = ports(argv), nics(argv)
    while True:
        c, _ = lsock.accept()
        serve(c, buses, nets)


if __name__ == '__main__':
    main(sys.argv)
