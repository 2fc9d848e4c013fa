/*
 * toolstack_rules: the decisions of pv86's toolstack (docs/toolstack.md),
 * pure: Xen's CTRL-a switch of serial input, the command line editor, the
 * parser and its argument checks, and the formatting of each answer from a
 * snapshot of domain state. core/toolstack.c takes the snapshots, prints
 * the lines and carries out destroy and shutdown.
 */
#ifndef HV_CORE_TOOLSTACK_RULES_H
#define HV_CORE_TOOLSTACK_RULES_H

#include <stddef.h>
#include <stdint.h>

#define TS_SWITCH_CODE 0x01         /* CTRL-a, Xen's default conswitch */
#define TS_LINE_MAX    64

/* Xen's serial_rx: CTRL-a is eaten in groups of three, each group toggles
 * where input goes; one or two followed by another byte are given back. */
struct ts_switch {
    unsigned count;         /* CTRL-a seen in a row, 0-2 */
    int to_toolstack;       /* input goes to the toolstack (else to d1) */
};
/* Feed byte c: the bytes for the destination in out (0-3), *toggled set
 * when this byte switched (s->to_toolstack is then the new destination). */
unsigned ts_switch_byte(struct ts_switch *s, char c, char out[3], int *toggled);

/* The line being typed: printable bytes, backspace/DEL removes one, CR or
 * LF ends it. A line longer than TS_LINE_MAX is refused whole. */
struct ts_line {
    char buf[TS_LINE_MAX + 1];
    unsigned len;
    int overflow;
};
/* 1 when c ended a non-empty line (in buf, NUL-terminated; -1 for one
 * too long); the caller then calls ts_line_reset. 0 otherwise. */
int ts_line_feed(struct ts_line *l, char c);
void ts_line_reset(struct ts_line *l);

enum ts_op {
    TS_NONE = 0, TS_HELP, TS_LIST, TS_DESTROY, TS_SHUTDOWN, TS_EVTCHN, TS_GRANT, TS_RUNQ,
};
struct ts_cmd {
    enum ts_op op;
    int all;                /* a debug key: every domain (e, g) */
    char key;               /* the debug key used, or 0 */
    uint16_t domid;
};
/* Parse one line. 0, or -1 with a message in err (the line to print). */
int ts_parse(const char *line, struct ts_cmd *cmd, char *err, size_t errlen);

/* ---- snapshots and their lines ---- */
enum { TS_DOM_RUNNING = 1, TS_DOM_BLOCKED = 2, TS_DOM_DYING = 4, TS_DOM_SHUTDOWN = 8 };
struct ts_dom {
    uint16_t id;
    char name[16];
    uint32_t pages;
    uint32_t flags;          /* TS_DOM_* */
    uint32_t shutdown_reason;
    uint64_t cpu_ns;
};
int ts_list_header(char *buf, size_t n);
int ts_list_row(char *buf, size_t n, const struct ts_dom *d);

/* Xen's event-channel states (ECS_*), as its 'e' key prints them. */
enum { TS_ECS_FREE = 0, TS_ECS_UNBOUND = 2, TS_ECS_INTERDOMAIN = 3, TS_ECS_VIRQ = 5,
       TS_ECS_IPI = 6 };
struct ts_port {
    uint32_t port;
    uint8_t pending, masked, sel;
    uint8_t state;           /* TS_ECS_* */
    uint8_t xen;             /* the hypervisor consumes it (pv86's console ring) */
    uint8_t virq;
    uint16_t remote_dom;
    uint32_t remote_port;
};
int ts_evtchn_header(char *buf, size_t n, uint16_t domid, int polling);
int ts_evtchn_row(char *buf, size_t n, const struct ts_port *p);

struct ts_grant_sum {
    uint32_t frames, max_frames;
    uint32_t granted;        /* entries with GTF_permit_access */
    uint32_t active;         /* entries others map or copy now (pinned) */
    uint32_t maps_held;      /* its maps of others' grants */
};
struct ts_grant_row {
    uint32_t ref;
    uint16_t mapper;         /* the domain that pins it */
    uint32_t mfn, pin;
    uint16_t granted_to;
    uint32_t frame;
    uint16_t flags;
};
int ts_grant_header(char *buf, size_t n, uint16_t domid, const struct ts_grant_sum *s);
int ts_grant_row(char *buf, size_t n, const struct ts_grant_row *r);

/* The help text: line i (0..), or NULL past the end. */
const char *ts_help_line(unsigned i);

#endif
