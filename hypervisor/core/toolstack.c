/*
 * toolstack: the commands carried out (see toolstack.h). One command runs
 * at a time, whoever typed it; a tick prints at most LINES_PER_TICK of its
 * lines and looks at most SCAN_PER_TICK ports or grant entries, so the
 * serial console never holds the CPU; typing waits in console.c's ring
 * meanwhile. A destroy is carried out in schedule() (toolstack_safe_point).
 */
#include "core/toolstack.h"

#include <string.h>

#include "core/console.h"
#include "core/domain.h"
#include "core/grant.h"
#include "core/grant_rules.h"
#include "core/toolstack_rules.h"
#include "core/xsdom.h"
#include "lib/format.h"

#define LINES_PER_TICK 16
#define SCAN_PER_TICK  256

extern struct domain domains[MAX_DOMAINS];

static struct ts_line typed;
static struct {
    int active;
    struct ts_cmd cmd;
    uint16_t dom;           /* the domain being dumped */
    uint32_t pos;           /* its next port, grant entry or help line; 0: header */
} job;
static uint16_t pending_destroy;
static uint64_t shutdown_deadline[MAX_DOMAINS];    /* ns, 0: none */

static int is_live(const struct domain *d)
{
    return d && (d->state == DOM_RUNNABLE || d->state == DOM_BLOCKED);
}

/* Shown by list: live or still being torn down. */
static int is_listed(const struct domain *d)
{
    return is_live(d) || d->state == DOM_DYING;
}

int toolstack_request_shutdown(struct domain *d)
{
    /* Through the xenstore domain: it writes control/shutdown = "poweroff"
     * (core/xsdom.h; -ENOSYS in a run without it). */
    return xsdom_request_shutdown(d, SHUTDOWN_poweroff);
}

static void snapshot_dom(const struct domain *d, struct ts_dom *s)
{
    memset(s, 0, sizeof(*s));
    s->id = d->id;
    memcpy(s->name, d->name, sizeof(s->name));
    s->name[sizeof(s->name) - 1] = '\0';
    s->pages = d->nr_pages;
    if (d->state == DOM_RUNNABLE && d == sched_running())
        s->flags |= TS_DOM_RUNNING;
    if (d->state == DOM_BLOCKED)
        s->flags |= TS_DOM_BLOCKED;
    if (d->state == DOM_DYING) {
        s->flags |= TS_DOM_DYING;
        if (!d->destroyed)
            s->flags |= TS_DOM_SHUTDOWN;
    }
    s->shutdown_reason = d->shutdown_reason;
    s->cpu_ns = sched_cpu_time(d);
}

static void print_list(void)
{
    char line[128];
    ts_list_header(line, sizeof(line));
    printk("%s\n", line);
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        struct ts_dom s;
        if (!is_listed(&domains[i]))
            continue;
        snapshot_dom(&domains[i], &s);
        ts_list_row(line, sizeof(line), &s);
        printk("%s\n", line);
    }
}

static void print_runq(void)
{
    uint16_t ids[MAX_DOMAINS * 2];
    unsigned n = sched_runq_ids(ids, sizeof(ids) / sizeof(ids[0]));
    char line[128];
    int len = fmt_snprintf(line, sizeof(line), "CPU[00] running: ");
    const struct domain *r = sched_running();
    if (r)
        len += fmt_snprintf(line + len, sizeof(line) - (size_t)len, "d%u", r->id);
    else
        len += fmt_snprintf(line + len, sizeof(line) - (size_t)len, "idle");
    len += fmt_snprintf(line + len, sizeof(line) - (size_t)len, "; run queue (%u):", n);
    for (unsigned i = 0; i < n && len < (int)sizeof(line); i++)
        len += fmt_snprintf(line + len, sizeof(line) - (size_t)len, " d%u%s", ids[i],
                            domain_by_id(ids[i]) && domain_by_id(ids[i])->state == DOM_DYING
                            ? "(dying)" : "");
    printk("Scheduler: pv86 round-robin, %u ms slice\n", SCHED_SLICE_TICKS);
    printk("%s\n", line);
}

