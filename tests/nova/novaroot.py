"""Running Python code with the Nova of another Debian release: the root
tests/deps/nova-root.post.sh makes (its Python, Nova, libvirt-python and
libvirt client library), entered through a mount namespace of its own in
which the directories the code needs (this checkout, the run's
directories) are bound at the same paths. Used by tests/nova/in-root
(tier 39) and by the tier-45 Nova guest (tests/host/daemon/test_nova.py)."""
import os

# $1 root, $2 how many directories follow, the directories, then the command
_ENTER = r'''
set -e
r=$1 n=$2
shift 2
mount --rbind /proc "$r/proc"
mount --rbind /dev "$r/dev"
mount --rbind /sys "$r/sys"
while [ "$n" -gt 0 ]; do
  mkdir -p "$r$1"
  mount --bind "$1" "$r$1"
  shift
  n=$((n - 1))
done
exec chroot "$r" "$@"
'''


def default_root():
    return os.path.join(os.environ.get('ARMZ_CACHE', '/var/cache/armz-test'), 'nova-root')


def suite(root):
    """The Debian release of ROOT ('sid', 'forky'), or None without a root."""
    try:
        with open(os.path.join(root, '.stamp')) as f:
            return f.read().split()[0]
    except OSError:
        return None


def describe(root):
    with open(os.path.join(root, '.stamp')) as f:
        return f.read().strip()


def command(root, dirs, env, argv):
    """The command running ARGV in ROOT with only ENV (a dict) in its
    environment, DIRS bound at their own paths."""
    dirs = [os.path.abspath(d) for d in dirs]
    # native threads, as nova-compute runs from 2026.2 on (its
    # monkey_patch.patch(backend='threading')); nova.tests.unit, which the
    # tests import for fake_instance, would otherwise patch eventlet in late,
    # after modules that then never wake its green threads (Nova's
    # DEVICE_REMOVED waiter saw its event only at the timeout)
    base = {'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'HOME': '/root', 'LANG': 'C.UTF-8',
            'PYTHONDONTWRITEBYTECODE': '1', 'OS_NOVA_DISABLE_EVENTLET_PATCHING': 'true'}
    base.update(env)
    return (['unshare', '-m', 'sh', '-c', _ENTER, 'enter', root, str(len(dirs))] + dirs +
            ['env', '-i'] + [f'{k}={v}' for k, v in base.items()] + list(argv))
