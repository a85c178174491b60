# The test host is up and offers arm64 KVM: /dev/kvm exists and opens.
[ -c /dev/kvm ] || fail "no /dev/kvm (dmesg: $(dmesg | grep -i kvm | tail -1))"
exec 3<>/dev/kvm || fail "cannot open /dev/kvm"
exec 3>&-
dmesg | grep -i 'kvm' | tail -3
mode=$(dmesg | grep -oE 'VHE mode|Hyp mode initialized|nVHE mode' | head -1)
echo "kvm: ${mode:-mode unknown}"
true
