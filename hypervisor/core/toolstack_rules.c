/* toolstack_rules: the toolstack's pure decisions (see toolstack_rules.h). */
#include "core/toolstack_rules.h"

#include <string.h>

#include "lib/format.h"

unsigned ts_switch_byte(struct ts_switch *s, char c, char out[3], int *toggled)
{
    *toggled = 0;
    if (c == TS_SWITCH_CODE) {
        if (++s->count == 3) {
            s->count = 0;
            s->to_toolstack = !s->to_toolstack;
            *toggled = 1;
        }
        return 0;
    }
    unsigned n = 0;
    for (; s->count; s->count--)
        out[n++] = TS_SWITCH_CODE;      /* given back, as Xen does */
    out[n++] = c;
    return n;
}

void ts_line_reset(struct ts_line *l)
{
    l->len = 0;
    l->overflow = 0;
    l->buf[0] = '\0';
}

int ts_line_feed(struct ts_line *l, char c)
{
    if (c == '\r' || c == '\n') {
        if (l->overflow)
            return -1;
        l->buf[l->len] = '\0';
        return l->len ? 1 : 0;
    }
    if (c == 0x7f || c == 0x08) {
        if (l->len && !l->overflow)
            l->len--;
        return 0;
    }
    if ((unsigned char)c < 0x20 || (unsigned char)c > 0x7e)
        return 0;                       /* other control bytes: ignored */
    if (l->len == TS_LINE_MAX)
        l->overflow = 1;
    else
        l->buf[l->len++] = c;
    return 0;
}

/* The next word of *p (at most max - 1 bytes kept), or 0 at the end. */
static size_t word(const char **p, char *w, size_t max)
{
    const char *s = *p;
    size_t n = 0, len = 0;
    while (*s == ' ' || *s == '\t')
        s++;
    while (s[len] && s[len] != ' ' && s[len] != '\t')
        len++;
    for (n = 0; n < len && n + 1 < max; n++)
        w[n] = s[n];
    w[n] = '\0';
    *p = s + len;
    return len;
}

/* A domain id: decimal digits only, 1-65535 (Xen's domid_t; 0 is no
 * domain of pv86's: d1 is the first). */
static int parse_domid(const char *w, uint16_t *id)
{
    uint32_t v = 0;
    if (!*w)
        return -1;
    for (const char *p = w; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (uint32_t)(*p - '0');
        if (v > 0xFFFF)
            return -1;
    }
    if (v == 0)
        return -1;
    *id = (uint16_t)v;
    return 0;
}

static const struct {
    const char *name;
    enum ts_op op;
    int takes_domid;
    char key;               /* a one-key alias of Xen's debug keys */
} commands[] = {
    { "help", TS_HELP, 0, 0 },      { "h", TS_HELP, 0, 'h' },
    { "list", TS_LIST, 0, 0 },      { "q", TS_LIST, 0, 'q' },
    { "destroy", TS_DESTROY, 1, 0 }, { "shutdown", TS_SHUTDOWN, 1, 0 },
    { "evtchn", TS_EVTCHN, 1, 0 },  { "e", TS_EVTCHN, 0, 'e' },
    { "grant", TS_GRANT, 1, 0 },    { "g", TS_GRANT, 0, 'g' },
    { "runq", TS_RUNQ, 0, 0 },      { "r", TS_RUNQ, 0, 'r' },
};

int ts_parse(const char *line, struct ts_cmd *cmd, char *err, size_t errlen)
{
    char w0[16], w1[16], w2[4];
    const char *p = line;
    memset(cmd, 0, sizeof(*cmd));
    size_t l0 = word(&p, w0, sizeof(w0));
    if (l0 == 0) {
        fmt_snprintf(err, errlen, "empty command");
        return -1;
    }
    for (unsigned i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (l0 >= sizeof(w0) || strcmp(w0, commands[i].name) != 0)
            continue;
        size_t l1 = word(&p, w1, sizeof(w1));
        size_t l2 = word(&p, w2, sizeof(w2));
        if (commands[i].takes_domid) {
            if (l1 == 0 || l2 != 0) {
                fmt_snprintf(err, errlen, "usage: %s <domid>", w0);
                return -1;
            }
            if (l1 >= sizeof(w1) || parse_domid(w1, &cmd->domid)) {
                fmt_snprintf(err, errlen, "'%s' is an invalid domain identifier", w1);
                return -1;
            }
        } else if (l1 != 0) {
            fmt_snprintf(err, errlen, "usage: %s (no argument)", w0);
            return -1;
        }
        cmd->op = commands[i].op;
        cmd->key = commands[i].key;
        cmd->all = commands[i].key == 'e' || commands[i].key == 'g';
        return 0;
    }
    fmt_snprintf(err, errlen, "unknown command '%s' (h: help)", l0 < sizeof(w0) ? w0 : "...");
    return -1;
}

