/*
 * layout: the fixed addresses and selectors of the hypervisor, shared by C
 * and assembly.
 *
 * The hypervisor runs in an address space of its own: an identity "direct
 * map" of RAM below HYPERVISOR_VIRT_START (2 MiB pages) plus the switcher.
 * Every guest address space holds, above HYPERVISOR_VIRT_START, only the
 * read-only M2P table and the switcher region, mapped through the L2 behind
 * L3 slot 3:
 *
 *   0xF5800000  M2P table, read-only               L2 slots 428-435
 *   0xF6800000  nothing                            L2 slots 436-510
 *   0xFFE00000  switcher region                    L2 slot 511, one L1:
 *     +0x00000  switcher text: entry stubs, entry/exit paths   (RO)
 *     +0x02000  switcher data: IDT, TSS, hypervisor CR3/stack  (RO)
 *     +0x04000  GDT, 16 pages                                    (RO):
 *               pv: 14 guest frames (or a zero page), the hypervisor's
 *               GDT page, a zero page; CPU limit HV_GDT_LIMIT (Xen's).
 *               te: the domain's 16 shadow-GDT frames, page 14 with the
 *               hypervisor's HV_* entries copied in (te/load.c); CPU
 *               limit SW_GDT_FULL_LIMIT while a te domain runs
 *               (te_switch_in), so a guest GDT can have 8192 entries.
 *     +0x14000  guard (unmapped)
 *     +0x15000  entry stack: the CPU pushes the trap frame here  (RW,
 *               one frame per vCPU: see below)
 *     +0x16000  guard (unmapped)
 *     +0x18000  LDT, 16 pages: the frames of the guest's LDT      (RO)
 *
 * Ring 1 counts as supervisor, so a guest kernel can read (not write) the
 * switcher region. It holds no secrets: code, descriptor tables, the TSS and
 * the hypervisor's CR3 value. Every page of it is either read-only to every
 * guest (text, data, the hypervisor's GDT page, the zero page, the M2P) or
 * the domain's own (its GDT and LDT frames, read-only here) -- except the
 * entry stack, which the CPU must be able to write at CPL 0 and which ring 1
 * can therefore write too. So each vCPU has an entry-stack frame of its own,
 * mapped only in its domain's switcher L1 (mm_new_switcher_l1); the
 * hypervisor's address space shows the current vCPU's switcher L1, switched
 * with a TLB flush at every vCPU switch (mm_use_switcher_l1), so the C entry
 * reads the frame at the same address. No domain can write a page another
 * domain reads. The entry stack is never trusted: the hypervisor copies the
 * frame out on entry and writes a whole new one on exit.
 */
#ifndef HV_ARCH_X86_LAYOUT_H
#define HV_ARCH_X86_LAYOUT_H

#define SWITCHER_VA         0xFFE00000
#define SWITCHER_L2_SLOT    511
#define SW_TEXT_VA          (SWITCHER_VA + 0x00000)
#define SW_TEXT_PAGES       2
#define SW_DATA_VA          (SWITCHER_VA + 0x02000)
#define SW_GDT_VA           (SWITCHER_VA + 0x04000)
#define SW_GDT_PAGES        16
#define SW_STACK_VA         (SWITCHER_VA + 0x15000)
#define SW_STACK_TOP        (SWITCHER_VA + 0x16000)
#define SW_LDT_VA           (SWITCHER_VA + 0x18000)
#define SW_LDT_PAGES        16

/* Switcher data page: a few words the entry path reads, then IDT and TSS. */
#define SWD_HV_CR3          0x00    /* the hypervisor's page tables */
#define SWD_HV_STACK        0x04    /* top of the hypervisor stack */
#define SWD_HV_ENTRY        0x08    /* C: trap from a guest (or failed exit) */
#define SWD_HV_FATAL        0x0C    /* C: trap in the hypervisor itself */
#define SWD_HV_IRQ          0x10    /* C: device interrupt while the hypervisor idles */
#define SWD_HV_DEBUG        0x14    /* C: #DB in the hypervisor's own context (never fatal) */
#define SWD_GUEST_DR7       0x18    /* the running vCPU's DR7 when it arms a breakpoint,
                                     * else 0: the switcher clears DR7 on entry from the
                                     * guest and loads this at exit (arch/x86/debugreg_hw.c) */
#define SWD_IDT             0x100   /* 256 gates, 2 KiB */
#define SWD_TSS             0x900   /* 104 bytes */
#define TSS_ESP1_OFFSET     12      /* esp1, then ss1: set by stack_switch */

/* Hypervisor GDT entries (in the GDT page at index 14, entries 7168..). */
#define HV_CS               0xe008
#define HV_DS               0xe010
#define HV_TSS_SEL          0xe038
#define HV_LDT_SEL          0xe040   /* the current guest's LDT, if any */
#define HV_GDT_LIMIT        (15 * 4096 - 1)
#define SW_GDT_FULL_LIMIT   0xFFFF   /* all 16 pages: a te domain's */

/* The trap frame on the entry stack (see switcher.S), offsets in bytes. */
#define FRAME_EDI           0
#define FRAME_ESI           4
#define FRAME_EBP           8
#define FRAME_ESP0          12      /* pushal's copy, ignored */
#define FRAME_EBX           16
#define FRAME_EDX           20
#define FRAME_ECX           24
#define FRAME_EAX           28
#define FRAME_GS            32
#define FRAME_FS            36
#define FRAME_ES            40
#define FRAME_DS            44
#define FRAME_VECTOR        48
#define FRAME_ERROR         52
#define FRAME_EIP           56
#define FRAME_CS            60
#define FRAME_EFLAGS        64
#define FRAME_ESP           68      /* only when coming from ring 1, 2 or 3, or vm86 */
#define FRAME_SS            72
#define FRAME_SIZE          76
/* From virtual-8086 mode the CPU pushes 4 more words above SS (the frame
 * then starts 16 bytes lower on the entry stack). */
#define FRAME_VM86_ES       76
#define FRAME_VM86_DS       80
#define FRAME_VM86_FS       84
#define FRAME_VM86_GS       88
#define FRAME_VM86_SIZE     92
#define EFLAGS_VM_BIT       0x00020000   /* EFLAGS.VM, for the switcher */

/* The vector sysenter_entry (switcher.S) gives its frame: not a vector of
 * the IDT (those are below 256), so nothing else can arrive with it. */
#define SW_VEC_SYSENTER     0x100

/* Multiboot modules and the hypervisor image stay below this. */
#define HV_LOAD_ADDR        0x00100000

#endif
