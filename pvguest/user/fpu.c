/* fpu [ROUNDS]: two processes keep secrets in their x87 registers (and read
 * them as MMX too) across ROUNDS (default 300) yields to each other; each
 * must find its own registers intact every round and never the other's
 * values. Process k keeps FPU_SECRET(k, i) in st(i): the same scheme as the
 * hypervisor's FPU tests (tests/guests/lib/fpu_secret.h), so a spy in
 * another domain recognises them too. Exits with 0 when both succeeded. */
#include "ulib.h"

#define FPU_SECRET(o, i) (0x5EC2E70000000000ull | ((uint64_t)(o) << 32) | \
                          ((uint64_t)(i) << 24) | 0xC0FFEEull)
#define SECRET_CW 0x0F7Fu
#define IS_SECRET(v) (((v) >> 40) == 0x5EC2E7u)

static void load(const uint64_t *s)
{
    uint16_t cw = SECRET_CW;
    __asm__ __volatile__("fninit\n\tfldcw %0" : : "m"(cw));
    for (int i = 7; i >= 0; i--)
        __asm__ __volatile__("fildll %0" : : "m"(s[i]));
}

/* One round's check: 0 intact, else a bit per problem; *seen counts the
 * other process's values found. The registers are reloaded after. */
static unsigned check(const uint64_t *s, unsigned *seen)
{
    uint64_t mm[8], st[8];
    uint16_t cw;
    unsigned bad = 0;
    /* MMX first: with all eight registers valid and TOP 0, mm(i) is the
     * significand of st(i), and reading it changes neither. */
    __asm__ __volatile__("movq %%mm0, 0(%0)\n\tmovq %%mm1, 8(%0)\n\t"
                         "movq %%mm2, 16(%0)\n\tmovq %%mm3, 24(%0)\n\t"
                         "movq %%mm4, 32(%0)\n\tmovq %%mm5, 40(%0)\n\t"
                         "movq %%mm6, 48(%0)\n\tmovq %%mm7, 56(%0)" : : "r"(mm) : "memory");
    __asm__ __volatile__("fnstcw %0" : "=m"(cw));
    for (int i = 0; i < 8; i++)
        __asm__ __volatile__("fistpll %0" : "=m"(st[i]));
    if (cw != SECRET_CW)
        bad |= 1;
    for (int i = 0; i < 8; i++) {
        if (st[i] != s[i])
            bad |= 2;
        if (mm[i] != s[i] << 1)
            bad |= 4;
        *seen += (IS_SECRET(st[i]) && st[i] != s[i]) + (IS_SECRET(mm[i] >> 1) && mm[i] != s[i] << 1);
    }
    load(s);
    return bad;
}

static int keeper(int k, uint32_t rounds)
{
    uint64_t s[8];
    unsigned seen = 0, bad_rounds = 0, bad = 0;
    for (int i = 0; i < 8; i++)
        s[i] = FPU_SECRET(k, i);
    load(s);
    for (uint32_t r = 0; r < rounds; r++) {
        yield();
        /* A WAIT first: with CR0.TS set it raises #NM only if CR0.MP is set
         * too (pv86's real CR0; not the native kernel's, whose te guests get
         * it emulated), and it must change nothing either way. */
        __asm__ __volatile__("fwait");
        unsigned b = check(s, &seen);
        bad |= b;
        bad_rounds += b != 0;
    }
    __asm__ __volatile__("fninit");
    printf("fpu: process %d: %u rounds, %u with its registers changed (%s%s%s), the other's "
           "values seen %u times\n", k, (unsigned)rounds, bad_rounds, (bad & 1) ? "cw " : "",
           (bad & 2) ? "x87 " : "", (bad & 4) ? "mmx" : "", seen);
    return bad_rounds != 0 || seen != 0;
}

int main(int argc, char **argv)
{
    uint32_t rounds = 0;
    for (const char *p = argc > 1 ? argv[1] : "300"; *p >= '0' && *p <= '9'; p++)
        rounds = rounds * 10 + (uint32_t)(*p - '0');
    int pids[2];
    for (int k = 0; k < 2; k++) {
        pids[k] = fork();
        if (pids[k] == 0)
            exit(keeper(k + 2, rounds));
    }
    int failed = 0;
    for (int k = 0; k < 2; k++) {
        int status = -1;
        if (wait(&status) < 0 || status != 0)
            failed++;
    }
    printf("fpu: 2 processes, %u rounds each: %s\n", (unsigned)rounds,
           failed ? "FAILED" : "every register intact, neither saw the other's");
    return failed != 0;
}
