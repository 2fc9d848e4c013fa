/*
 * vdev: the virtual PC platform an unmodified (native) kernel sees, written
 * once for every full-virtualization mode (te, hw, bt): an 8259A PIC pair
 * reaching the CPU through the local APIC's LINT0, an 8254 PIT (channel 0),
 * an 8250 UART on COM1, a local APIC (lapic.h), PCI configuration mechanism
 * #1 with no device, QEMU's fw_cfg (I/O ports), the ACPI PM1a control port
 * and QEMU's isa-debug-exit port. docs/hw.md, "The virtual PC", lists what
 * a guest sees and how it differs from bare QEMU.
 *
 * Pure: no hardware access. Time comes in as nanoseconds, console output
 * goes out through a callback, and the platform says what the guest asked
 * for (power off, exit status) in its state. Unit-tested on the host.
 */
#ifndef HV_VDEV_VDEV_H
#define HV_VDEV_VDEV_H

#include <stddef.h>
#include <stdint.h>

#include "vdev/lapic.h"

/* ---- 8259A: a master and a slave on its IRQ 2, edge-triggered ---- */
struct vpic_chip {
    uint8_t irr, isr, imr;
    uint8_t base;          /* vector of IRQ 0 (ICW2) */
    uint8_t init_step;     /* 0: ready; 1..3: expecting ICW2..ICW4 */
    uint8_t need_icw4;
    uint8_t read_isr;      /* OCW3: a read of the command port gives ISR */
};
struct vpic { struct vpic_chip chip[2]; };

void vpic_reset(struct vpic *p);
void vpic_write(struct vpic *p, uint16_t port, uint8_t val);
uint8_t vpic_read(struct vpic *p, uint16_t port);
/* An edge on IRQ line 0-15. */
void vpic_raise(struct vpic *p, unsigned irq);
/* The IRQ the CPU would take now (unmasked, requested, above what is in
 * service), or -1. */
int vpic_pending(const struct vpic *p);
/* The CPU takes it: IRR -> ISR; returns the vector, or -1 if none. */
int vpic_ack(struct vpic *p);

/* ---- 8254: channel 0 (the timer on IRQ 0); 1 and 2 accepted, ignored ---- */
struct vpit {
    uint16_t reload;       /* counter value; 0 means 65536 */
    uint8_t mode;          /* 0-5 */
    uint8_t access;        /* 1 lo, 2 hi, 3 lo then hi */
    uint8_t write_hi;      /* lo/hi access: the next byte is the high one */
    uint8_t running;
    uint64_t period_ns, next_ns;
};
#define VPIT_HZ 1193182u
void vpit_reset(struct vpit *t);
/* now_ns: the time of the write (a reprogrammed channel starts then). */
void vpit_write(struct vpit *t, uint16_t port, uint8_t val, uint64_t now_ns);
uint8_t vpit_read(struct vpit *t, uint16_t port);
/* How many IRQ 0 edges are due at now_ns (0 or 1: missed ticks are
 * coalesced, as a PIC keeps one request per line). */
unsigned vpit_advance(struct vpit *t, uint64_t now_ns);

/* ---- 8250 UART on COM1: no FIFO, receive interrupt only ---- */
#define VUART_RX_SIZE 64
struct vuart {
    uint8_t ier, lcr, mcr, scr, dll, dlm;
    uint8_t rx[VUART_RX_SIZE];
    unsigned rx_head, rx_len;
    void (*put)(void *ctx, char c);
    void *ctx;
};
void vuart_reset(struct vuart *u);
void vuart_write(struct vuart *u, unsigned reg, uint8_t val);
uint8_t vuart_read(struct vuart *u, unsigned reg);
/* Received bytes; how many fitted. */
size_t vuart_receive(struct vuart *u, const char *buf, size_t len);
/* The interrupt line: data waiting and the receive interrupt on. */
int vuart_irq(const struct vuart *u);

/* ---- PCI configuration mechanism #1 (0xCF8-0xCFF), no device ---- */
#define VDEV_PCI_ADDR    0xCF8
#define VDEV_PCI_RCR     0xCF9     /* PIIX3 reset control: bit 2 resets */
#define VDEV_PCI_DATA    0xCFC
struct vpci { uint32_t config_reg; uint8_t rcr; };
void vpci_reset(struct vpci *c);
uint32_t vpci_read(struct vpci *c, uint16_t port, unsigned size);
/* 1: the guest asked for a machine reset (0xCF9 bit 2). */
int vpci_write(struct vpci *c, uint16_t port, unsigned size, uint32_t val);

