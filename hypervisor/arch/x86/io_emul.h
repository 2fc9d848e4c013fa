/*
 * io_emul: the decisions behind a PV guest's port I/O and cli/sti, as
 * Xen's PV emulation makes them (xen/arch/x86/pv/emul-priv-op.c). Pure:
 * priv_op.c fetches the instruction, reads the guest's I/O bitmap and
 * moves the data; this file decodes and decides.
 *
 * - The real EFLAGS.IOPL of a guest is always 0, so every in/out/ins/outs
 *   and cli/sti in ring 1 or 3 raises #GP(0) and comes here.
 * - Permission (Xen's guest_io_okay): the virtual IOPL (physdev set_iopl,
 *   or iret's EFLAGS.IOPL with VMASST_TYPE_architectural_iopl) against the
 *   guest's ring: the kernel counts as ring 1, or ring 0 with
 *   architectural_iopl; rings 2 and 3 count as 3. Else the I/O bitmap of
 *   set_iobitmap: the ports [port, port+bytes) below its nr_ports, and two
 *   bytes of it read at bitmap + port/8 with every bit of the access clear.
 *   Else #GP(0).
 * - cli/sti with IOPL permission: Xen skips them. The event mask does not
 *   change (Xen deliberately leaves evtchn_upcall_mask alone: a popf could
 *   not undo it). Without permission: #GP(0).
 * - The ports: no domain's rangeset holds any port (pv86 keeps the whole
 *   machine), so a permitted access never reaches the hardware. What the
 *   guest sees is Xen's answer for ports outside its rangeset: reads all
 *   ones, writes dropped, except the two latches Xen keeps for every PV
 *   domain: the RTC index (port 0x70, 7 bits: written, read back) and PCI
 *   CONFIG_ADDRESS (port 0xcf8, 32-bit accesses only). PIT channel 2 and
 *   port 0x61 read as ones (no virtual PIT for PV), 0x71 and 0xcfc-0xcff as
 *   ones (no RTC or PCI config access).
 */
#ifndef HV_ARCH_X86_IO_EMUL_H
#define HV_ARCH_X86_IO_EMUL_H

#include <stddef.h>
#include <stdint.h>

enum io_kind { IO_NONE, IO_IN, IO_OUT, IO_INS, IO_OUTS, IO_CLI, IO_STI };

struct io_insn {
    enum io_kind kind;
    unsigned bytes;     /* 1, 2 or 4 */
    int imm_port;       /* the imm8 port, or -1 for DX */
    int rep;            /* F2/F3 seen (string forms) */
    int addr16;         /* 67: SI/DI/CX are 16-bit */
    int seg;            /* outs source segment override (X86_SEG_*), -1: DS */
    int len;            /* instruction length */
};
/* 1 and *out if b[0..n) is one of the instructions above; 0 otherwise. */
int io_decode(const uint8_t *b, size_t n, struct io_insn *out);

/* Xen's iopl_ok. ring: the guest's CPL (1 kernel, 2 or 3 user); viopl in
 * EFLAGS bits 12-13. */
int io_iopl_ok(unsigned ring, int architectural_iopl, uint32_t viopl);
/* The I/O bitmap check for [port, port+bytes): nr_ports covered; mask the
 * 16 bits read at bitmap + port/8. 1: permitted. */
int io_bitmap_covers(unsigned port, unsigned bytes, uint32_t nr_ports);
int io_bitmap_allows(unsigned port, unsigned bytes, uint16_t mask);
/* Xen's fault address when the bitmap bytes cannot be read: addr is
 * bitmap + port/8, unread the bytes of the two it could not copy. */
uint32_t io_bitmap_fault_addr(uint32_t addr, unsigned bytes, unsigned unread);

/* The domain's latches (Xen: arch.cmos_idx, arch.pci_cf8). */
struct io_domain {
    uint8_t cmos_idx;
    uint32_t pci_cf8;
};
uint32_t io_guest_read(struct io_domain *d, unsigned port, unsigned bytes);
void io_guest_write(struct io_domain *d, unsigned port, unsigned bytes, uint32_t data);

#endif
