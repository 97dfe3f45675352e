/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Captures (see capture.h). The window is a FIFO of compact copies of the
 * recent enriched events (one allocation each: the struct, its ancestors
 * and its strings), bounded by age (capture.before behind the newest
 * event) and by bytes (capture.max_memory_mb: the oldest go first, and
 * are counted). Active captures are a short list matched against each
 * new event; an alert's own lineage comes from its event's copy in the
 * window, taken when the event was enriched, since the processes may be
 * gone by the time a capture ends.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/lineage.h"
#include "common/strbuf.h"
#include "engine/engine.h"
#include "engine/fields.h"
#include "pipeline/capture.h"

#define NS_PER_MS 1000000ULL
#define NS_PER_MIN 60000000000ULL

struct wev {
	TAILQ_ENTRY(wev) link;
	size_t bytes;
	struct context_event ce; /* strings point into this allocation */
	bool in_container;
	bool sent; /* handed over already: counted against the cap once */
	unsigned int nanc;
	pid_t anc[HARRIER_CAPTURE_ANCESTORS]; /* parent first */
};

struct active {
	TAILQ_ENTRY(active) link;
	struct context_summary sum; /* alert key, scope, window, counts */
	char *container_id;	    /* NULL: the host */
	/* host: the alert process and its ancestors, the root whose
	 * descendants belong (its parent), its audit session (-1: any) */
	pid_t lineage[HARRIER_CAPTURE_ANCESTORS + 1];
	unsigned int nlineage;
	pid_t root;
	int64_t ses;
};

struct rule_capture {
	char *name;
	uint64_t duration_ms; /* 0: the default */
};

struct capture {
	struct capture_options opt;
	struct capture_output out;
	char *hostname;

	TAILQ_HEAD(wev_head, wev) window;
	size_t bytes, nwindow;
	uint64_t newest_ns;

	TAILQ_HEAD(, active) active;
	unsigned int nactive;

	struct rule_capture *rules; /* sorted by name */
	size_t nrules;

	uint64_t minute; /* of the per-minute cap */
	uint32_t sent_this_minute;

	struct capture_stats st;
};

void capture_options_init(struct capture_options *o)
{
	o->min_priority = ALERT_PRIO_WARNING;
	o->before_ns = 10000 * NS_PER_MS;
	o->duration_ns = 5000 * NS_PER_MS;
	o->max_bytes = (size_t)16 << 20;
	o->max_per_minute = 6000;
}

struct capture *capture_new(const struct capture_options *o,
			    const struct capture_output *out,
			    const char *hostname)
{
	struct capture *c = calloc(1, sizeof(*c));
	char host[256];

	if (!c)
		return NULL;
	if (o)
		c->opt = *o;
	else
		capture_options_init(&c->opt);
	c->out = *out;
	if (!hostname) {
		if (gethostname(host, sizeof(host)) < 0)
			(void)snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		hostname = host;
	}
	c->hostname = strdup(hostname);
	if (!c->hostname) {
		free(c);
		return NULL;
	}
	TAILQ_INIT(&c->window);
	TAILQ_INIT(&c->active);
	return c;
}

static void free_rules(struct capture *c)
{
	size_t i;

	for (i = 0; i < c->nrules; i++)
		free(c->rules[i].name);
	free(c->rules);
	c->rules = NULL;
	c->nrules = 0;
}

static void active_free(struct active *a)
{
	alert_key_clear(&a->sum.capture);
	free(a->sum.scope);
	free(a->container_id);
	free(a);
}

/* The capture's summary goes out; the capture ends. */
static void end_capture(struct capture *c, struct active *a)
{
	TAILQ_REMOVE(&c->active, a, link);
	c->nactive--;
	a->sum.running = false;
	(void)c->out.summary(c->out.ud, &a->sum);
	active_free(a);
}

void capture_flush(struct capture *c)
{
	struct active *a;

	if (!c)
		return;
	while ((a = TAILQ_FIRST(&c->active)))
		end_capture(c, a);
}

void capture_free(struct capture *c)
{
	struct wev *w;

	if (!c)
		return;
	capture_flush(c);
	while ((w = TAILQ_FIRST(&c->window))) {
		TAILQ_REMOVE(&c->window, w, link);
		free(w);
	}
	free_rules(c);
	free(c->hostname);
	free(c);
}

