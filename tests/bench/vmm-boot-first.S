/* A minimal arm64 "kernel" for tests/bench/vmm-boot: its first instructions
 * write '!' to the PL011 data register (one MMIO exit: the first byte the
 * VMM prints) and power off with PSCI SYSTEM_OFF over HVC. Start to that
 * byte is "VMM start to first guest instruction" (+ one exit). */
    .text
    .globl _start
_start:
    b       entry                   /* code0 */
    .long   0                       /* code1 */
    .quad   0                       /* text_offset */
    .quad   image_end - _start      /* image_size */
    .quad   0xa                     /* flags: LE, 4 KiB pages, anywhere */
    .quad   0, 0, 0                 /* res2..res4 */
    .ascii  "ARM\x64"               /* magic at 0x38 */
    .long   0                       /* res5 */
entry:
    movz    x1, #0x0900, lsl #16    /* PL011 at 0x09000000 (src/vmm/layout.h) */
    mov     w2, #'!'
    strb    w2, [x1]
    movz    x0, #0x8400, lsl #16    /* PSCI_SYSTEM_OFF 0x84000008 */
    movk    x0, #0x0008
    hvc     #0
1:  wfi
    b       1b
    .balign 16
image_end:
