/* SPDX-License-Identifier: Apache-2.0 */
/* The KVM probe's guest (probe.c): a tiny PVH ELF that counts down a loop
 * (600 million times: a fraction of a second at hardware speed, several
 * times that under TCG) and writes to QEMU's isa-debug-exit port, after
 * which QEMU exits with 67.
 * A file of its own so that the kvm tests can run it under TCG. */
#include <stdint.h>
#include <string.h>

#include "qemu.h"

#define PROBE_LOAD 0x100000u
#define PROBE_EXIT_PORT 0xf4
#define PROBE_EXIT_VALUE 0x21   /* QEMU exits with (0x21 << 1) | 1 = 67 */

static void put16(uint8_t *p, uint16_t v) { p[0] = v & 0xff, p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (v >> (8 * i)) & 0xff; }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (v >> (8 * i)) & 0xff; }

int qemu_write_probe_image(const char *path) {
        /* 32-bit protected mode, as PVH enters: a countdown, then the exit. */
        static const uint8_t code[] = {
                0xb9, 0x00, 0x46, 0xc3, 0x23,          /* mov $600000000, %ecx (QEMU_PROBE_LOOPS) */
                0x49,                                  /* 1: dec %ecx */
                0x75, 0xfd,                            /* jnz 1b */
                0xb0, PROBE_EXIT_VALUE,                /* mov $0x21, %al */
                0xe6, PROBE_EXIT_PORT,                 /* out %al, $0xf4 */
                0xf4,                                  /* 2: hlt */
                0xeb, 0xfd,                            /* jmp 2b */
        };
        enum { EH = 64, PH = 56, NOTE = 20, CODE = EH + 2 * PH + 24 };
        uint8_t img[CODE + sizeof(code)];
        memset(img, 0, sizeof(img));
        memcpy(img, "\177ELF\2\1\1", 7);          /* ELF64, little endian, v1 */
        put16(img + 16, 2);                           /* ET_EXEC */
        put16(img + 18, 62);                          /* EM_X86_64 */
        put32(img + 20, 1);
        put64(img + 24, PROBE_LOAD);                  /* e_entry */
        put64(img + 32, EH);                          /* e_phoff */
        put16(img + 52, EH);
        put16(img + 54, PH);
        put16(img + 56, 2);                           /* e_phnum */
        uint8_t *ph = img + EH;                       /* PT_LOAD, R+X */
        put32(ph, 1), put32(ph + 4, 5);
        put64(ph + 8, CODE), put64(ph + 16, PROBE_LOAD), put64(ph + 24, PROBE_LOAD);
        put64(ph + 32, sizeof(code)), put64(ph + 40, sizeof(code)), put64(ph + 48, 16);
        ph += PH;                                     /* PT_NOTE */
        put32(ph, 4), put32(ph + 4, 4);
        put64(ph + 8, EH + 2 * PH), put64(ph + 32, NOTE), put64(ph + 40, NOTE), put64(ph + 48, 4);
        uint8_t *note = img + EH + 2 * PH;            /* XEN_ELFNOTE_PHYS32_ENTRY */
        put32(note, 4), put32(note + 4, 4), put32(note + 8, 18);
        memcpy(note + 12, "Xen", 4);
        put32(note + 16, PROBE_LOAD);
        memcpy(img + CODE, code, sizeof(code));
        return write_file_atomic(path, img, sizeof(img), 0644, 0);
}