void capture_set_options(struct capture *c, const struct capture_options *o)
{
	c->opt = *o;
}

static int rule_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rule_capture *)a)->name,
		      ((const struct rule_capture *)b)->name);
}

int capture_set_rules(struct capture *c, const struct engine *e)
{
	struct engine_rule_info in;
	struct rule_capture *v;
	size_t i, n = engine_rule_count(e), k = 0;

	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (engine_rule_get(e, i, &in) < 0 || !in.capture)
			continue;
		v[k].name = strdup(in.name);
		if (!v[k].name) {
			while (k > 0)
				free(v[--k].name);
			free(v);
			return -ENOMEM;
		}
		v[k++].duration_ms = in.capture_duration_ms;
	}
	qsort(v, k, sizeof(*v), rule_cmp);
	free_rules(c);
	c->rules = v;
	c->nrules = k;
	return 0;
}

/* ---- the window ---- */

/* "10.0.0.5:443", "[::1]:80", "/run/x.sock" of the event's SOCKADDR. */
static void address(const struct event *ev, char *buf, size_t len)
{
	const struct event_sockaddr *sa = &ev->sockaddr;

	buf[0] = '\0';
	switch (sa->family) {
	case EVENT_SOCK_INET:
		(void)snprintf(buf, len, "%s:%u", sa->addr, sa->port);
		break;
	case EVENT_SOCK_INET6:
		(void)snprintf(buf, len, "[%s]:%u", sa->addr, sa->port);
		break;
	case EVENT_SOCK_UNIX:
		(void)snprintf(buf, len, "%s", sa->path ? sa->path : "");
		break;
	default:
		break;
	}
}

/* An exec's arguments as it was run (argv[0] first, as EXECVE has them),
 * space-joined and cut like a command line; NULL for other events. */
static char *exec_argv(const struct event *ev)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (!ev->argv_from_execve || !ev->argc)
		return NULL;
	for (i = 0; i < ev->argc && sb.len < HARRIER_MAX_CMDLINE; i++) {
		if (i)
			strbuf_appendc(&sb, ' ');
		strbuf_appends(&sb, ev->argv[i] ? ev->argv[i] : "");
	}
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return NULL;
	}
	if (sb.len > HARRIER_MAX_CMDLINE) {
		sb.len = HARRIER_MAX_CMDLINE;
		sb.buf[sb.len] = '\0';
	}
	return strbuf_steal(&sb);
}

static struct wev *copy_event(struct capture *c, const struct event *ev)
{
	const struct event_container *ct = ev->container;
	const struct event_path *p = event_primary_path(ev);
	const char *host = ev->node ? ev->node : c->hostname;
	const char *sys = ev->kind == EVENT_KIND_SYSCALL ? ev->syscall_name :
							    ev->type_name;
	/* the file as alerts name it (fd.name: through symlinks) */
	const char *file = !p		? NULL :
			   p->resolved	? p->resolved :
			   p->name	? p->name :
					  p->raw_name;
	const char *cid = ct && ct->id ? ct->id : "host";
	const char *cname = ct ? ct->name : "host";
	char addr[80], *pos; /* [46-byte inet6]:port, or a path */
	char cmdbuf[FIELD_SCRATCH];
	const char *cmd;
	char *args;
	struct proc_view pv;
	struct wev *w;
	size_t bytes;
	unsigned int n;

