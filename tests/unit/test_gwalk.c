/* Unit tests: the guest page walker (hypervisor/vm/gwalk.c) in every
 * 32-bit paging mode: paging off, 32-bit paging with and without CR4.PSE
 * (4 MiB pages, PSE-36), PAE with cached and in-memory PDPTEs; the #PF
 * error codes (P, W, U, RSVD, I/D), WP at CPL 0, U/S and R/W across
 * levels, NX, SMEP, SMAP, reserved bits, A/D setting, tables outside RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vm/gwalk.h"

#define PAGES 8
static uint64_t ram[PAGES * 512];              /* guest-physical pages 0..7 */

static void *mem(void *ctx, uint64_t gpa)
{
    (void)ctx;
    return gpa + 8 <= sizeof(ram) ? (uint8_t *)ram + gpa : NULL;
}

static void put32(uint32_t gpa, uint32_t v) { memcpy((uint8_t *)ram + gpa, &v, 4); }
static void put64(uint32_t gpa, uint64_t v) { memcpy((uint8_t *)ram + gpa, &v, 8); }
static uint32_t get32(uint32_t gpa) { uint32_t v; memcpy(&v, (uint8_t *)ram + gpa, 4); return v; }
static uint64_t get64(uint32_t gpa) { uint64_t v; memcpy(&v, (uint8_t *)ram + gpa, 8); return v; }

static struct gwalk w;

static int walk(const struct gwalk_cpu *c, uint32_t va, unsigned access)
{
    return gwalk(c, mem, NULL, va, access, &w);
}

#define AD GWALK_SET_AD
#define W GWALK_WRITE
#define U GWALK_USER
#define X GWALK_FETCH
#define PG GWALK_CR0_PG
#define WP GWALK_CR0_WP
#define XD (1ull << 63)

static void test_paging_off(void **state)
{
    (void)state;
    memset(ram, 0, sizeof(ram));
    struct gwalk_cpu c = { .cr0 = WP, .cr3 = 0x1000, .cr4 = GWALK_CR4_PAE | GWALK_CR4_PSE,
                           .nxe = 1, .maxphy = 36 };
    assert_int_equal(walk(&c, 0xFEE00020, W | U | AD), GWALK_OK);
    assert_int_equal(w.gpa, 0xFEE00020);
    assert_int_equal(w.page_shift, 0);
    assert_true(w.writable && w.user && !w.nx);
    assert_int_equal(walk(&c, 0x1234, X | U), GWALK_OK);
    assert_int_equal(w.gpa, 0x1234);
    for (unsigned i = 0; i < PAGES * 512; i++)
        assert_int_equal(ram[i], 0);                      /* nothing read or set */
}

/* 32-bit paging: the directory at page 1, a table at page 2. */
static void setup32(void)
{
    memset(ram, 0, sizeof(ram));
    put32(0x1000 + 0 * 4, 0x2000 | 0x7);                  /* PDE 0: table at page 2, P RW U */
    put32(0x2000 + 5 * 4, 0x7000 | 0x5);                  /* 0x5000: P U, read-only */
    put32(0x2000 + 6 * 4, 0x8000 | 0x7);                  /* 0x6000: P RW U */
    put32(0x2000 + 7 * 4, 0x9000 | 0x3);                  /* 0x7000: P RW, kernel */
    put32(0x2000 + 8 * 4, 0xA000 | 0x5);                  /* 0x8000: P U, read-only */
    put32(0x1000 + 1 * 4, 0x3000 | 0x5);                  /* PDE 1: table at page 3, P U, RO */
    put32(0x3000 + 0 * 4, 0xB000 | 0x7);                  /* 0x400000: PTE RW, PDE RO */
    put32(0x1000 + 3 * 4, 0x4000 | 0x3);                  /* PDE 3: table at page 4, kernel */
    put32(0x4000 + 0 * 4, 0xC000 | 0x7);                  /* 0xC00000: PTE user, PDE not */
    put32(0x1000 + 4 * 4, 0x00F00000 | 0x7);              /* PDE 4: a table outside RAM */
}

