/*
 * fwcfg: QEMU's firmware configuration device through its I/O ports (the
 * selector at 0x510, 16 bits; the data at 0x511, a byte at a time): the
 * signature "QEMU", the ID's traditional-interface bit, the CPU count
 * (key 5) of this single-CPU machine, reads past an item's end and of a key
 * that does not exist, and a re-select starting an item over.
 */
#include "mbkern.h"

const char mbk_name[] = "fwcfg";

#define FW_SEL 0x510
#define FW_DATA 0x511
enum { FW_SIGNATURE = 0x00, FW_ID = 0x01, FW_NB_CPUS = 0x05, FW_MAX_CPUS = 0x0F };

static void fw_read(uint16_t key, uint8_t *buf, unsigned n)
{
    outw(FW_SEL, key);
    for (unsigned i = 0; i < n; i++)
        buf[i] = inb(FW_DATA);
}

static uint32_t le(const uint8_t *b, unsigned n)
{
    uint32_t v = 0;
    while (n--)
        v = v << 8 | b[n];
    return v;
}

void mbk_main(void)
{
    uint8_t sig[8];
    fw_read(FW_SIGNATURE, sig, 8);
    report(sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U',
           "key 0: the signature \"QEMU\"");
    report(le(sig + 4, 4) == 0, "key 0: reads past its 4 bytes give 0");
    fw_read(FW_SIGNATURE, sig, 2);
    fw_read(FW_SIGNATURE, sig + 2, 4);
    report(sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'Q' && sig[3] == 'E' && sig[4] == 'M' && sig[5] == 'U',
           "selecting a key again starts it over");

    uint8_t id[4];
    fw_read(FW_ID, id, 4);
    mbk_printf("# key 1 (ID): 0x%x\n", le(id, 4));
    report(le(id, 4) & 1, "key 1: the ID has the traditional interface bit");

    uint8_t n[4];
    fw_read(FW_NB_CPUS, n, 4);
    report(le(n, 2) == 1, "key 5: 1 CPU (got %u)", le(n, 2));
    report(le(n + 2, 2) == 0, "key 5: 2 bytes, then 0");
    fw_read(FW_MAX_CPUS, n, 2);
    mbk_printf("# key 0xf (max CPUs): %u\n", le(n, 2));

    uint8_t none[4] = { 1, 1, 1, 1 };
    fw_read(0x3FFF, none, 4);
    report(le(none, 4) == 0, "key 0x3fff (none): reads give 0");
}
