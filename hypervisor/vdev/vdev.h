/*
 * vdev: the virtual PC platform an unmodified (native) kernel sees in the te
 * mode, written once for every full-virtualization mode (te now; bt and hw
 * later): an 8259A PIC pair, an 8254 PIT (channel 0), an 8250 UART on COM1,
 * the ACPI PM1a control port and QEMU's isa-debug-exit port.
 *
 * Pure: no hardware access. Time comes in as nanoseconds, console output
 * goes out through a callback, and the platform says what the guest asked
 * for (power off, exit status) in its state. Unit-tested on the host.
 */
#ifndef HV_VDEV_VDEV_H
#define HV_VDEV_VDEV_H

#include <stddef.h>
#include <stdint.h>

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

/* ---- the platform ---- */
#define VDEV_COM1        0x3F8
#define VDEV_EXIT_PORT   0xF4      /* isa-debug-exit: write v, exit 2v+1 */
#define VDEV_ACPI_PM1A   0x604     /* PIIX4 PM1a control: SLP_EN | S5 powers off */

enum vdev_request { VDEV_RUNNING = 0, VDEV_POWEROFF, VDEV_EXIT };

struct vplatform {
    struct vpic pic;
    struct vpit pit;
    struct vuart uart;
    enum vdev_request request;
    uint32_t exit_value;           /* for VDEV_EXIT */
};

void vplatform_reset(struct vplatform *p, void (*put)(void *, char), void *ctx);
/* A port access of size 1, 2 or 4 bytes. Reads of ports without a device
 * give all ones and writes to them are dropped, as on a PC. */
uint32_t vplatform_in(struct vplatform *p, uint16_t port, unsigned size, uint64_t now_ns);
void vplatform_out(struct vplatform *p, uint16_t port, unsigned size, uint32_t val,
                   uint64_t now_ns);
/* Time passes: timer edges and the UART line go to the PIC. */
void vplatform_advance(struct vplatform *p, uint64_t now_ns);

#endif