/* ---- QEMU fw_cfg, I/O interface (0x510 selector, 0x511 data), no DMA ---- */
#define VDEV_FWCFG_SEL   0x510
#define VDEV_FWCFG_DATA  0x511
#define VFWCFG_SIGNATURE 0x00      /* "QEMU" */
#define VFWCFG_ID        0x01      /* 32-bit LE 1: traditional interface only */
#define VFWCFG_RAM_SIZE  0x03      /* 64-bit LE bytes */
#define VFWCFG_NB_CPUS   0x05      /* 16-bit LE 1 */
#define VFWCFG_MAX_CPUS  0x0F      /* 16-bit LE 1 */
#define VFWCFG_FILE_DIR  0x19      /* 32-bit BE count 0: no files */
struct vfwcfg { uint16_t key; uint32_t offset; uint64_t ram_bytes; };
void vfwcfg_reset(struct vfwcfg *f, uint64_t ram_bytes);
uint32_t vfwcfg_read(struct vfwcfg *f, uint16_t port, unsigned size);
void vfwcfg_write(struct vfwcfg *f, uint16_t port, unsigned size, uint32_t val);

/* ---- the platform ---- */
#define VDEV_COM1        0x3F8
#define VDEV_EXIT_PORT   0xF4      /* isa-debug-exit: write v, exit 2v+1 */
#define VDEV_EXIT_PORTS  4         /* iosize=4, as pv86's QEMU runs give it: 0xF4-0xF7 */
#define VDEV_ACPI_PM1A   0x604     /* PIIX4 PM1a control: SLP_EN | S5 powers off */

/* VDEV_RESET: a write of bit 2 to 0xCF9 (the mode decides what a reset is). */
enum vdev_request { VDEV_RUNNING = 0, VDEV_POWEROFF, VDEV_EXIT, VDEV_RESET };

struct vplatform {
    struct vpic pic;
    struct vpit pit;
    struct vuart uart;
    struct vlapic lapic;
    struct vpci pci;
    struct vfwcfg fwcfg;
    enum vdev_request request;
    uint32_t exit_value;           /* for VDEV_EXIT */
};

/* ram_bytes: the domain's guest RAM (fw_cfg's RAM_SIZE). */
void vplatform_reset(struct vplatform *p, void (*put)(void *, char), void *ctx,
                     uint64_t ram_bytes);
/* A port access of size 1, 2 or 4 bytes. Reads of ports without a device
 * give all ones and writes to them are dropped, as on a PC (port 0x80
 * too: QEMU's reads all ones). */
uint32_t vplatform_in(struct vplatform *p, uint16_t port, unsigned size, uint64_t now_ns);
void vplatform_out(struct vplatform *p, uint16_t port, unsigned size, uint32_t val,
                   uint64_t now_ns);
/* A guest-physical memory access of size 1, 2, 4 or 8 bytes. Returns 1 if
 * gpa lies in a device (the LAPIC page 0xFEE00000-0xFEE00FFF; *val set on
 * reads), 0 if no device is there (nothing done; the caller decides). */
int vplatform_mmio_read(struct vplatform *p, uint64_t gpa, unsigned size, uint64_t *val,
                        uint64_t now_ns);
int vplatform_mmio_write(struct vplatform *p, uint64_t gpa, unsigned size, uint64_t val,
                         uint64_t now_ns);
/* 1 if gpa lies in a device the two above decode, 0 if not. */
int vplatform_mmio_decodes(const struct vplatform *p, uint64_t gpa);
/* RDMSR/WRMSR of a platform MSR (IA32_APIC_BASE): 0 done, -1 not ours. */
int vplatform_rdmsr(struct vplatform *p, uint32_t msr, uint64_t *val);
int vplatform_wrmsr(struct vplatform *p, uint32_t msr, uint64_t val);
/* Time passes: timer edges and the UART line go to the PIC, the LAPIC
 * timer to the LAPIC. */
void vplatform_advance(struct vplatform *p, uint64_t now_ns);
/* When the next timer event (PIT or LAPIC timer) is due, or UINT64_MAX. */
uint64_t vplatform_next_deadline_ns(const struct vplatform *p);
/* The CPU's interrupt line, as QEMU's cpu_get_pic_interrupt: the 8259's
 * interrupt first when its output reaches the CPU (LAPIC hardware-disabled,
 * or LINT0 unmasked: virtual wire), since ExtINT ignores priorities; else
 * the LAPIC's highest deliverable vector. The vector the CPU would take,
 * or -1 (the caller checks the guest's IF). */
int vplatform_intr_pending(const struct vplatform *p);
/* The CPU takes it (8259 or LAPIC acknowledge): the vector, or -1. */
int vplatform_intr_ack(struct vplatform *p);

#endif
