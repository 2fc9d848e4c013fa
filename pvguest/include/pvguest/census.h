/*
 * census: the sensitive-instruction census (docs/census.md). The same
 * probes run in kernel context (SYS_census, native flavour only: the pv
 * kernel contains no sensitive instruction) and in user context (the
 * census program). Each probe executes one instruction and returns what it
 * observed as raw values; the census program turns them into a
 * description and tools/census-report compares the descriptions across
 * modes with the native machine's.
 *
 * The first CENSUS_NR_SENSITIVE probes are the sensitive but unprivileged
 * instructions of Robin and Irvine (USENIX Security 2000); the rest are
 * privileged ones, which fault in ring 3 everywhere.
 */
#ifndef PVGUEST_CENSUS_H
#define PVGUEST_CENSUS_H

#include <stdint.h>

#define SYS_census       402  /* census(probe, struct census_obs *): kernel context */
#define SYS_census_info  403  /* census_info(struct census_info *) */

enum census_probe {
    CP_SGDT, CP_SIDT, CP_SLDT, CP_SMSW, CP_STR, CP_PUSHF, CP_POPF, CP_LAR, CP_LSL,
    CP_VERR, CP_VERW, CP_PUSH, CP_POP, CP_MOV, CP_CALL, CP_JMP, CP_RET, CP_INT,
    CENSUS_NR_SENSITIVE,
    CP_CLI = CENSUS_NR_SENSITIVE, CP_STI, CP_HLT, CP_RDCR0, CP_WRCR3, CP_RDCR4, CP_LGDT,
    CP_LIDT, CP_LLDT, CP_INVLPG, CP_IN, CP_OUT, CP_WRMSR, CP_RDMSR, CP_WBINVD,
    CENSUS_NR
};

/* Reads report machine state (a difference leaks the host's); acts change
 * it (a difference is a silently different effect). */
enum census_kind { CENSUS_READS, CENSUS_ACTS };

static const struct { const char *name; enum census_kind kind; }
census_probes[CENSUS_NR] __attribute__((unused)) = {
    [CP_SGDT] = { "SGDT", CENSUS_READS },     [CP_SIDT] = { "SIDT", CENSUS_READS },
    [CP_SLDT] = { "SLDT", CENSUS_READS },     [CP_SMSW] = { "SMSW", CENSUS_READS },
    [CP_STR] = { "STR", CENSUS_READS },       [CP_PUSHF] = { "PUSHF", CENSUS_READS },
    [CP_POPF] = { "POPF", CENSUS_ACTS },      [CP_LAR] = { "LAR", CENSUS_READS },
    [CP_LSL] = { "LSL", CENSUS_READS },       [CP_VERR] = { "VERR", CENSUS_READS },
    [CP_VERW] = { "VERW", CENSUS_READS },     [CP_PUSH] = { "PUSH-sreg", CENSUS_READS },
    [CP_POP] = { "POP-sreg", CENSUS_ACTS },   [CP_MOV] = { "MOV-sreg", CENSUS_READS },
    [CP_CALL] = { "CALL-far", CENSUS_READS }, [CP_JMP] = { "JMP-far", CENSUS_ACTS },
    [CP_RET] = { "RET-far", CENSUS_ACTS },    [CP_INT] = { "INT-n", CENSUS_ACTS },
    [CP_CLI] = { "CLI", CENSUS_ACTS },        [CP_STI] = { "STI", CENSUS_ACTS },
    [CP_HLT] = { "HLT", CENSUS_ACTS },        [CP_RDCR0] = { "MOV-from-CR0", CENSUS_READS },
    [CP_WRCR3] = { "MOV-to-CR3", CENSUS_ACTS }, [CP_RDCR4] = { "MOV-from-CR4", CENSUS_READS },
    [CP_LGDT] = { "LGDT", CENSUS_ACTS },      [CP_LIDT] = { "LIDT", CENSUS_ACTS },
    [CP_LLDT] = { "LLDT", CENSUS_ACTS },      [CP_INVLPG] = { "INVLPG", CENSUS_ACTS },
    [CP_IN] = { "IN", CENSUS_READS },         [CP_OUT] = { "OUT", CENSUS_ACTS },
    [CP_WRMSR] = { "WRMSR", CENSUS_ACTS },    [CP_RDMSR] = { "RDMSR", CENSUS_READS },
    [CP_WBINVD] = { "WBINVD", CENSUS_ACTS },
};

/* What a probe saw; fault: the vector of an exception it took, or -1. */
struct census_obs {
    uint32_t v[2];
    int32_t fault;
};

