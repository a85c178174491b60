# Debian's arm64 kernel boots to the payload's /init with 2 vCPU(s) and
# the userspace interrupt controller, then powers off (exit status 0).
boot_check 2 userspace