int ts_list_header(char *buf, size_t n)
{
    return fmt_snprintf(buf, n, "Name                                        ID   Mem VCPUs\tState\tTime(s)");
}

int ts_list_row(char *buf, size_t n, const struct ts_dom *d)
{
    static const char reason_letters[] = "-rscwS";      /* xl's, by SHUTDOWN_* */
    char name[20];
    uint32_t f = d->flags;
    char why = '-';
    if (f & TS_DOM_SHUTDOWN)
        why = d->shutdown_reason < sizeof(reason_letters) - 1
              ? reason_letters[d->shutdown_reason] : '?';
    if (d->name[0])
        fmt_snprintf(name, sizeof(name), "%.15s", d->name);
    else
        fmt_snprintf(name, sizeof(name), "d%u", (unsigned)d->id);
    unsigned long long tenths = (d->cpu_ns + 50000000ull) / 100000000ull;
    return fmt_snprintf(buf, n, "%-40s %5u %5u %5u     %c%c%c%c%c%c  %6llu.%llu", name,
                        (unsigned)d->id, (unsigned)(d->pages / 256), 1u,
                        f & TS_DOM_RUNNING ? 'r' : '-', f & TS_DOM_BLOCKED ? 'b' : '-', '-',
                        f & TS_DOM_SHUTDOWN ? 's' : '-', why, f & TS_DOM_DYING ? 'd' : '-',
                        tenths / 10, tenths % 10);
}

int ts_evtchn_header(char *buf, size_t n, uint16_t domid, int polling)
{
    return fmt_snprintf(buf, n, "Event channel information for domain %u: polling vCPUs {%s}; "
                        "port [p/m/s]", (unsigned)domid, polling ? "0" : "");
}

int ts_evtchn_row(char *buf, size_t n, const struct ts_port *p)
{
    int len = fmt_snprintf(buf, n, "    %4u [%u/%u/%u]: s=%u n=0 x=%u", (unsigned)p->port,
                           p->pending, p->masked, p->sel, p->state, p->xen);
    if (len < 0 || (size_t)len >= n)
        return len;
    switch (p->state) {
    case TS_ECS_UNBOUND:
        return len + fmt_snprintf(buf + len, n - (size_t)len, " d=%u", (unsigned)p->remote_dom);
    case TS_ECS_INTERDOMAIN:
        return len + fmt_snprintf(buf + len, n - (size_t)len, " d=%u p=%u",
                                  (unsigned)p->remote_dom, (unsigned)p->remote_port);
    case TS_ECS_VIRQ:
        return len + fmt_snprintf(buf + len, n - (size_t)len, " v=%u", (unsigned)p->virq);
    default:
        return len;
    }
}

int ts_grant_header(char *buf, size_t n, uint16_t domid, const struct ts_grant_sum *s)
{
    return fmt_snprintf(buf, n, "grant-table for d%u (v1): %u frames (%u max), %u entries "
                        "granted, %u mapped or copied by others now, %u maps of others' "
                        "grants held", (unsigned)domid, (unsigned)s->frames,
                        (unsigned)s->max_frames, (unsigned)s->granted, (unsigned)s->active,
                        (unsigned)s->maps_held);
}

int ts_grant_row(char *buf, size_t n, const struct ts_grant_row *r)
{
    return fmt_snprintf(buf, n, "[0x%03x]  %5u 0x%06x 0x%08x      %5u 0x%06x 0x%02x",
                        (unsigned)r->ref, (unsigned)r->mapper, (unsigned)r->mfn,
                        (unsigned)r->pin, (unsigned)r->granted_to, (unsigned)r->frame,
                        (unsigned)r->flags);
}

static const char *const help[] = {
    "toolstack commands (CTRL-a three times: back to the domain console):",
    "  h, help        this list",
    "  list, q        domains: id, name, memory (MiB), vCPUs, state, vCPU time (as xl list)",
    "  destroy N      stop domain N at once (its teardown as any domain's)",
    "  shutdown N     ask domain N to power off; destroyed if still there after the timeout",
    "  evtchn N, e    event channels of domain N (e: of every domain)",
    "  grant N, g     grant table of domain N (g: of every domain)",
    "  runq, r        the run queue",
};

const char *ts_help_line(unsigned i)
{
    return i < sizeof(help) / sizeof(help[0]) ? help[i] : NULL;
}
