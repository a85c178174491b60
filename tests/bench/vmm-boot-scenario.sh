# Benchmark scenario of tests/bench/vmm-boot (run inside the test host, not
# pass/fail): for each interrupt controller, RUNS times each,
#  - VMM start -> first guest instruction: /extra/first.img prints one byte
#    and powers off (start -> first output byte);
#  - VMM start -> guest /init with Debian's kernel (quiet);
#  - VMM RSS overhead once the guest waits in /init: RSS minus the touched
#    part of guest RAM.
# Prints "BENCH irqchip metric value" lines.
need_vmm
runs=${ARMZ_BENCH_RUNS:-3}
for irq in kernel userspace; do
  i=0
  while [ $i -lt "$runs" ]; do
    runmark -t 60 first.out '!' -- armz-vmm --kernel /extra/first.img --memory 256 \
      --serial stdio --irqchip "$irq" > first.log 2>&1
    cat first.log
    t=$(awk '$1 == "first-byte" {print $2}' first.log)
    [ -n "$t" ] && echo "BENCH $irq first-insn-ms $t"
    e=$(awk '$1 == "exit" {print $3}' first.log)
    [ -n "$e" ] && echo "BENCH $irq first-insn-exit-ms $e"

    runmark -t 120 -g 256 -r "ARMZ-GUEST WAITING" init.out "ARMZ-GUEST INIT" "ARMZ-GUEST WAITING" -- \
      armz-vmm --kernel "$ARMZ_GUEST_IMAGE" --initrd "$ARMZ_GUEST_INITRD" --memory 256 \
      --serial stdio --irqchip "$irq" --cmdline "$(guest_cmdline wait)" > init.log 2>&1
    cat init.log
    t=$(awk '$1 == "mark" && $2 == "ARMZ-GUEST" && $3 == "INIT" {print $4}' init.log)
    [ -n "$t" ] && echo "BENCH $irq init-ms $t"
    for m in rss-total rss-guest rss-overhead rss-anon-overhead; do
      v=$(awk -v m=$m '$1 == m {print $2}' init.log)
      [ -n "$v" ] && echo "BENCH $irq $m-kb $v"
    done
    i=$((i + 1))
  done
done
true