	address(ev, addr, sizeof(addr));
	/* the one command line alerts have too (proc.cmdline) */
	cmd = field_cmdline(ev, cmdbuf, sizeof(cmdbuf));
	args = exec_argv(ev);
	bytes = sizeof(*w) + str_pack_size(host) + str_pack_size(sys) +
		str_pack_size(ev->exe) + str_pack_size(cmd) +
		str_pack_size(args) + str_pack_size(ev->cwd) +
		str_pack_size(file) + (addr[0] ? str_pack_size(addr) : 0) +
		str_pack_size(cid) + str_pack_size(cname) +
		str_pack_size(ct ? ct->pod_name : NULL) +
		str_pack_size(ct ? ct->pod_namespace : NULL);
	w = malloc(bytes);
	if (!w) {
		free(args);
		return NULL;
	}
	memset(w, 0, sizeof(*w));
	w->bytes = bytes;
	w->in_container = ct && ct->id;
	pos = (char *)(w + 1);
	w->ce.time_ns = ev->time_ns;
	w->ce.serial = ev->serial;
	w->ce.hostname = str_pack(&pos, host);
	w->ce.syscall = str_pack(&pos, sys);
	w->ce.success = ev->success;
	w->ce.exit = ev->exit;
	w->ce.has_exit = ev->has_exit;
	w->ce.pid = ev->pid > 0 ? ev->pid : -1;
	w->ce.ppid = ev->ppid > 0 ? ev->ppid : -1;
	w->ce.uid = ev->uid == EVENT_ID_UNSET ? -1 : (int64_t)ev->uid;
	w->ce.auid = ev->auid == EVENT_ID_UNSET ? -1 : (int64_t)ev->auid;
	w->ce.ses = ev->ses == EVENT_ID_UNSET ? -1 : (int64_t)ev->ses;
	w->ce.exe = str_pack(&pos, ev->exe);
	w->ce.cmdline = str_pack(&pos, cmd);
	w->ce.argv = str_pack(&pos, args);
	free(args);
	w->ce.cwd = str_pack(&pos, ev->cwd);
	w->ce.file = str_pack(&pos, file);
	w->ce.address = addr[0] ? str_pack(&pos, addr) : NULL;
	w->ce.container_id = str_pack(&pos, cid);
	w->ce.container_name = str_pack(&pos, cname);
	w->ce.pod_name = str_pack(&pos, ct ? ct->pod_name : NULL);
	w->ce.pod_namespace = str_pack(&pos, ct ? ct->pod_namespace : NULL);

	/* ancestors now: by the end of a capture they may be gone */
	if (ev->ppid > 0)
		w->anc[w->nanc++] = ev->ppid;
	for (n = 2; ev->lineage && ev->pid > 0 &&
		    w->nanc < HARRIER_CAPTURE_ANCESTORS;
	     n++) {
		if (ev->lineage->ancestor(ev->lineage->ctx, ev->pid, n, &pv) <
			    0 ||
		    pv.pid <= 0)
			break;
		w->anc[w->nanc++] = pv.pid;
		if (pv.pid == 1)
			break;
	}
	return w;
}

static void window_trim(struct capture *c)
{
	struct wev *w;

	while ((w = TAILQ_FIRST(&c->window))) {
		if (c->bytes > c->opt.max_bytes)
			c->st.window_dropped++;
		else if (w->ce.time_ns + c->opt.before_ns >= c->newest_ns)
			break;
		TAILQ_REMOVE(&c->window, w, link);
		c->bytes -= w->bytes;
		c->nwindow--;
		free(w);
	}
}

/* ---- scope ---- */

