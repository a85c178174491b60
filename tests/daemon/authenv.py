"""Helpers of the authentication tests: certificates made by certtool in
libvirt's layout, and a private system bus with a real polkitd whose
actions and rules are the test's (bind-mounted in its own mount namespace,
so the host's polkit configuration is neither read nor touched)."""
import os
import shutil
import subprocess
import tempfile
import time

import armzd

CERTTOOL = shutil.which('certtool')
POLKITD = '/usr/lib/polkit-1/polkitd'
POLICY = os.path.join(armzd.TOP, 'src', 'daemon', 'org.libvirt-armz.policy')


def _certtool(*args):
    subprocess.run([CERTTOOL, *args], check=True, capture_output=True, timeout=60)


def _template(path, lines):
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\nexpiration_days = 30\n')
    return path


class CA:
    """A certificate authority in DIR: cacert.pem, cakey.pem."""

    def __init__(self, d, name):
        os.makedirs(d, exist_ok=True)
        self.dir = d
        self.cert = os.path.join(d, 'cacert.pem')
        self.key = os.path.join(d, 'cakey.pem')
        _certtool('--generate-privkey', '--outfile', self.key)
        t = _template(os.path.join(d, 'ca.info'), [f'cn = {name}', 'ca', 'cert_signing_key'])
        _certtool('--generate-self-signed', '--load-privkey', self.key, '--template', t,
                  '--outfile', self.cert)

    def issue(self, cert, key, lines):
        _certtool('--generate-privkey', '--outfile', key)
        t = _template(cert + '.info', lines)
        _certtool('--generate-certificate', '--load-privkey', key,
                  '--load-ca-certificate', self.cert, '--load-ca-privkey', self.key,
                  '--template', t, '--outfile', cert)

    def server(self, d):
        """servercert.pem and serverkey.pem for 127.0.0.1 in D."""
        os.makedirs(d, exist_ok=True)
        cert, key = os.path.join(d, 'servercert.pem'), os.path.join(d, 'serverkey.pem')
        self.issue(cert, key, ['organization = Armz Test', 'cn = 127.0.0.1',
                               'ip_address = 127.0.0.1', 'dns_name = localhost',
                               'tls_www_server', 'encryption_key', 'signing_key'])
        return cert, key

    def client_dir(self, d, cn, trust=()):
        """A pkipath= directory: clientcert.pem (CN), clientkey.pem and
        cacert.pem (this CA's and the certificates of TRUST)."""
        os.makedirs(d, exist_ok=True)
        self.issue(os.path.join(d, 'clientcert.pem'), os.path.join(d, 'clientkey.pem'),
                   ['country = GB', 'organization = Armz Test', f'cn = {cn}',
                    'tls_www_client', 'encryption_key', 'signing_key'])
        with open(os.path.join(d, 'cacert.pem'), 'w') as out:
            for path in [self.cert, *trust]:
                with open(path) as f:
                    out.write(f.read())
        return d


BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={path}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_type="*"/>
  </policy>
</busconfig>
"""


class PolkitBus:
    """dbus-daemon (a system bus of our own) and polkitd on it, with our
    .policy file as its only actions and RULES (JavaScript) as its only
    rules. address: for DBUS_SYSTEM_BUS_ADDRESS."""

    def __init__(self, rules):
        self.dir = tempfile.mkdtemp(prefix='armz-polkit-', dir='/tmp')
        os.chmod(self.dir, 0o755)   # polkitd runs as its own user
        self.procs = []
        sock = os.path.join(self.dir, 'bus')
        self.address = f'unix:path={sock}'
        conf = os.path.join(self.dir, 'bus.conf')
        with open(conf, 'w') as f:
            f.write(BUS_CONF.format(path=sock))
        actions = os.path.join(self.dir, 'actions')
        rulesd = os.path.join(self.dir, 'rules.d')
        empty = os.path.join(self.dir, 'empty')
        for d in (actions, rulesd, empty):
            os.makedirs(d, mode=0o755)
        shutil.copy(POLICY, actions)
        with open(os.path.join(rulesd, '10-armz-test.rules'), 'w') as f:
            f.write(rules)
        self.log = open(os.path.join(self.dir, 'polkitd.log'), 'w')
        self.procs.append(subprocess.Popen(['dbus-daemon', '--nofork', '--config-file', conf],
                                           stdout=self.log, stderr=subprocess.STDOUT))
        self._wait(lambda: os.path.exists(sock), 'the bus socket')
        script = (f'mount --bind {actions} /usr/share/polkit-1/actions && '
                  f'mount --bind {rulesd} /etc/polkit-1/rules.d && '
                  f'mount --bind {empty} /usr/share/polkit-1/rules.d && '
                  f'exec {POLKITD} --no-debug')
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.address)
        self.procs.append(subprocess.Popen(['unshare', '-m', '--propagation', 'private',
                                            'sh', '-c', script], env=env,
                                           stdout=self.log, stderr=subprocess.STDOUT))
        self._wait(self._has_polkit, 'polkitd on the bus')

    def _has_polkit(self):
        r = subprocess.run(['dbus-send', f'--bus={self.address}', '--print-reply',
                            '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
                            'org.freedesktop.DBus.NameHasOwner',
                            'string:org.freedesktop.PolicyKit1'],
                           capture_output=True, text=True, timeout=10)
        return 'boolean true' in r.stdout

    def _wait(self, cond, what, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for p in self.procs:
                if p.poll() is not None:
                    raise RuntimeError(f'{p.args[0]} exited with {p.returncode} before '
                                       f'{what}: {self.log_text()}')
            if cond():
                return
            time.sleep(0.1)
        raise RuntimeError(f'no {what} after {timeout} s: {self.log_text()}')

    def log_text(self):
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def polkit_unavailable():
    """Why a real polkitd cannot run here, or None."""
    if os.getuid() != 0:
        return 'needs root (bind mounts in a mount namespace, clients as other users)'
    for tool in ('dbus-daemon', 'dbus-send', 'unshare', 'setpriv'):
        if not shutil.which(tool):
            return f'{tool} missing'
    if not os.path.exists(POLKITD):
        return 'polkitd missing (Debian package polkitd)'
    r = subprocess.run(['unshare', '-m', 'true'], capture_output=True)
    if r.returncode != 0:
        return 'cannot create a mount namespace here'
    return None


def daemon_with_conf(daemons, conf, start=True, **kw):
    """A daemon (of the daemons fixture) whose armz.conf is CONF."""
    d = daemons.new(start=False, **kw)
    etc = os.path.join(d.root, 'etc', 'libvirt')
    os.makedirs(etc, exist_ok=True)
    with open(os.path.join(etc, 'armz.conf'), 'w') as f:
        f.write(conf)
    if start:
        d.start()
    return d
