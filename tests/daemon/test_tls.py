"""armz+tls://: the TCP listener with TLS, libvirt's certificate checks."""
import os

import libvirt
import pytest

import armzd
from armzd import domain_xml, new_uuid
from authenv import CA, CERTTOOL, daemon_with_conf

pytestmark = pytest.mark.skipif(CERTTOOL is None, reason='certtool missing (gnutls-bin)')


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    """Our CA with a server certificate and clients: 'good' (an allowed DN),
    'stranger' (our CA, a DN not on the list), 'foreign' (another CA; it
    trusts ours, so only the daemon can refuse it)."""
    base = str(tmp_path_factory.mktemp('pki'))
    ca = CA(os.path.join(base, 'ca'), 'Armz Test CA')
    other = CA(os.path.join(base, 'other-ca'), 'Armz Test CA')  # same name, other key
    cert, key = ca.server(os.path.join(base, 'server'))
    return {
        'ca': ca.cert, 'cert': cert, 'key': key,
        'good': ca.client_dir(os.path.join(base, 'good'), 'armz-client'),
        'stranger': ca.client_dir(os.path.join(base, 'stranger'), 'intruder'),
        'foreign': other.client_dir(os.path.join(base, 'foreign'), 'armz-client',
                                    trust=[ca.cert]),
    }


def tls_daemon(daemons, pki, extra=''):
    port = armzd.free_tcp_port()
    d = daemon_with_conf(daemons, f'listen_tls = 1\ntls_listen_addr = "127.0.0.1"\n'
                         f'tls_port = {port}\nca_file = "{pki["ca"]}"\n'
                         f'cert_file = "{pki["cert"]}"\nkey_file = "{pki["key"]}"\n'
                         'tls_allowed_dn_list = ["C=GB,O=Armz Test,CN=armz-client", '
                         '"*CN=admin*"]\n' + extra)
    return d, port


def uri(port, pkidir):
    return f'armz+tls://127.0.0.1:{port}/system?pkipath={pkidir}'


def test_virsh_over_tls(daemons, pki):
    d, port = tls_daemon(daemons, pki)
    c = libvirt.open(d.uri)
    c.defineXML(domain_xml('overtls', new_uuid()))
    c.close()
    r = armzd.virsh(uri(port, pki['good']), 'version')
    assert 'Running hypervisor: ARMZ' in r.out, r
    r = armzd.virsh(uri(port, pki['good']), 'list', '--all', '--name')
    assert r.out.split() == ['overtls'], r
    c = libvirt.open(uri(port, pki['good']))
    try:
        assert c.isEncrypted() == 1 and c.isSecure() == 1
        assert c.getType() == 'ARMZ'
    finally:
        c.close()


def test_certificate_of_another_ca_is_refused(daemons, pki):
    d, port = tls_daemon(daemons, pki)
    r = armzd.virsh(uri(port, pki['foreign']), 'list', check=False)
    assert r.rc != 0, r
    assert 'Unable to read TLS confirmation' in r.err, r
    assert 'failed verification' in d.log() and 'issuer is unknown' in d.log(), d.log_tail()
    assert ' opened ' not in d.log()
    # the same client of our CA gets in
    armzd.virsh(uri(port, pki['good']), 'list')


def test_distinguished_name_not_allowed_is_refused(daemons, pki):
    d, port = tls_daemon(daemons, pki)
    r = armzd.virsh(uri(port, pki['stranger']), 'list', check=False)
    assert r.rc != 0, r
    assert 'Unable to read TLS confirmation' in r.err, r
    assert "'C=GB,O=Armz Test,CN=intruder' is not on the list of allowed clients" in d.log(), \
        d.log_tail()


def test_allowed_dn_glob(daemons, pki):
    d, port = tls_daemon(daemons, pki, extra='tls_allowed_dn_list = ["*CN=intr?der"]\n')
    armzd.virsh(uri(port, pki['stranger']), 'list')
    r = armzd.virsh(uri(port, pki['good']), 'list', check=False)
    assert r.rc != 0, r


def test_no_verify_lets_any_certificate_in(daemons, pki):
    d, port = tls_daemon(daemons, pki, extra='tls_no_verify_certificate = 1\n')
    armzd.virsh(uri(port, pki['foreign']), 'list')
    armzd.virsh(uri(port, pki['stranger']), 'list')
    assert 'accepted anyway (tls_no_verify_certificate)' in d.log()


def test_plain_client_on_tls_port_is_dropped(daemons, pki):
    d, port = tls_daemon(daemons, pki)
    r = armzd.virsh(f'armz+tcp://127.0.0.1:{port}/system', 'list', check=False, timeout=40)
    assert r.rc != 0, r
    # the daemon still serves TLS clients
    armzd.virsh(uri(port, pki['good']), 'list')


@pytest.mark.parametrize('which', ['ca_file', 'cert_file', 'key_file'])
def test_missing_certificate_stops_the_daemon(daemons, pki, which):
    files = {'ca_file': pki['ca'], 'cert_file': pki['cert'], 'key_file': pki['key']}
    files[which] = '/nonexistent/armz.pem'
    d = daemon_with_conf(daemons, f'listen_tls = 1\ntls_listen_addr = "127.0.0.1"\n'
                         f'tls_port = {armzd.free_tcp_port()}\n'
                         + ''.join(f'{k} = "{v}"\n' for k, v in files.items()), start=False)
    d.start(wait=False)
    assert d.proc.wait(10) == 1
    assert "Cannot read" in d.log() and "'/nonexistent/armz.pem'" in d.log(), d.log()
    d.proc = None


