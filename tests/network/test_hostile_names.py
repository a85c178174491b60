"""Names that would inject configuration into dnsmasq or the nft script
(both run as root) are refused at define, before anything is written; a
name that is merely unusual (blanks, quotes, '#') works with the real
dnsmasq, its files quoted in dnsmasq's configuration."""
import os

from test_networks import net_xml, our_table, proc_alive


def write(host, text, name='hostile.xml'):
    path = os.path.join(host.tmp, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


def test_newline_in_name_refused_at_define(host):
    host.define(net_xml('good', 'armzg0', '10.61.0'))
    table = our_table(host)
    assert table and 'armzg0' in table
    stored = sorted(os.listdir(host.netdir))
    # the probe's injection: the name ends the nft comment line early
    path = write(host, net_xml('x\nflush ruleset\nadd table ip evil', 'armzh0', '10.62.0'))
    for cmd in ('net-define', 'net-create'):
        r = host.virsh(cmd, path, check=False)
        assert r.rc != 0, (cmd, r)
        assert "invalid char in name: '\\n' (network names cannot contain control " \
               "characters)" in r.err, (cmd, r)
    assert sorted(os.listdir(host.netdir)) == stored
    assert 'flush' not in host.virsh('net-list', '--all').out
    # the rules of the running network are as they were
    assert our_table(host) == table
    assert host.daemon.alive()


def test_long_and_dotted_names_refused(host):
    for name, want in (('n' * 240, 'network name is too long: 240 bytes, at most 239'),
                       ('..', "network name '..' is not allowed"),
                       ('-n', "network name '-n' cannot start with '-'")):
        r = host.virsh('net-define', write(host, net_xml(name, None, '10.63.0')), check=False)
        assert r.rc != 0 and want in r.err, (name, r)
    longest = 'n' * 239
    host.define(net_xml(longest, 'armzl0', '10.63.0'))
    host.virsh('net-destroy', longest)
    host.virsh('net-undefine', longest)


def test_unusual_name_works_with_dnsmasq(host):
    name = 'my "net" #1'
    xml = net_xml('PLACEHOLDER', 'armzq0', '10.64.0').replace(
        '<name>PLACEHOLDER</name>', '<name>my &quot;net&quot; #1</name>')
    host.virsh('net-define', write(host, xml))
    host.virsh('net-start', name)
    pid = host.dnsmasq_pid(name)
    assert pid and proc_alive(pid)
    with open(os.path.join(host.statedir, name + '.conf')) as f:
        conf = f.read()
    assert 'pid-file="%s"' % os.path.join(host.statedir, 'my \\"net\\" #1.pid') in conf, conf
    host.virsh('net-destroy', name)
    host.virsh('net-undefine', name)