/* A piece of the event-channel dump of job.dom; 1 when it is done. */
static int step_evtchn(unsigned *lines)
{
    struct domain *d = domain_by_id(job.dom);
    char line[128];
    if (!is_live(d))
        return 1;
    const struct evtchn_domain *ed = &d->evtchn;
    if (job.pos == 0) {
        ts_evtchn_header(line, sizeof(line), d->id, d->vcpu.polling);
        printk("%s\n", line);
        (*lines)++;
        job.pos = 1;
    }
    if (!ed->shared) {
        printk("    (no shared_info: not a PV domain)\n");
        return 1;
    }
    for (unsigned scanned = 0; scanned < SCAN_PER_TICK && *lines < LINES_PER_TICK; scanned++) {
        uint32_t port = job.pos;
        if (port >= ed->valid || port >= EVTCHN_PORTS)
            return 1;
        job.pos++;
        const struct evtchn *c = &ed->ports[port];
        if (c->state == ECS_FREE)
            continue;
        struct ts_port p = { .port = port };
        p.pending = (ed->shared->evtchn_pending[port / 32] >> (port % 32)) & 1;
        p.masked = (ed->shared->evtchn_mask[port / 32] >> (port % 32)) & 1;
        p.sel = d->vcpu.vcpu_info ? (d->vcpu.vcpu_info->evtchn_pending_sel >> (port / 32)) & 1 : 0;
        p.remote_dom = c->remote_dom;
        p.remote_port = c->remote_port;
        p.virq = c->virq;
        switch (c->state) {
        case ECS_UNBOUND: p.state = TS_ECS_UNBOUND; break;
        case ECS_INTERDOMAIN: p.state = TS_ECS_INTERDOMAIN; break;
        case ECS_VIRQ: p.state = TS_ECS_VIRQ; break;
        case ECS_IPI: p.state = TS_ECS_IPI; break;
        default: p.state = TS_ECS_UNBOUND; p.xen = 1; p.remote_dom = 0; break;  /* the console ring's */
        }
        ts_evtchn_row(line, sizeof(line), &p);
        printk("%s\n", line);
        (*lines)++;
    }
    return 0;
}

/* A piece of the grant-table dump of job.dom; 1 when it is done. */
static int step_grant(unsigned *lines)
{
    const struct gnt_table *t = grant_table_peek(job.dom);
    const struct domain *d = domain_by_id(job.dom);
    char line[192];
    if (!t || !is_listed(d))
        return 1;
    uint32_t entries = gnt_nr_entries(t);
    if (job.pos == 0) {
        struct ts_grant_sum s = { t->nr_frames, GNT_MAX_FRAMES, 0, 0, 0 };
        for (uint32_t ref = 0; ref < entries; ref++) {     /* at most 2048 */
            if (t->active[ref].pin)
                s.active++;
            if (t->shared[ref / GNT_ENTRIES_PER_FRAME] &&
                (gnt_entry((struct gnt_table *)t, ref)->flags & GTF_type_mask) == GTF_permit_access)
                s.granted++;
        }
        for (unsigned h = 0; h < GNT_MAPTRACK_MAX; h++)
            if (t->maptrack[h].used && t->maptrack[h].flags)
                s.maps_held++;
        ts_grant_header(line, sizeof(line), job.dom, &s);
        printk("%s\n", line);
        if (s.active)
            printk("      -------- active --------       -------- shared --------\n"
                   "[ref]    mapper mfn      pin         granted frame    flags\n");
        *lines += 3;
        job.pos = 1;
        if (!s.active)
            return 1;
        job.pos = 1;
    }
    for (unsigned scanned = 0; scanned < SCAN_PER_TICK && *lines < LINES_PER_TICK; scanned++) {
        uint32_t ref = job.pos - 1;
        if (ref >= entries)
            return 1;
        job.pos++;
        const struct gnt_active *a = &t->active[ref];
        if (!a->pin)
            continue;
        struct ts_grant_row r = { ref, a->domid, a->mfn, a->pin, 0, 0, 0 };
        if (t->shared[ref / GNT_ENTRIES_PER_FRAME]) {
            const struct grant_entry_v1 *e = gnt_entry((struct gnt_table *)t, ref);
            r.granted_to = e->domid;
            r.frame = e->frame;
            r.flags = e->flags;
        }
        ts_grant_row(line, sizeof(line), &r);
        printk("%s\n", line);
        (*lines)++;
    }
    return 0;
}

/* The next domain after job.dom a debug key dumps, or 0. */
static uint16_t next_dom(uint16_t after)
{
    for (unsigned id = after + 1u; id <= MAX_DOMAINS; id++)
        if (is_listed(domain_by_id((uint16_t)id)))
            return (uint16_t)id;
    return 0;
}

static void job_step(void)
{
    unsigned lines = 0;
    int done = 1;
    switch (job.cmd.op) {
    case TS_HELP:
        for (const char *l; lines < LINES_PER_TICK && (l = ts_help_line(job.pos)); job.pos++, lines++)
            printk("%s\n", l);
        done = ts_help_line(job.pos) == NULL;
        break;
    case TS_LIST:
        print_list();
        break;
    case TS_RUNQ:
        print_runq();
        break;
    case TS_EVTCHN:
    case TS_GRANT:
        done = job.cmd.op == TS_EVTCHN ? step_evtchn(&lines) : step_grant(&lines);
        if (done && job.cmd.all && (job.dom = next_dom(job.dom)) != 0) {
            job.pos = 0;
            done = 0;
        }
        break;
    default:
        break;
    }
    if (done)
        job.active = 0;
}