static void test_32bit(void **state)
{
    (void)state;
    setup32();
    struct gwalk_cpu c = { .cr0 = PG | WP, .cr3 = 0x1000, .maxphy = 36 };
    /* A user read: the address, A on both levels, no D. */
    assert_int_equal(walk(&c, 0x5123, U | AD), GWALK_OK);
    assert_int_equal(w.gpa, 0x7123);
    assert_int_equal(w.page_shift, 12);
    assert_true(w.user && !w.writable && !w.dirty);
    assert_int_equal(get32(0x1000), 0x2000 | 0x27);
    assert_int_equal(get32(0x2000 + 5 * 4), 0x7000 | 0x25);
    /* A user write to it: P W U; the leaf gains no D. */
    assert_int_equal(walk(&c, 0x5000, W | U | AD), GWALK_FAULT);
    assert_int_equal(w.error, 0x7);
    assert_int_equal(get32(0x2000 + 5 * 4), 0x7000 | 0x25);
    /* A fault leaves a fresh leaf's A clear, the directory's set. */
    put32(0x1000, 0x2000 | 0x7);
    assert_int_equal(walk(&c, 0x8000, W | U | AD), GWALK_FAULT);
    assert_int_equal(w.error, 0x7);
    assert_int_equal(get32(0x2000 + 8 * 4), 0xA000 | 0x5);
    assert_int_equal(get32(0x1000), 0x2000 | 0x27);
    /* The kernel writing a read-only page: WP says. */
    assert_int_equal(walk(&c, 0x5004, W | AD), GWALK_FAULT);
    assert_int_equal(w.error, 0x3);
    c.cr0 = PG;
    assert_int_equal(walk(&c, 0x5004, W | AD), GWALK_OK);
    assert_int_equal(w.gpa, 0x7004);
    assert_true(w.dirty);
    assert_int_equal(get32(0x2000 + 5 * 4), 0x7000 | 0x65);
    /* ... but WP=0 does not let a user write. */
    assert_int_equal(walk(&c, 0x5004, W | U), GWALK_FAULT);
    assert_int_equal(w.error, 0x7);
    c.cr0 = PG | WP;
    /* A user read of a kernel page: P U. The kernel may write it. */
    assert_int_equal(walk(&c, 0x7000, U), GWALK_FAULT);
    assert_int_equal(w.error, 0x5);
    assert_int_equal(walk(&c, 0x7FFF, W), GWALK_OK);
    assert_int_equal(w.gpa, 0x9FFF);
    assert_true(w.writable && !w.user);
    /* Rights across levels: RW in the PTE, RO in the PDE; U in the PTE,
     * kernel in the PDE. */
    assert_int_equal(walk(&c, 0x400000, W | U), GWALK_FAULT);
    assert_int_equal(w.error, 0x7);
    assert_int_equal(walk(&c, 0x400000, U), GWALK_OK);
    assert_int_equal(w.gpa, 0xB000);
    assert_false(w.writable);
    assert_int_equal(walk(&c, 0xC00000, U), GWALK_FAULT);
    assert_int_equal(w.error, 0x5);
    /* Not present: PTE, then PDE; the error has no P. */
    assert_int_equal(walk(&c, 0x9000, W), GWALK_FAULT);
    assert_int_equal(w.error, 0x2);
    assert_int_equal(walk(&c, 0x800000, U), GWALK_FAULT);
    assert_int_equal(w.error, 0x4);
    /* No NX without PAE: fetches are reads, never I/D (NXE is ignored),
     * and there are no reserved bits in a 4 KiB PTE (bit 7 is PAT). */
    c.nxe = 1;
    assert_int_equal(walk(&c, 0x9000, X), GWALK_FAULT);
    assert_int_equal(w.error, 0x0);
    assert_int_equal(walk(&c, 0x6000, X | U), GWALK_OK);
    assert_false(w.nx);
    put32(0x2000 + 6 * 4, 0x8000 | 0x7 | 0x80);
    assert_int_equal(walk(&c, 0x6000, U), GWALK_OK);
    /* A table outside RAM: where the entry would be. */
    assert_int_equal(walk(&c, 0x01003000, 0), GWALK_BAD_TABLE);
    assert_int_equal(w.table_gpa, 0x00F00000 + 3 * 4);
    c.cr3 = 0x00F00000;
    assert_int_equal(walk(&c, 0, 0), GWALK_BAD_TABLE);
    assert_int_equal(w.table_gpa, 0x00F00000);
    /* Without GWALK_SET_AD nothing is written. */
    setup32();
    c.cr3 = 0x1000;
    assert_int_equal(walk(&c, 0x6000, W | U), GWALK_OK);
    assert_int_equal(get32(0x1000), 0x2000 | 0x7);
    assert_int_equal(get32(0x2000 + 6 * 4), 0x8000 | 0x7);
    assert_false(w.dirty);
}

