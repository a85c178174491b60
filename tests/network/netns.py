"""Network namespaces for the network tests: the daemon runs in a "host"
namespace of its own, clients and a server sit in namespaces wired to it by
veth pairs, so bridges, dnsmasq and nftables rules never touch the
machine's real interfaces."""
import os
import signal
import subprocess
import time

_seq = [0]


def run(*cmd, check=True, timeout=30, input=None):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input)
    if check and p.returncode != 0:
        raise AssertionError(f'{" ".join(cmd)} failed ({p.returncode}):\n{p.stdout}{p.stderr}')
    return p


def usable():
    """None when namespaces can be made here, else why not."""
    if os.geteuid() != 0:
        return 'needs root (CAP_NET_ADMIN) to create network namespaces'
    for tool in ('ip', 'nft', 'dnsmasq', 'busybox'):
        if not any(os.access(os.path.join(d, tool), os.X_OK)
                   for d in os.environ.get('PATH', '').split(':') + ['/usr/sbin', '/sbin']):
            return f'{tool} is not installed (tests/deps/network.list)'
    name = f'armzprobe{os.getpid()}'
    p = run('ip', 'netns', 'add', name, check=False)
    if p.returncode != 0:
        return f'cannot create a network namespace: {p.stderr.strip()}'
    run('ip', 'netns', 'del', name, check=False)
    return None


class Netns:
    """One namespace; removed (with every process left in it) by close()."""

    def __init__(self, tag):
        _seq[0] += 1
        self.name = f'armz{os.getpid() % 100000}{tag}{_seq[0]}'
        run('ip', 'netns', 'add', self.name)
        self.ip('link', 'set', 'lo', 'up')

    def prefix(self):
        return ['ip', 'netns', 'exec', self.name]

    def exec(self, *cmd, check=True, timeout=30, input=None):
        return run(*self.prefix(), *cmd, check=check, timeout=timeout, input=input)

    def ip(self, *args, check=True):
        return run('ip', '-n', self.name, *args, check=check)

    def popen(self, *cmd, **kw):
        return subprocess.Popen(self.prefix() + list(cmd), **kw)

    def pids(self):
        p = run('ip', 'netns', 'pids', self.name, check=False)
        return [int(x) for x in p.stdout.split()]

    def link_exists(self, name):
        return self.ip('link', 'show', 'dev', name, check=False).returncode == 0

    def nft(self, *args, check=True):
        return self.exec('nft', *args, check=check)

    def close(self):
        # dnsmasq and servers started in here: daemons of our tests
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        run('ip', 'netns', 'del', self.name, check=False)


def veth(ns_a, name_a, ns_b, name_b):
    """A veth pair NAME_A in NS_A <-> NAME_B in NS_B, both up."""
    tmp_a, tmp_b = f'va{os.getpid() % 100000}{_seq[0]}', f'vb{os.getpid() % 100000}{_seq[0]}'
    _seq[0] += 1
    run('ip', 'link', 'add', tmp_a, 'netns', ns_a.name, 'type', 'veth',
        'peer', 'name', tmp_b, 'netns', ns_b.name)
    ns_a.ip('link', 'set', tmp_a, 'name', name_a)
    ns_b.ip('link', 'set', tmp_b, 'name', name_b)
    ns_a.ip('link', 'set', name_a, 'up')
    ns_b.ip('link', 'set', name_b, 'up')


UDHCPC_SCRIPT = """#!/bin/sh
# busybox udhcpc hook: apply the lease, nothing else
case "$1" in
  deconfig) ip addr flush dev "$interface" ;;
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    if [ -n "$router" ]; then
      ip route replace default via "${router%% *}" dev "$interface"
    fi
    echo "LEASE $ip ROUTER ${router:-none}" ;;
esac
"""


class Client:
    """A namespace plugged into bridge BRIDGE of HOST by a veth pair."""

    def __init__(self, host, bridge, tmpdir, tag='c'):
        self.ns = Netns(tag)
        self.port = f'p{_seq[0]}{tag}'[:15]
        veth(host, self.port, self.ns, 'eth0')
        host.ip('link', 'set', self.port, 'master', bridge)
        self.script = os.path.join(tmpdir, f'udhcpc-{self.ns.name}.sh')
        with open(self.script, 'w') as f:
            f.write(UDHCPC_SCRIPT)
        os.chmod(self.script, 0o755)
        self.mac = self.ns.exec('cat', '/sys/class/net/eth0/address').stdout.strip()

    def dhcp(self, hostname='client', tries=12):
        """Runs udhcpc once; returns (ip, router) or None."""
        p = self.ns.exec('busybox', 'udhcpc', '-i', 'eth0', '-n', '-q', '-f',
                         '-t', str(tries), '-T', '1', '-A', '1', '-s', self.script,
                         '-x', f'hostname:{hostname}', check=False, timeout=tries * 3 + 10)
        for line in p.stdout.splitlines():
            if line.startswith('LEASE '):
                parts = line.split()
                return parts[1], (None if parts[3] == 'none' else parts[3])
        return None

    def routes(self):
        return self.ns.ip('route', 'show').stdout

    def tcp_peer(self, addr, port, timeout=3):
        """Connects to ADDR:PORT; returns what the server says (our address
        as it sees it), or None when the connection fails."""
        code = ('import socket,sys\n'
                'try:\n'
                f'    s = socket.create_connection(({addr!r}, {port}), timeout={timeout})\n'
                '    print(s.recv(100).decode())\n'
                'except OSError as e:\n'
                '    print("ERROR", e); sys.exit(1)\n')
        p = self.ns.exec('/usr/bin/python3', '-c', code, check=False, timeout=timeout + 10)
        return p.stdout.strip() if p.returncode == 0 else None

    def close(self):
        self.ns.close()


PEER_SERVER = """
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', {port}))
s.listen(8)
print('ready', flush=True)
while True:
    c, a = s.accept()
    c.sendall(a[0].encode())
    c.close()
"""


class Server:
    """A third namespace, reachable from HOST over a veth uplink
    (HOST_ADDR <-> SERVER_ADDR in a /24) and with no route back to any
    virtual network: only NAT lets a guest reach it."""

    def __init__(self, host, host_addr='198.51.100.1', addr='198.51.100.2', port=8080):
        self.ns = Netns('s')
        self.addr, self.port = addr, port
        veth(host, 'uplink0', self.ns, 'eth0')
        host.ip('addr', 'add', f'{host_addr}/24', 'dev', 'uplink0')
        self.ns.ip('addr', 'add', f'{addr}/24', 'dev', 'eth0')
        self.proc = self.ns.popen('/usr/bin/python3', '-c', PEER_SERVER.format(port=port),
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert self.proc.stdout.readline().strip() == 'ready'

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.ns.close()


def wait_for(fn, timeout=5, step=0.05):
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > end:
            return v
        time.sleep(step)