/* What the kernel itself set up, to compare kernel-context reads with
 * (zero where a flavour has no such thing: the pv kernel loads no tables). */
struct census_info {
    uint32_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint16_t tr, ldtr, kernel_cs, kernel_ss, user_cs, user_ss;
    uint32_t cr0;              /* as the kernel reads it (mov from CR0) */
};

#define CENSUS_EFLAGS_IF   0x200u
#define CENSUS_EFLAGS_IOPL 0x3000u

/* The sensitive probes, the same instructions in both contexts. sel_code
 * and sel_data: the running context's own CS and SS as the kernel defines
 * them. Interrupt-dependent effects (POPF in the kernel) are measured by
 * the kernel's side; here POPF tries to clear IF and reports what stuck. */
static inline void census_sensitive(int probe, uint16_t sel_code, uint16_t sel_data,
                                    struct census_obs *o)
{
    uint32_t a = 0, b = 0;
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } dt = { 0, 0 };
    switch (probe) {
    case CP_SGDT:
        __asm__ __volatile__("sgdt %0" : "=m"(dt));
        a = dt.base, b = dt.limit;
        break;
    case CP_SIDT:
        __asm__ __volatile__("sidt %0" : "=m"(dt));
        a = dt.base, b = dt.limit;
        break;
    case CP_SLDT:
        __asm__ __volatile__("sldt %0" : "=r"(a));
        a &= 0xFFFF;
        break;
    case CP_SMSW:
        __asm__ __volatile__("smsw %0" : "=r"(a));
        a &= 0xFFFF;
        break;
    case CP_STR:
        __asm__ __volatile__("str %0" : "=r"(a));
        a &= 0xFFFF;
        break;
    case CP_PUSHF:
        __asm__ __volatile__("pushf; pop %0" : "=r"(a));
        break;
    case CP_POPF:   /* try to clear IF (and set IOPL 3), then look */
        __asm__ __volatile__("pushf; pop %%eax; movl %%eax, %%ecx; andl $~0x200, %%eax; "
                             "orl $0x3000, %%eax; push %%eax; popf; pushf; pop %0; "
                             "push %%ecx; popf" : "=r"(a) :: "eax", "ecx", "cc");
        break;
    case CP_LAR:
        __asm__ __volatile__("xorl %0, %0; lar %2, %0; setz %b1; movzbl %b1, %1"
                             : "=&r"(a), "=&q"(b) : "r"((uint32_t)sel_code) : "cc");
        break;
    case CP_LSL:
        __asm__ __volatile__("xorl %0, %0; lsl %2, %0; setz %b1; movzbl %b1, %1"
                             : "=&r"(a), "=&q"(b) : "r"((uint32_t)sel_data) : "cc");
        break;
    case CP_VERR:
        __asm__ __volatile__("verr %w1; setz %b0; movzbl %b0, %0"
                             : "=q"(a) : "r"(sel_code) : "cc");
        break;
    case CP_VERW:
        __asm__ __volatile__("verw %w1; setz %b0; movzbl %b0, %0"
                             : "=q"(a) : "r"(sel_data) : "cc");
        break;
    case CP_PUSH:
        __asm__ __volatile__("push %%cs; pop %0" : "=r"(a));
        a &= 0xFFFF;
        break;
    case CP_POP:    /* SS from the stack: the context's own data selector */
        __asm__ __volatile__("push %1; pop %%ss; movl $1, %0" : "=r"(a) : "r"((uint32_t)sel_data));
        break;
    case CP_MOV:
        __asm__ __volatile__("mov %%ss, %0" : "=r"(a));
        a &= 0xFFFF;
        break;
    case CP_CALL: { /* a far call to our own code segment: what CS it pushes */
        uint32_t target[2] = { 0, sel_code };
        __asm__ __volatile__("movl $1f, (%1); lcall *(%1); jmp 2f; "
                             "1: movl 4(%%esp), %0; lret; 2:"
                             : "=&r"(a) : "r"(target) : "memory");
        a &= 0xFFFF;
        break;
    }
    case CP_JMP: {
        uint32_t target[2] = { 0, sel_code };
        __asm__ __volatile__("movl $1f, (%1); ljmp *(%1); 1: movl $1, %0"
                             : "=&r"(a) : "r"(target) : "memory");
        break;
    }
    case CP_RET:
        __asm__ __volatile__("push %1; push $1f; lret; 1: movl $1, %0"
                             : "=r"(a) : "r"((uint32_t)sel_code) : "memory");
        break;
    default:
        break;
    }
    o->v[0] = a;
    o->v[1] = b;
}

#endif