static void test_pse(void **state)
{
    (void)state;
    setup32();
    /* PDE 2 has PS set and bits 12, 13: a table at page 3 without PSE; a
     * 4 MiB page with it, bit 13 being address bit 32 (PSE-36). */
    put32(0x1000 + 2 * 4, 0x3000 | 0x87);
    put32(0x3000 + 0x12 * 4, 0xD000 | 0x7);
    struct gwalk_cpu c = { .cr0 = PG | WP, .cr3 = 0x1000, .maxphy = 36 };
    assert_int_equal(walk(&c, 0x00812345, AD), GWALK_OK);
    assert_int_equal(w.gpa, 0xD345);
    assert_int_equal(w.page_shift, 12);
    assert_int_equal(get32(0x1000 + 2 * 4), 0x3000 | 0xA7);  /* A set as a directory entry */
    c.cr4 = GWALK_CR4_PSE;
    put32(0x1000 + 2 * 4, 0x3000 | 0x87);
    assert_int_equal(walk(&c, 0x00812345, U | AD), GWALK_OK);
    assert_int_equal(w.gpa, 0x100012345ull);
    assert_int_equal(w.page_shift, 22);
    assert_true(w.writable && w.user && !w.dirty);
    assert_int_equal(get32(0x1000 + 2 * 4), 0x3000 | 0xA7);
    assert_int_equal(walk(&c, 0x00BFFFFF, W | U | AD), GWALK_OK);   /* a write: D */
    assert_int_equal(w.gpa, 0x1003FFFFFull);
    assert_true(w.dirty);
    assert_int_equal(get32(0x1000 + 2 * 4), 0x3000 | 0xE7);
    /* A plain 4 MiB page, kernel-only, read-only. */
    put32(0x1000 + 5 * 4, 0x01C00000 | 0x81);
    assert_int_equal(walk(&c, 0x01400010, 0), GWALK_OK);
    assert_int_equal(w.gpa, 0x01C00010);
    assert_int_equal(walk(&c, 0x01400010, U), GWALK_FAULT);
    assert_int_equal(w.error, 0x5);
    assert_int_equal(walk(&c, 0x01400010, W), GWALK_FAULT);
    assert_int_equal(w.error, 0x3);
    /* Reserved: bit 21 always; address bits from MAXPHYADDR up (bits
     * 20:17 at 36); none at 40; all of 20:13 at 32. */
    put32(0x1000 + 5 * 4, 0x01C00000 | 0x81 | (1u << 21));
    assert_int_equal(walk(&c, 0x01400000, W | U | AD), GWALK_FAULT);
    assert_int_equal(w.error, 0x1 | 0x2 | 0x4 | 0x8);
    assert_int_equal(get32(0x1000 + 5 * 4), 0x01C00000 | 0x81 | (1u << 21));   /* no A */
    put32(0x1000 + 5 * 4, 0x01C00000 | 0x81 | (1u << 17));
    assert_int_equal(walk(&c, 0x01400000, 0), GWALK_FAULT);
    assert_int_equal(w.error, 0x9);
    c.maxphy = 40;
    assert_int_equal(walk(&c, 0x01400000, 0), GWALK_OK);
    assert_int_equal(w.gpa, (1ull << 36) | 0x01C00000);
    put32(0x1000 + 5 * 4, 0x01C00000 | 0x81 | (0xFFu << 13));
    assert_int_equal(walk(&c, 0x01400000, 0), GWALK_OK);
    assert_int_equal(w.gpa, 0xFF01C00000ull);
    c.maxphy = 52;                                          /* PSE-36 gives 40 bits at most */
    assert_int_equal(walk(&c, 0x01400000, 0), GWALK_OK);
    assert_int_equal(w.gpa, 0xFF01C00000ull);
    c.maxphy = 32;
    assert_int_equal(walk(&c, 0x01400000, 0), GWALK_FAULT);
    assert_int_equal(w.error, 0x9);
    put32(0x1000 + 5 * 4, 0x01C00000 | 0x81 | (1u << 12));  /* PAT: not reserved */
    assert_int_equal(walk(&c, 0x01400000, 0), GWALK_OK);
    assert_int_equal(w.gpa, 0x01C00000);
}

