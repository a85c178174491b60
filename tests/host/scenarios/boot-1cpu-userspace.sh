# Debian's arm64 kernel boots to the payload's /init with 1 vCPU(s) and
# the userspace interrupt controller, then powers off (exit status 0).
boot_check 1 userspace
