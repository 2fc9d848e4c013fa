/* io_emul: decoding and Xen's rules for PV port I/O (io_emul.h). Pure. */
#include "arch/x86/io_emul.h"

#include "arch/x86/emulate.h"

#define RTC_INDEX   0x70
#define RTC_DATA    0x71
#define PCI_CF8     0xcf8

int io_decode(const uint8_t *b, size_t n, struct io_insn *out)
{
    struct x86_prefixes p;
    unsigned k = emul_prefixes(b, n, &p);
    if (k >= n || k >= X86_MAX_INSN_LEN)
        return 0;
    uint8_t op = b[k];
    struct io_insn io = { IO_NONE, 0, -1, p.rep != 0, p.addr16, p.seg, (int)k + 1 };
    unsigned wide = p.opsize16 ? 2 : 4;

    switch (op) {
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:      /* in/out imm8 */
        if (k + 2 > n || k + 2 > X86_MAX_INSN_LEN)
            return 0;
        io.kind = op & 2 ? IO_OUT : IO_IN;
        io.imm_port = b[k + 1];
        io.bytes = op & 1 ? wide : 1;
        io.len = (int)k + 2;
        break;
    case 0xEC: case 0xED: case 0xEE: case 0xEF:      /* in/out with DX */
        io.kind = op & 2 ? IO_OUT : IO_IN;
        io.bytes = op & 1 ? wide : 1;
        break;
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:      /* ins/outs */
        io.kind = op & 2 ? IO_OUTS : IO_INS;
        io.bytes = op & 1 ? wide : 1;
        break;
    case 0xFA:
        io.kind = IO_CLI;
        break;
    case 0xFB:
        io.kind = IO_STI;
        break;
    default:
        return 0;
    }
    if (p.lock)
        return 0;                   /* #UD on hardware: not ours */
    if (io.kind != IO_INS && io.kind != IO_OUTS)
        io.rep = 0;
    *out = io;
    return 1;
}

int io_iopl_ok(unsigned ring, int architectural_iopl, uint32_t viopl)
{
    unsigned cpl = ring == 1 ? (architectural_iopl ? 0 : 1) : 3;
    return cpl <= ((viopl >> 12) & 3);
}

int io_bitmap_covers(unsigned port, unsigned bytes, uint32_t nr_ports)
{
    return port + bytes <= nr_ports;
}

int io_bitmap_allows(unsigned port, unsigned bytes, uint16_t mask)
{
    return (mask & (((1u << bytes) - 1) << (port & 7))) == 0;
}

uint32_t io_bitmap_fault_addr(uint32_t addr, unsigned bytes, unsigned unread)
{
    return addr + bytes - unread;
}

/* One byte of a port outside the domain's rangeset (Xen's guest_io_read
 * and rtc_guest_read for a domain that is not the hardware domain). */
uint32_t io_guest_read(struct io_domain *d, unsigned port, unsigned bytes)
{
    uint32_t data = 0;
    unsigned shift = 0;

    while (bytes) {
        unsigned size = 1;
        uint32_t sub = ~0u;
        if (port == RTC_INDEX) {
            sub = d->cmos_idx & 0x7F;           /* the latch, NMI bit clear */
        } else if (port == PCI_CF8 && bytes == 4) {
            size = 4;
            sub = d->pci_cf8;
        } else if ((port & 0xFFFC) == 0xCFC) {
            size = bytes < 4 - (port & 3) ? bytes : 4 - (port & 3);
            if (size == 3)
                size = 2;                       /* no config access: ones */
        }
        if (size == 4)
            return sub;
        data |= (sub & ((1u << (size * 8)) - 1)) << shift;
        shift += size * 8;
        port += size;
        bytes -= size;
    }
    return data;
}

void io_guest_write(struct io_domain *d, unsigned port, unsigned bytes, uint32_t data)
{
    while (bytes) {
        unsigned size = 1;
        if (port == RTC_INDEX) {
            d->cmos_idx = (uint8_t)(data & 0x7F);
        } else if (port == PCI_CF8 && bytes == 4) {
            d->pci_cf8 = data;
            return;
        } else if ((port & 0xFFFC) == 0xCFC) {
            size = bytes < 4 - (port & 3) ? bytes : 4 - (port & 3);
            if (size == 3)
                size = 2;
        }
        if (size == 4)
            return;
        port += size;
        bytes -= size;
        data >>= size * 8;
    }
}