static void test_smep_smap(void **state)
{
    (void)state;
    setup32();
    struct gwalk_cpu c = { .cr0 = PG | WP, .cr3 = 0x1000, .maxphy = 36,
                           .cr4 = GWALK_CR4_SMEP };
    /* SMEP: the kernel may not fetch from a user page; I/D is reported. */
    assert_int_equal(walk(&c, 0x6000, X), GWALK_FAULT);
    assert_int_equal(w.error, 0x11);
    assert_int_equal(walk(&c, 0x6000, X | U), GWALK_OK);
    assert_int_equal(walk(&c, 0x7000, X), GWALK_OK);
    assert_int_equal(walk(&c, 0x6000, 0), GWALK_OK);       /* reads: SMAP's business */
    assert_int_equal(walk(&c, 0x9000, X | U), GWALK_FAULT);
    assert_int_equal(w.error, 0x14);
    /* SMAP: kernel data accesses to user pages fault unless EFLAGS.AC. */
    c.cr4 = GWALK_CR4_SMAP;
    assert_int_equal(walk(&c, 0x6000, 0), GWALK_FAULT);
    assert_int_equal(w.error, 0x1);
    assert_int_equal(walk(&c, 0x6000, W), GWALK_FAULT);
    assert_int_equal(w.error, 0x3);
    assert_int_equal(walk(&c, 0x6000, W | GWALK_AC), GWALK_OK);
    assert_int_equal(walk(&c, 0x5000, W | GWALK_AC), GWALK_FAULT);   /* WP still holds */
    assert_int_equal(w.error, 0x3);
    assert_int_equal(walk(&c, 0x6000, U), GWALK_OK);
    assert_int_equal(walk(&c, 0x6000, X), GWALK_OK);       /* fetches: SMEP's business */
    assert_int_equal(walk(&c, 0x7000, 0), GWALK_OK);
}

/* PAE: the PDPT (in memory) at 0x5020, L2 at page 1, L1s at pages 2, 3. */
static void setup_pae(void)
{
    memset(ram, 0, sizeof(ram));
    put64(0x5020, 0x1000 | 0x1);
    put64(0x1000 + 0 * 8, 0x2000 | 0x7);                  /* 0-2 MiB: L1 at page 2 */
    put64(0x1000 + 1 * 8, 0x00600000 | 0x83);             /* 2-4 MiB: a 2 MiB kernel page */
    put64(0x1000 + 2 * 8, 0x3000 | 0x7 | XD);             /* 4-6 MiB: L1 at page 3, XD */
    put64(0x1000 + 3 * 8, 0x00E00000 | 0x87);             /* 6-8 MiB: a 2 MiB user page */
    put64(0x2000 + 5 * 8, 0x7000 | 0x5);                  /* 0x5000: U RO */
    put64(0x2000 + 6 * 8, 0x8000 | 0x7);                  /* 0x6000: U RW */
    put64(0x2000 + 9 * 8, 0x9000 | 0x7 | XD);             /* 0x9000: U RW XD */
    put64(0x3000 + 0 * 8, 0x4000 | 0x7);                  /* 0x400000: XD above */
}

static const uint64_t pdpte[4] = { 0x1000 | 1, 0, 0, 0 };

