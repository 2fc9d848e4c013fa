/* xsdom: the xenstore domain's connections (core/xsdom.h). */
#include "core/xsdom.h"

#include <pv86/grant_table.h>
#include <pv86/xs_introduce.h>

#include "core/console.h"
#include "core/domain.h"
#include "core/grant.h"
#include "core/hypercall.h"
#include "lib/format.h"
#include <string.h>
#include "mm/mm.h"

/* How many teardown steps (scheduler ticks) a stopped domain waits for the
 * xenstore domain to unmap its store page before going on anyway. */
#define XSDOM_WAIT_STEPS 500

extern struct domain domains[MAX_DOMAINS];
_Static_assert(PV86_XS_SLOTS >= MAX_DOMAINS, "a slot of the introduce page per domain");

static struct domain *xs_dom;
static struct pv86_xs_page *xs_page;       /* its store page, direct map */

static int xs_alive(void)
{
    return xs_dom && (xs_dom->state == DOM_RUNNABLE || xs_dom->state == DOM_BLOCKED);
}

static void xs_changed(void)
{
    xs_page->generation++;
    event_send_virq(xs_dom, VIRQ_DOM_EXC);
}

static void connect(struct domain *d)
{
    uint32_t port;
    if (grant_builder_reserve(d, GNTTAB_RESERVED_XENSTORE, xs_dom->id, d->store_mfn, 0) ||
        evtchn_alloc_unbound(&d->evtchn, xs_dom->id, 1, &port)) {
        printk("d%u: no xenstore connection (grant or event channel refused)\n", d->id);
        return;
    }
    struct start_info *si = mfn_to_virt(d->si_mfn);
    si->store_evtchn = port;
    struct pv86_xs_slot *s = &xs_page->slot[d->id - 1];
    s->domid = d->id;
    s->privileged = (d->flags & SIF_PRIVILEGED) != 0;
    s->gref = GNTTAB_RESERVED_XENSTORE;
    s->port = port;
    s->mfn = d->store_mfn;
    if (d->name[0])
        memcpy(s->name, d->name, sizeof(s->name));
    else
        fmt_snprintf(s->name, sizeof(s->name), "d%u", d->id);
    s->name[sizeof(s->name) - 1] = '\0';
    s->state = PV86_XS_RUNNING;
    d->xs_client = 1;
    printk("d%u: xenstore d%u: store page granted (ref %u), port %u\n", d->id, xs_dom->id,
           GNTTAB_RESERVED_XENSTORE, port);
}

void xsdom_start(struct domain *xs)
{
    xs_dom = xs;
    xs_page = mfn_to_virt(xs->store_mfn);
    memset(xs_page, 0, PAGE_SIZE);
    xs_page->magic = PV86_XS_MAGIC;
    xs_page->nslots = PV86_XS_SLOTS;
    xs_page->self = xs->id;
    for (unsigned i = 0; i < MAX_DOMAINS && i < PV86_XS_SLOTS; i++) {
        struct domain *d = &domains[i];
        if (d != xs && !d->mode && (d->state == DOM_RUNNABLE || d->state == DOM_BLOCKED))
            connect(d);
    }
    xs_page->generation++;
}

void xsdom_domain_stopped(struct domain *d)
{
    if (d == xs_dom) {
        xs_dom = NULL;
        xs_page = NULL;
        return;
    }
    if (!d->xs_client || !xs_alive())
        return;
    xs_page->slot[d->id - 1].state = PV86_XS_DEAD;
    xs_changed();
}

int xsdom_teardown_wait(struct domain *d)
{
    if (!d->xs_client || !xs_alive() || d->xs_wait >= XSDOM_WAIT_STEPS)
        return 0;
    uint32_t count = 0, type_count = 0;
    grant_refs_on_frame(d->id, d->store_mfn, &count, &type_count);
    if (!count)
        return 0;
    if (++d->xs_wait == XSDOM_WAIT_STEPS)
        printk("d%u: the xenstore domain did not unmap its store page: teardown goes on\n",
               d->id);
    return 1;
}

int xsdom_request_shutdown(struct domain *d, uint32_t reason)
{
    if (!d->xs_client || !xs_alive() || d == xs_dom)
        return -XEN_ENOSYS;
    if (reason != SHUTDOWN_poweroff && reason != SHUTDOWN_reboot)
        return -XEN_EINVAL;
    struct pv86_xs_slot *s = &xs_page->slot[d->id - 1];
    s->shutdown_reason = reason;
    s->shutdown_seq++;
    xs_changed();
    return 0;
}

int xsdom_stop_if_alone(void)
{
    if (!xs_alive())
        return 0;
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        const struct domain *d = &domains[i];
        if (d != xs_dom && (d->state == DOM_RUNNABLE || d->state == DOM_BLOCKED ||
                            d->state == DOM_DYING))
            return 0;
    }
    printk("d%u: no guest left: the xenstore domain is stopped\n", xs_dom->id);
    domain_stop_poweroff(xs_dom);
    return 1;
}
