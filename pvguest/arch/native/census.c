/*
 * census (native): the census probes in kernel context (SYS_census), with
 * the real instructions. On bare hardware every answer is the reference;
 * under te the same code runs in ring 1, and the differences are the
 * point (docs/census.md).
 *
 * The kernel runs with interrupts off. The interrupt probes (POPF, CLI,
 * STI, HLT) wait until the PIC holds a timer request, then look whether
 * the tick handler ran: that is what turning IF on or off means. They
 * leave with interrupts off again.
 */
#include <pvguest/census.h>

#include "arch/native/native.h"
#include "kernel/kernel.h"

#define SPIN_MAX  200000000u

/* Spin with interrupts off until the master PIC requests IRQ 0. */
static int wait_tick_request(void)
{
    for (uint32_t i = 0; i < SPIN_MAX; i++) {
        outb(0x20, 0x0A);                       /* OCW3: read IRR */
        if (inb(0x20) & 1)
            return 1;
    }
    return 0;
}

static void settle(void) { __asm__ __volatile__("nop; nop; nop; nop" ::: "memory"); }

static int interrupt_probe(int probe, struct census_obs *o)
{
    uint64_t t0;
    uint32_t flags;
    switch (probe) {
    case CP_POPF:                               /* IF set through POPF */
        if (!wait_tick_request())
            return -EAGAIN;
        t0 = native_ticks();
        __asm__ __volatile__("pushf; pop %0" : "=r"(flags));
        __asm__ __volatile__("push %0; popf" :: "r"(flags | CENSUS_EFLAGS_IF) : "memory", "cc");
        settle();
        o->v[0] = native_ticks() != t0;
        break;
    case CP_CLI:                                /* IF on, then cli holds the tick */
        __asm__ __volatile__("sti; nop; cli" ::: "memory");
        if (!wait_tick_request())
            return -EAGAIN;
        t0 = native_ticks();
        settle();
        o->v[0] = native_ticks() == t0;
        break;
    case CP_STI:
        if (!wait_tick_request())
            return -EAGAIN;
        t0 = native_ticks();
        __asm__ __volatile__("sti" ::: "memory");
        settle();
        o->v[0] = native_ticks() != t0;
        break;
    default:                                    /* CP_HLT */
        t0 = native_ticks();
        __asm__ __volatile__("sti; hlt" ::: "memory");
        o->v[0] = native_ticks() != t0;
        break;
    }
    __asm__ __volatile__("cli" ::: "memory");
    return 0;
}

int arch_census(int probe, struct census_obs *o)
{
    struct census_info ki;
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } dt;
    uint32_t x;
    static volatile uint32_t victim;

    arch_census_info(&ki);
    switch (probe) {
    case CP_POPF: case CP_CLI: case CP_STI: case CP_HLT:
        return interrupt_probe(probe, o);
    case CP_PUSHF:                              /* with IF clear, as the kernel runs */
        __asm__ __volatile__("cli; pushf; pop %0" : "=r"(o->v[0]));
        return 0;
    case CP_INT:
        /* int3 is a trap: the catch resumes right after it, EAX = vector. */
        __asm__ __volatile__("movl $1f, kernel_catch_eip; movl $-1, %%eax; int $3; 1:"
                             : "=a"(x) :: "memory");
        kernel_catch_eip = 0;
        o->v[0] = x;
        return 0;
    case CP_RDCR0: __asm__ __volatile__("mov %%cr0, %0" : "=r"(o->v[0])); return 0;
    case CP_RDCR4: __asm__ __volatile__("mov %%cr4, %0" : "=r"(o->v[0])); return 0;
    case CP_WRCR3:
        __asm__ __volatile__("mov %%cr3, %0; mov %0, %%cr3" : "=r"(x) :: "memory");
        o->v[0] = victim + 1;
        return 0;
    case CP_LGDT: case CP_LIDT:
        dt.limit = probe == CP_LGDT ? ki.gdt_limit : ki.idt_limit;
        dt.base = probe == CP_LGDT ? ki.gdt_base : ki.idt_base;
        if (probe == CP_LGDT)
            __asm__ __volatile__("lgdt %0" :: "m"(dt));
        else
            __asm__ __volatile__("lidt %0" :: "m"(dt));
        o->v[0] = 1;
        return 0;
    case CP_LLDT: __asm__ __volatile__("lldt %w0" :: "r"(0)); o->v[0] = 1; return 0;
    case CP_INVLPG:
        __asm__ __volatile__("invlpg (%0)" :: "r"(&victim) : "memory");
        o->v[0] = victim + 1;
        return 0;
    case CP_IN: o->v[0] = inb(COM1 + 5) & 0x60; return 0;
    case CP_OUT: outb(0x80, 0); o->v[0] = 1; return 0;
    case CP_WRMSR:
        __asm__ __volatile__("wrmsr" :: "c"(0x174), "a"((uint32_t)KERNEL_CS), "d"(0));
        o->v[0] = 1;
        return 0;
    case CP_RDMSR: __asm__ __volatile__("rdmsr" : "=a"(o->v[0]) : "c"(0x174) : "edx"); return 0;
    case CP_WBINVD: __asm__ __volatile__("wbinvd" ::: "memory"); o->v[0] = 1; return 0;
    default:
        census_sensitive(probe, KERNEL_CS, KERNEL_DS, o);
        return 0;
    }
}
