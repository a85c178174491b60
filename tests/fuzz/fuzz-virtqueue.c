/* libFuzzer target: the split virtqueue walker (src/vmm/virtio/virtqueue.c)
 * over guest RAM whose rings, descriptors and indexes come from the input
 * (format: fuzz-vq-input.h).  Guest RAM is a heap block of its exact size,
 * so AddressSanitizer reports any access outside it; every buffer the
 * walker hands out is read and written in full to prove it lies inside. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "virtio/virtqueue.h"
#include "fuzz-vq-input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ArmzVirtqElem elem;
    ArmzGuestMem mem;
    ArmzVirtq vq;
    uint64_t ring[3];
    unsigned num;
    uint8_t flags;
    uint8_t *ram;
    volatile uint8_t sink = 0;

    if (!(ram = fuzz_vq_parse(data, size, 16, &flags, &num, ring)))
        return 0;
    mem.host = ram;
    mem.gpa = FUZZ_VQ_RAM_GPA;
    mem.size = FUZZ_VQ_RAM_SIZE;

    if (armz_virtq_setup(&vq, &mem, num, ring[0], ring[1], ring[2], flags & FUZZ_VQ_F_EVENT,
                         flags & FUZZ_VQ_F_INDIR)) {
        for (unsigned round = 0; round < 64; round++) {
            int r = armz_virtq_pop(&vq, &elem);
            uint8_t hdr[16];
            struct iovec part[8];

            if (r <= 0)
                break;
            for (unsigned i = 0; i < elem.n_out + elem.n_in; i++) {
                uint8_t *p = elem.iov[i].iov_base;
                for (size_t k = 0; k < elem.iov[i].iov_len; k++)
                    sink ^= p[k];
                if (i >= elem.n_out)
                    memset(p, 0x5a, elem.iov[i].iov_len);
            }
            /* what device models do with a chain: a header, a slice */
            armz_iov_to_buf(elem.iov, elem.n_out, 0, hdr, sizeof(hdr));
            armz_iov_slice(elem.iov, elem.n_out + elem.n_in, hdr[0], hdr[1] * 7u, part, 8);
            armz_iov_from_buf(armz_elem_in(&elem), elem.n_in, hdr[2], hdr, hdr[3] % 17);
            if (round == 1 && (hdr[4] & 1)) {
                armz_virtq_unpop(&vq);
                continue;
            }
            armz_virtq_push(&vq, elem.head, (uint32_t)elem.in_len);
            (void)armz_virtq_need_notify(&vq);
            (void)armz_virtq_pending(&vq);
        }
    }
    (void)armz_virtq_error(&vq);
    free(ram);
    (void)sink;
    return 0;
}