static void test_pae(void **state)
{
    (void)state;
    setup_pae();
    struct gwalk_cpu c = { .cr0 = PG | WP, .cr3 = 0x5020, .cr4 = GWALK_CR4_PAE,
                           .maxphy = 36, .pdpte = pdpte };
    assert_int_equal(walk(&c, 0x5123, U | AD), GWALK_OK);
    assert_int_equal(w.gpa, 0x7123);
    assert_int_equal(w.page_shift, 12);
    assert_int_equal(get64(0x1000), 0x2000 | 0x27);
    assert_int_equal(get64(0x2000 + 5 * 8), 0x7000 | 0x25);
    assert_int_equal(walk(&c, 0x5000, W | U), GWALK_FAULT);
    assert_int_equal(w.error, 0x7);
    assert_int_equal(walk(&c, 0x5000, W), GWALK_FAULT);
    assert_int_equal(w.error, 0x3);
    assert_int_equal(walk(&c, 0x6008, W | U | AD), GWALK_OK);
    assert_true(w.dirty);
    assert_int_equal(get64(0x2000 + 6 * 8), 0x8000 | 0x67);
    /* 2 MiB pages: A and D in the leaf only. */
    assert_int_equal(walk(&c, 0x00212345, W | AD), GWALK_OK);
    assert_int_equal(w.gpa, 0x00612345);
    assert_int_equal(w.page_shift, 21);
    assert_int_equal(get64(0x1000 + 8), 0x00600000 | 0xE3);
    assert_int_equal(walk(&c, 0x00212345, U), GWALK_FAULT);
    assert_int_equal(w.error, 0x5);
    assert_int_equal(walk(&c, 0x007FFFFF, U | W), GWALK_OK);
    assert_int_equal(w.gpa, 0x00FFFFFF);
    /* Not present: a PDPTE, an L1 entry (A set in the L2 entry on the way). */
    assert_int_equal(walk(&c, 0x40000000, U), GWALK_FAULT);
    assert_int_equal(w.error, 0x4);
    put64(0x1000 + 4 * 8, 0x3000 | 0x7);                  /* 8-10 MiB: L1 at page 3 again */
    assert_int_equal(walk(&c, 0x00801000, W | AD), GWALK_FAULT);
    assert_int_equal(w.error, 0x2);
    assert_int_equal(get64(0x1000 + 4 * 8), 0x3000 | 0x27);
    /* XD without NXE: a reserved bit (P RSVD and the access's bits). */
    assert_int_equal(walk(&c, 0x00400000, 0), GWALK_FAULT);
    assert_int_equal(w.error, 0x9);
    assert_int_equal(walk(&c, 0x9000, X | U), GWALK_FAULT);
    assert_int_equal(w.error, 0xD);                       /* no I/D without NXE */
    /* With NXE: fetches from an XD page (any level) fault with I/D. */
    c.nxe = 1;
    assert_int_equal(walk(&c, 0x9000, U | W), GWALK_OK);
    assert_true(w.nx);
    assert_int_equal(walk(&c, 0x9000, X | U), GWALK_FAULT);
    assert_int_equal(w.error, 0x15);
    assert_int_equal(walk(&c, 0x00400000, X), GWALK_FAULT);
    assert_int_equal(w.error, 0x11);
    assert_int_equal(walk(&c, 0x00400000, 0), GWALK_OK);
    assert_int_equal(w.gpa, 0x4000);
    assert_true(w.nx);
    assert_int_equal(walk(&c, 0x6000, X | U), GWALK_OK);
    assert_false(w.nx);
    assert_int_equal(walk(&c, 0x40000000, X), GWALK_FAULT);   /* not present: I/D too */
    assert_int_equal(w.error, 0x10);
    assert_int_equal(walk(&c, 0x9000, X | W | U), GWALK_OK);  /* a write, not a fetch */
    c.nxe = 0;
}

static void test_pae_reserved(void **state)
{
    (void)state;
    setup_pae();
    struct gwalk_cpu c = { .cr0 = PG | WP, .cr3 = 0x5020, .cr4 = GWALK_CR4_PAE,
                           .maxphy = 36, .pdpte = pdpte };
    /* Bits 62:M of a PTE (M 36: bit 40 reserved; M 48: not; bit 52 at
     * M 52: reserved, as the SDM says), no A set in it. */
    put64(0x2000 + 7 * 8, 0x9000 | 0x7 | (1ull << 40));
    assert_int_equal(walk(&c, 0x7000, W | U | AD), GWALK_FAULT);
    assert_int_equal(w.error, 0xF);
    assert_int_equal(get64(0x2000 + 7 * 8), 0x9000 | 0x7 | (1ull << 40));
    c.maxphy = 48;
    assert_int_equal(walk(&c, 0x7000, 0), GWALK_OK);
    assert_int_equal(w.gpa, (1ull << 40) | 0x9000);
    put64(0x2000 + 7 * 8, 0x9000 | 0x7 | (1ull << 52));
    c.maxphy = 52;
    assert_int_equal(walk(&c, 0x7000, 0), GWALK_FAULT);
    assert_int_equal(w.error, 0x9);
    c.maxphy = 36;
    /* A 2 MiB PDE: bits 20:13 (bit 12 is PAT); a PDE's high bits. */
    put64(0x1000 + 1 * 8, 0x00600000 | 0x83 | (1ull << 20));
    assert_int_equal(walk(&c, 0x00200000, 0), GWALK_FAULT);
    assert_int_equal(w.error, 0x9);
    put64(0x1000 + 1 * 8, 0x00600000 | 0x83 | (1ull << 12));
    assert_int_equal(walk(&c, 0x00200000, 0), GWALK_OK);
    assert_int_equal(w.gpa, 0x00600000);
    put64(0x1000 + 0 * 8, 0x2000 | 0x7 | (1ull << 36));
    assert_int_equal(walk(&c, 0x5000, U), GWALK_FAULT);
    assert_int_equal(w.error, 0xD);
    /* Bits 20:13 of a PDE that points to a table are address bits. */
    put64(0x1000 + 0 * 8, 0x2000 | 0x7);
    put64(0x1000 + 5 * 8, 0x3000 | 0x7);
    assert_int_equal(walk(&c, 0x00A00000, 0), GWALK_OK);
    assert_int_equal(w.gpa, 0x4000);
    /* A table outside RAM. */
    put64(0x1000 + 6 * 8, 0x00F00000 | 0x7);
    assert_int_equal(walk(&c, 0x00C03000, 0), GWALK_BAD_TABLE);
    assert_int_equal(w.table_gpa, 0x00F00000 + 3 * 8);
    static const uint64_t far[4] = { 0x80000000u | 1, 0, 0, 0 };
    c.pdpte = far;
    assert_int_equal(walk(&c, 0, 0), GWALK_BAD_TABLE);
    assert_int_equal(w.table_gpa, 0x80000000u);
}