/* Start cmd (checked against the domains now): 0 or -errno, with a line. */
static int32_t start(const struct ts_cmd *cmd)
{
    struct domain *d = NULL;
    if (cmd->op == TS_DESTROY || cmd->op == TS_SHUTDOWN ||
        ((cmd->op == TS_EVTCHN || cmd->op == TS_GRANT) && !cmd->all)) {
        d = domain_by_id(cmd->domid);
        if (!d || !(cmd->op == TS_GRANT ? is_listed(d) : is_live(d))) {
            printk("Error: Domain '%u' does not exist.\n", (unsigned)cmd->domid);
            return -XEN_ESRCH;
        }
    }
    if (cmd->key)
        printk("'%c' pressed -> %s\n", cmd->key,
               cmd->key == 'h' ? "showing the toolstack's commands"
               : cmd->key == 'q' ? "dumping domain info"
               : cmd->key == 'e' ? "dumping event-channel info"
               : cmd->key == 'g' ? "dumping grant-table usage" : "dumping run queues");
    switch (cmd->op) {
    case TS_DESTROY:
        if (d->flags & SIF_PRIVILEGED) {
            printk("Cannot destroy privileged domain %u.\n", d->id);
            return -XEN_EPERM;
        }
        if (pending_destroy) {
            printk("toolstack: a destroy is under way, try again\n");
            return -XEN_EBUSY;
        }
        pending_destroy = d->id;
        sched_request();
        return 0;
    case TS_SHUTDOWN: {
        int rc = toolstack_request_shutdown(d);
        if (rc == 0)
            printk("d%u: control/shutdown = poweroff written; destroyed in %u ms if it "
                   "has not shut down\n", d->id, TOOLSTACK_SHUTDOWN_TIMEOUT_MS);
        else
            printk("d%u: no xenstore path to ask it to shut down (%d): destroyed in %u ms "
                   "if it has not shut down\n", d->id, rc, TOOLSTACK_SHUTDOWN_TIMEOUT_MS);
        shutdown_deadline[d->id - 1] = time_now() + TOOLSTACK_SHUTDOWN_TIMEOUT_MS * 1000000ull;
        if (!shutdown_deadline[d->id - 1])
            shutdown_deadline[d->id - 1] = 1;
        return 0;
    }
    default:
        break;
    }
    job.cmd = *cmd;
    job.active = 1;
    job.pos = 0;
    job.dom = cmd->all ? next_dom(0) : cmd->domid;
    if (cmd->all && !job.dom)
        job.active = 0;
    return 0;
}

static int32_t run_line(const char *line, const char *who)
{
    struct ts_cmd cmd;
    char err[96];
    printk("%s> %s\n", who, line);
    if (ts_parse(line, &cmd, err, sizeof(err))) {
        printk("toolstack: %s\n", err);
        return -XEN_EINVAL;
    }
    return start(&cmd);
}

void toolstack_poll(void)
{
    uint64_t now = time_now();
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        if (!shutdown_deadline[i])
            continue;
        struct domain *d = &domains[i];
        if (!is_live(d)) {
            shutdown_deadline[i] = 0;        /* it stopped by itself */
        } else if (now >= shutdown_deadline[i] && !pending_destroy) {
            shutdown_deadline[i] = 0;
            printk("d%u: still running %u ms after shutdown: destroying it\n", d->id,
                   TOOLSTACK_SHUTDOWN_TIMEOUT_MS);
            pending_destroy = d->id;
            sched_request();
        }
    }
    if (job.active) {
        job_step();
        return;
    }
    char c;
    for (unsigned i = 0; i < TS_LINE_MAX + 2 && console_toolstack_read(&c, 1); i++) {
        int r = ts_line_feed(&typed, c);
        if (r == 0)
            continue;
        if (r < 0)
            printk("toolstack: line longer than %u characters, ignored\n", TS_LINE_MAX);
        else
            run_line(typed.buf, "toolstack");
        ts_line_reset(&typed);
        break;                              /* one command a tick */
    }
}

void toolstack_safe_point(void)
{
    if (!pending_destroy)
        return;
    struct domain *d = domain_by_id(pending_destroy);
    pending_destroy = 0;
    if (!is_live(d))
        return;                             /* it stopped meanwhile */
    domain_destroy(d);
    if (current_domain && current_domain != d)
        fpu_switch_in(&current_domain->vcpu);   /* the stop set CR0.TS */
}

int32_t toolstack_guest_command(struct vcpu *v, uint32_t count, uint32_t buf)
{
    char line[TS_LINE_MAX + 1], who[24];
    if (count == 0 || count > TS_LINE_MAX)
        return -XEN_EINVAL;
    if (copy_from_guest(v, line, buf, count))
        return -XEN_EFAULT;
    line[count] = '\0';
    for (uint32_t i = 0; i < count; i++)
        if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
            return -XEN_EINVAL;
    if (job.active)
        return -XEN_EBUSY;
    fmt_snprintf(who, sizeof(who), "d%u toolstack", v->domain->id);
    return run_line(line, who);
}
