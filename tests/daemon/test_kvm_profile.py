"""kvm_profile (armz.conf) and ARMZ_KVM_PROFILE: the KVM profile the daemon
gives armz-vmm (--kvm-profile); a value armz-vmm would not take stops the
daemon at start. (The guests it starts that way run in the test host's
s390 run of tier 45-daemon-host.)"""
import os

import armzd
from test_limits import with_conf


def conf_daemon(daemons, conf, env=None):
    d = with_conf(daemons, conf)
    d.env = env
    return d


def refused(daemons, d):
    """Whether D stops at start (then it leaves the fixture's set)."""
    try:
        d.start()
    except armzd.DaemonError:
        d.kill()
        daemons.daemons.remove(d)
        return True
    return False


def test_kvm_profile_setting(daemons):
    for value in ('native', 's390'):
        d = conf_daemon(daemons, f'kvm_profile = "{value}"\n')
        d.start()
        d.stop()
    # s390+readonly-mem is for tests: the environment variable only
    d = conf_daemon(daemons, 'kvm_profile = "s390+readonly-mem"\n')
    assert refused(daemons, d), 'the daemon started with kvm_profile = "s390+readonly-mem"'
    assert "unknown setting or bad value for 'kvm_profile'" in d.log(), d.log()
    d = conf_daemon(daemons, '# profile\nkvm_profile = "x86"\n')
    assert refused(daemons, d), 'the daemon started with kvm_profile = "x86"'
    assert "armz.conf:2: unknown setting or bad value for 'kvm_profile'" in d.log(), d.log()


def test_kvm_profile_environment_override(daemons):
    d = conf_daemon(daemons, 'kvm_profile = "native"\n',
                    env=dict(os.environ, ARMZ_KVM_PROFILE='s390'))
    d.start()
    d.stop()
    # the test-only profile of the test host's s390 firmware runs
    d = conf_daemon(daemons, 'kvm_profile = "s390"\n',
                    env=dict(os.environ, ARMZ_KVM_PROFILE='s390+readonly-mem'))
    d.start()
    d.stop()
    d = conf_daemon(daemons, 'kvm_profile = "s390"\n',
                    env=dict(os.environ, ARMZ_KVM_PROFILE='bogus'))
    assert refused(daemons, d), 'the daemon started with ARMZ_KVM_PROFILE=bogus'
    assert "ARMZ_KVM_PROFILE: unknown KVM profile 'bogus' (native, s390)" in d.log(), d.log()