def test_default_paths_are_libvirts(daemons, pki):
    """Without *_file settings: /etc/pki/CA/cacert.pem, /etc/pki/libvirt/
    servercert.pem and private/serverkey.pem (under --root)."""
    port = armzd.free_tcp_port()
    d = daemon_with_conf(daemons, f'listen_tls = 1\ntls_listen_addr = "127.0.0.1"\n'
                         f'tls_port = {port}\n', start=False)
    for src, dst in ((pki['ca'], 'etc/pki/CA/cacert.pem'),
                     (pki['cert'], 'etc/pki/libvirt/servercert.pem'),
                     (pki['key'], 'etc/pki/libvirt/private/serverkey.pem')):
        path = os.path.join(d.root, dst)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(src) as f, open(path, 'w') as out:
            out.write(f.read())
    d.start()
    armzd.virsh(uri(port, pki['good']), 'list')


def test_empty_allowed_dn_list_lets_nobody_in(daemons, pki):
    d, port = tls_daemon(daemons, pki, extra='tls_allowed_dn_list = []\n')
    r = armzd.virsh(uri(port, pki['good']), 'list', check=False)
    assert r.rc != 0, r
    assert 'is not on the list of allowed clients' in d.log()


def test_streams_and_concurrent_calls_over_tls(daemons, pki, tmp_path):
    """Large messages span many TLS records, which GnuTLS may hold already
    read from the socket: nothing may stall or be lost."""
    import threading
    d, port = tls_daemon(daemons, pki)
    u = uri(port, pki['good'])
    pool = tmp_path / 'pool'
    pool.mkdir()
    up, down = tmp_path / 'up.bin', tmp_path / 'down.bin'
    data = os.urandom(12 * 1024 * 1024 + 12345)
    up.write_bytes(data)
    armzd.virsh(u, 'pool-create-as', 'p', 'dir', '--target', str(pool))
    armzd.virsh(u, 'vol-create-as', 'p', 'v', str(len(data)))
    armzd.virsh(u, 'vol-upload', '--pool', 'p', 'v', str(up), timeout=120)
    armzd.virsh(u, 'vol-download', '--pool', 'p', 'v', str(down), timeout=120)
    assert down.read_bytes() == data

    c = libvirt.open(u)
    errors = []

    def worker():
        try:
            for _ in range(100):
                assert c.getHostname()
                assert c.listAllStoragePools()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
    threads = [threading.Thread(target=worker) for _ in range(6)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        c.close()
    assert not errors, errors
    armzd.virsh(u, 'pool-destroy', 'p')


def test_calls_batched_in_one_record(daemons, pki):
    """A client (not libvirt's) that sends many calls in one TLS record: the
    daemon stops reading at max_client_requests with the rest already
    decrypted and buffered by GnuTLS, where polling the socket cannot see
    it; every call must still be answered."""
    import socket
    import ssl
    import struct
    d, port = tls_daemon(daemons, pki)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(os.path.join(pki['good'], 'cacert.pem'))
    ctx.load_cert_chain(os.path.join(pki['good'], 'clientcert.pem'),
                        os.path.join(pki['good'], 'clientkey.pem'))
    raw = socket.create_connection(('127.0.0.1', port), timeout=10)
    s = ctx.wrap_socket(raw, server_hostname='127.0.0.1')
    try:
        assert s.recv(1) == b'\1'   # libvirt's confirmation
        n = 40
        s.settimeout(15)
        # the open first, as every libvirt client does: calls pipelined
        # behind it may run before it on another worker
        s.sendall(armzd.packet(proc=1, serial=1, body=armzd.xdr_opt_string('armz:///system')
                               + struct.pack('>I', 0)))
        buf = b''
        while len(buf) < 4 or len(buf) < struct.unpack('>I', buf[:4])[0]:
            chunk = s.recv(65536)
            assert chunk, 'daemon closed the connection'
            buf += chunk
        assert struct.unpack('>6I', buf[4:28])[5] == armzd.OK
        buf = buf[struct.unpack('>I', buf[:4])[0]:]
        serials = {1}
        batch = b''
        for i in range(n):
            batch += armzd.packet(proc=59, serial=2 + i)   # CONNECT_GET_HOSTNAME
        assert len(batch) < 16384
        s.sendall(batch)
        while len(serials) < n + 1:
            chunk = s.recv(65536)
            assert chunk, 'daemon closed the connection'
            buf += chunk
            while len(buf) >= 4 and len(buf) >= struct.unpack('>I', buf[:4])[0]:
                ln = struct.unpack('>I', buf[:4])[0]
                hdr = struct.unpack('>6I', buf[4:28])
                assert hdr[5] == armzd.OK, (hdr, buf[28:ln])
                serials.add(hdr[4])
                buf = buf[ln:]
        assert serials == set(range(1, n + 2))
    finally:
        s.close()