static bool pid_in(pid_t pid, const pid_t *v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

static bool in_scope(const struct active *a, const struct wev *w)
{
	if (a->container_id)
		return w->in_container &&
		       strcmp(w->ce.container_id, a->container_id) == 0;
	if (w->in_container)
		return false;
	if (a->ses >= 0 && w->ce.ses != a->ses)
		return false;
	return pid_in((pid_t)w->ce.pid, a->lineage, a->nlineage) ||
	       w->ce.pid == a->root || pid_in(a->root, w->anc, w->nanc);
}

/* ---- handing events over ---- */

/* May one more event go out this minute? Counts what may not. The
 * minute only moves on: a starting capture's events from the window may
 * be of the minute before, and they count in this one. */
static bool cap_allows(struct capture *c, uint64_t time_ns)
{
	uint64_t minute = time_ns / NS_PER_MIN;

	if (minute > c->minute) {
		c->minute = minute;
		c->sent_this_minute = 0;
	}
	if (c->sent_this_minute >= c->opt.max_per_minute)
		return false;
	c->sent_this_minute++;
	return true;
}

/* Hand w over, linked to the captures in v. */
static void send(struct capture *c, struct wev *w, struct active **v,
		 unsigned int n)
{
	struct alert_key links[HARRIER_CAPTURE_MAX_ACTIVE];
	unsigned int i;

	if (!n)
		return;
	/* every hand-over costs a write: each counts */
	if (!cap_allows(c, w->ce.time_ns)) {
		for (i = 0; i < n; i++)
			v[i]->sum.left_out++;
		c->st.left_out++;
		return;
	}
	for (i = 0; i < n; i++) {
		links[i] = v[i]->sum.capture;
		v[i]->sum.events++;
	}
	w->ce.links = links;
	w->ce.nlinks = n;
	(void)c->out.event(c->out.ud, &w->ce);
	w->ce.links = NULL;
	w->ce.nlinks = 0;
	if (!w->sent)
		c->st.sent++;
	w->sent = true;
}

void capture_tick(struct capture *c, uint64_t now_ns)
{
	struct active *a, *next;
	uint64_t grace = HARRIER_CAPTURE_END_GRACE_MS * NS_PER_MS;

	for (a = TAILQ_FIRST(&c->active); a; a = next) {
		next = TAILQ_NEXT(a, link);
		if (a->sum.until_ns + grace < now_ns)
			end_capture(c, a);
	}
}

void capture_event(struct capture *c, const struct event *ev)
{
	struct active *v[HARRIER_CAPTURE_MAX_ACTIVE], *a;
	struct wev *w;
	unsigned int n = 0;

	c->st.events++;
	/* captures whose window closed (by event time: replay too) */
	if (c->nactive)
		capture_tick(c, ev->time_ns);
	w = copy_event(c, ev);
	if (!w) {
		c->st.window_dropped++;
		return;
	}
	TAILQ_INSERT_TAIL(&c->window, w, link);
	c->bytes += w->bytes;
	c->nwindow++;
	if (ev->time_ns > c->newest_ns)
		c->newest_ns = ev->time_ns;
	TAILQ_FOREACH(a, &c->active, link)
		if (ev->time_ns >= a->sum.from_ns &&
		    ev->time_ns <= a->sum.until_ns && in_scope(a, w))
			v[n++] = a;
	send(c, w, v, n);
	window_trim(c);
}

/* ---- starting a capture ---- */

static const struct rule_capture *rule_find(const struct capture *c,
					    const char *name)
{
	struct rule_capture key = { (char *)name, 0 };

	if (!c->nrules || !name)
		return NULL;
	return bsearch(&key, c->rules, c->nrules, sizeof(key), rule_cmp);
}

/* The alert's own event in the window (newest first). */
static struct wev *find_event(struct capture *c, const struct alert *a)
{
	struct wev *w;

	TAILQ_FOREACH_REVERSE(w, &c->window, wev_head, link)
	{
		if (w->ce.time_ns == a->time_ns &&
		    w->ce.serial == a->audit_serial)
			return w;
		if (w->ce.time_ns < a->time_ns)
			break;
	}
	return NULL;
}

static int set_scope(struct active *x, const struct alert *a,
		     const struct wev *self)
{
	unsigned int i;

	x->ses = -1;
	if (a->container_id) {
		x->container_id = strdup(a->container_id);
		x->sum.scope = str_printf("container %s%s%.12s%s",
					  a->container_name ?
						  a->container_name : "",
					  a->container_name ? " (" : "",
					  a->container_id,
					  a->container_name ? ")" : "");
		return x->container_id && x->sum.scope ? 0 : -ENOMEM;
	}
	x->lineage[x->nlineage++] = (pid_t)a->pid;
	if (self) {
		for (i = 0; i < self->nanc; i++)
			if (self->anc[i] > 1)
				x->lineage[x->nlineage++] = self->anc[i];
		x->ses = self->ce.ses;
	} else if (a->ppid > 1) {
		x->lineage[x->nlineage++] = (pid_t)a->ppid;
	}
	/* the parent's descendants: the alert's siblings and what they
	 * started (a shell's other commands); the process itself when
	 * the parent is init */
	x->root = a->ppid > 1 ? (pid_t)a->ppid : (pid_t)a->pid;
	if (x->ses >= 0)
		x->sum.scope = str_printf("host pid %d lineage, session %lld",
					  x->root, (long long)x->ses);
	else
		x->sum.scope = str_printf("host pid %d lineage", x->root);
	return x->sum.scope ? 0 : -ENOMEM;
}

/* Same scope: the same container; on the host the same root and
 * session. */
static bool same_scope(const struct active *x, const struct active *y)
{
	if (x->container_id || y->container_id)
		return x->container_id && y->container_id &&
		       strcmp(x->container_id, y->container_id) == 0;
	return x->root == y->root && x->ses == y->ses;
}

/* Hand over the window's events of x's scope from from_ns up to (not
 * including) to_ns (0: to the end): what came before an alert. */
static void send_window(struct capture *c, struct active *x, uint64_t from_ns,
			uint64_t to_ns)
{
	struct active *one[1] = { x };
	struct wev *w;

	TAILQ_FOREACH(w, &c->window, link)
		if (w->ce.time_ns >= from_ns &&
		    (!to_ns || w->ce.time_ns < to_ns) &&
		    w->ce.time_ns <= x->sum.until_ns && in_scope(x, w))
			send(c, w, one, 1);
}

/* The alert joins capture x with its own window. */
static void join(struct capture *c, struct active *x, const struct alert *a,
		 uint64_t from_ns, uint64_t until_ns)
{
	struct context_join j = {
		alert_key_of(a),
		x->sum.capture,
		from_ns,
		until_ns,
	};

	(void)c->out.join(c->out.ud, &j);
}

void capture_alert(struct capture *c, const struct alert *a)
{
	const struct rule_capture *rc = rule_find(c, a->rule);
	struct alert_key key;
	struct active *x, *y;
	uint64_t dur, from, until, old_from;
	struct context_summary none;

	/* internal alerts have no process and no event */
	if (a->pid < 0 || (a->source && strcmp(a->source, "internal") == 0))
		return;
	if (!rc && a->priority > c->opt.min_priority)
		return;
	dur = c->opt.duration_ns;
	if (rc && rc->duration_ms)
		dur = (rc->duration_ms < HARRIER_CAPTURE_MAX_DURATION_MS ?
			       rc->duration_ms :
			       HARRIER_CAPTURE_MAX_DURATION_MS) *
		      NS_PER_MS;
	from = a->time_ns > c->opt.before_ns ? a->time_ns - c->opt.before_ns :
					       0;
	until = a->time_ns + dur;
	x = calloc(1, sizeof(*x));
	if (!x)
		return;
	key = alert_key_of(a);
	if (alert_key_copy(&x->sum.capture, &key) < 0 ||
	    set_scope(x, a, find_event(c, a)) < 0) {
		active_free(x);
		return;
	}
	/* a capture of this scope is running: the alert joins it */
	TAILQ_FOREACH(y, &c->active, link)
		if (same_scope(x, y))
			break;
	if (y) {
		active_free(x);
		old_from = y->sum.from_ns;
		if (from < y->sum.from_ns)
			y->sum.from_ns = from;
		if (until > y->sum.until_ns)
			y->sum.until_ns = until;
		y->sum.alerts++;
		c->st.joined++;
		join(c, y, a, from, until);
		/* since old_from it has had every event of its scope */
		if (from < old_from)
			send_window(c, y, from, old_from);
		return;
	}
	if (c->nactive == HARRIER_CAPTURE_MAX_ACTIVE) {
		/* an alert storm over many scopes: say why this alert has
		 * no context */
		c->st.captures_skipped++;
		memset(&none, 0, sizeof(none));
		none.capture = x->sum.capture;
		none.scope = (char *)"none: too many captures at once";
		none.from_ns = none.until_ns = a->time_ns;
		none.alerts = 1;
		(void)c->out.summary(c->out.ud, &none);
		join(c, x, a, a->time_ns, a->time_ns);
		active_free(x);
		return;
	}
	x->sum.from_ns = from;
	x->sum.until_ns = until;
	x->sum.alerts = 1;
	TAILQ_INSERT_TAIL(&c->active, x, link);
	c->nactive++;
	c->st.captures++;
	/* its scope and window now, so a responder sees them at once */
	x->sum.running = true;
	(void)c->out.summary(c->out.ud, &x->sum);
	join(c, x, a, from, until);
	send_window(c, x, from, 0);
}

void capture_get_stats(const struct capture *c, struct capture_stats *ret)
{
	*ret = c->st;
	ret->window_bytes = c->bytes;
	ret->window_events = c->nwindow;
}