static void test_pae_pdpt_in_memory(void **state)
{
    (void)state;
    setup_pae();
    struct gwalk_cpu c = { .cr0 = PG | WP, .cr3 = 0x5020, .cr4 = GWALK_CR4_PAE,
                           .maxphy = 36 };
    assert_int_equal(walk(&c, 0x6004, W | U | AD), GWALK_OK);
    assert_int_equal(w.gpa, 0x8004);
    assert_int_equal(get64(0x5020), 0x1000 | 0x1);         /* no A in a PDPTE */
    assert_int_equal(walk(&c, 0x40000000, 0), GWALK_FAULT);
    assert_int_equal(w.error, 0x0);
    /* CR3 bits 4:0 are ignored: the PDPT is 32-byte aligned. */
    c.cr3 = 0x503F;
    assert_int_equal(walk(&c, 0x6004, 0), GWALK_OK);
    /* Bits 63:M are reserved (#PF with RSVD at the walk); the bits 2:1
     * and 8:5 QEMU lets through (it sets bit 5 itself). */
    put64(0x5020, 0x1000 | 0x1 | (1ull << 40));
    assert_int_equal(walk(&c, 0x6004, W), GWALK_FAULT);
    assert_int_equal(w.error, 0xB);
    put64(0x5020, 0x1000 | 0x1 | XD);
    c.nxe = 1;
    assert_int_equal(walk(&c, 0x6004, 0), GWALK_FAULT);
    assert_int_equal(w.error, 0x9);
    put64(0x5020, 0x1000 | 0x1 | 0x1E6);
    assert_int_equal(walk(&c, 0x6004, 0), GWALK_OK);
    /* The PDPT outside RAM. */
    c.cr3 = 0x00F00000;
    assert_int_equal(walk(&c, 0xC0000000, 0), GWALK_BAD_TABLE);
    assert_int_equal(w.table_gpa, 0x00F00018);
    /* The CR3-load check of cached PDPTEs. */
    assert_int_equal(gwalk_pdpte_reserved(0x1001, 36), 0);
    assert_int_equal(gwalk_pdpte_reserved(0x1023, 36), 0x22);
    assert_int_equal(gwalk_pdpte_reserved(0x1001 | XD, 52), XD);
    assert_int_equal(gwalk_pdpte_reserved(0x1001 | (1ull << 40), 36), 1ull << 40);
    assert_int_equal(gwalk_pdpte_reserved(0x1001 | (1ull << 40), 41), 0);
    assert_int_equal(gwalk_pdpte_reserved(0xFFFFFFFFFFFFFFFEull, 36), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paging_off),
        cmocka_unit_test(test_32bit),
        cmocka_unit_test(test_pse),
        cmocka_unit_test(test_smep_smap),
        cmocka_unit_test(test_pae),
        cmocka_unit_test(test_pae_reserved),
        cmocka_unit_test(test_pae_pdpt_in_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
