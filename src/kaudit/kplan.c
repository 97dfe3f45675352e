/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel rule plan: merges what kfilter derived per rule and syscall into
 * auditctl text. Merging only ever widens: a set implied by another goes,
 * sets that differ only in their syscalls share a rule, and a syscall any
 * rule needs unfiltered gets the plain rule. Paths are resolved once, on
 * this host, when the plan is built.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libaudit.h>

#include "engine/kfilter.h"
#include "kaudit/kplan.h"

/* Rules that give a reason for one syscall's plain rule, in the notes. */
#define KP_MAX_FORCED 4

/* One conjunction, owned (paths strdup'd). intended: what the rule's
 * path atom meant before it was resolved on this host (for containers). */
struct kp_set {
	struct kfilter_atom *atoms;
	size_t n;
	char *intended;
	/* the host's widened filter for a path missing here (its containers
	 * have their own): resolved already, never extended to roots */
	bool host_only;
};

struct kp_sys {
	char *name;
	struct kp_set *sets;
	size_t nsets;
	bool plain;
	char *forced[KP_MAX_FORCED];
	size_t nforced, nforced_total;
};

/* One kernel rule: a set and the syscalls that share it. */
struct kp_line {
	struct kp_set *set; /* borrowed from a kp_sys */
	char *syscalls; /* "open,openat" */
};

struct kplan {
	bool pushdown;
	struct kp_sys *sys;
	size_t nsys;
	struct kp_line *lines;
	size_t nlines;
	struct kp_set empty; /* the plain rule's (no atoms) */
	struct strbuf text, notes, install;
	bool b32; /* a 32-bit ABI beside the 64-bit one (x86_64, arm64) */
	struct kplan_stats stats;
	kplan_stat_fn stat_path;
	void *stat_ud;
	enum kplan_paths paths;
	/* paths missing here: their anchors and what to watch for */
	const char *anchors;
	char **anchored, **creations;
	size_t nanchors, ncreations;
	/* what resolution saw, for kplan_changed */
	struct kp_obs {
		char *path;
		enum kplan_ftype t;
	} * obs;
	size_t nobs;
	bool oom;
};

static enum kplan_ftype stat_default(const char *path, void *ud)
{
	struct stat st;

	(void)ud;
	if (stat(path, &st) < 0)
		return KPLAN_MISSING;
	return S_ISDIR(st.st_mode) ? KPLAN_DIR : KPLAN_OTHER;
}

static void set_clear(struct kp_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free((char *)s->atoms[i].path);
	free(s->atoms);
	free(s->intended);
	s->atoms = NULL;
	s->n = 0;
	s->intended = NULL;
}

void kplan_free(struct kplan *p)
{
	size_t i, j;

	if (!p)
		return;
	for (i = 0; i < p->nsys; i++) {
		for (j = 0; j < p->sys[i].nsets; j++)
			set_clear(&p->sys[i].sets[j]);
		free(p->sys[i].sets);
		for (j = 0; j < p->sys[i].nforced; j++)
			free(p->sys[i].forced[j]);
		free(p->sys[i].name);
	}
	free(p->sys);
	for (i = 0; i < p->nlines; i++)
		free(p->lines[i].syscalls);
	free(p->lines);
	strbuf_free(&p->text);
	strbuf_free(&p->notes);
	strbuf_free(&p->install);
	for (i = 0; i < p->nobs; i++)
		free(p->obs[i].path);
	free(p->obs);
	for (i = 0; i < p->nanchors; i++)
		free(p->anchored[i]);
	free(p->anchored);
	for (i = 0; i < p->ncreations; i++)
		free(p->creations[i]);
	free(p->creations);
	free(p);
}

static bool set_copy(struct kp_set *dst, const struct kfilter_atom *atoms,
		     size_t n)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->atoms = calloc(n ? n : 1, sizeof(*dst->atoms));
	if (!dst->atoms)
		return false;
	for (i = 0; i < n; i++) {
		dst->atoms[i] = atoms[i];
		if (atoms[i].path) {
			dst->atoms[i].path = strdup(atoms[i].path);
			if (!dst->atoms[i].path) {
				dst->n = i;
				set_clear(dst);
				return false;
			}
		}
		dst->n = i + 1;
	}
	return true;
}

static bool sys_add_set(struct kp_sys *s, const struct kfilter_atom *atoms,
			size_t n)
{
	struct kp_set *ns = realloc(s->sets, (s->nsets + 1) * sizeof(*ns));

	if (!ns)
		return false;
	s->sets = ns;
	if (!set_copy(&s->sets[s->nsets], atoms, n))
		return false;
	s->nsets++;
	return true;
}

struct collect {
	struct kplan *p;
	struct kp_sys *s;
};

static void collect_cb(const struct kfilter *f, void *ud)
{
	struct collect *c = ud;
	struct kp_sys *s = c->s;
	size_t i;

	if (f->why) {
		s->plain = true;
		s->nforced_total++;
		if (s->nforced < KP_MAX_FORCED) {
			s->forced[s->nforced] =
				str_printf("rule \"%s\": %s", f->rule, f->why);
			if (!s->forced[s->nforced])
				c->p->oom = true;
			else
				s->nforced++;
		}
		return;
	}
	for (i = 0; i < f->nsets; i++)
		if (!sys_add_set(s, f->sets[i].atoms, f->sets[i].natoms))
			c->p->oom = true;
}

static struct kfilter_set view(const struct kp_set *s)
{
	struct kfilter_set v = { s->atoms, s->n };

	return v;
}

/* Drop the sets another (weaker) set implies; keep the first of equals. */
static void sys_simplify(struct kp_sys *s)
{
	size_t i, j, n = 0;

	if (s->plain) {
		for (i = 0; i < s->nsets; i++)
			set_clear(&s->sets[i]);
		s->nsets = 0;
		return;
	}
	for (i = 0; i < s->nsets; i++) {
		struct kfilter_set a = view(&s->sets[i]);
		bool drop = false;

		for (j = 0; j < s->nsets && !drop; j++) {
			struct kfilter_set b;

			if (i == j || !s->sets[j].atoms)
				continue;
			b = view(&s->sets[j]);
			if (kfilter_set_implies(&a, &b) &&
			    !(kfilter_set_implies(&b, &a) && i < j))
				drop = true;
		}
		if (drop) {
			set_clear(&s->sets[i]);
			continue;
		}
		s->sets[n++] = s->sets[i];
	}
	s->nsets = n;
}

static bool path_atom(const struct kfilter_atom *a)
{
	return a->field == KFILTER_PATH || a->field == KFILTER_DIR;
}

/* Auditctl text cannot hold blanks in a value. */
static bool path_writable(const char *p)
{
	return p[strcspn(p, " \t\r\n\v\f")] == '\0';
}

/* stat_path, remembered: the plan is only as good as what it saw. */
static enum kplan_ftype look(struct kplan *p, const char *path)
{
	enum kplan_ftype t = p->stat_path(path, p->stat_ud);
	struct kp_obs *no;
	size_t i;

	for (i = 0; i < p->nobs; i++)
		if (strcmp(p->obs[i].path, path) == 0)
			return t;
	no = realloc(p->obs, (p->nobs + 1) * sizeof(*no));
	if (!no || !(no[p->nobs].path = strdup(path))) {
		if (no)
			p->obs = no;
		p->oom = true;
		return t;
	}
	p->obs = no;
	p->obs[p->nobs++].t = t;
	return t;
}

size_t kplan_anchor_count(const struct kplan *p)
{
	return p->nanchors;
}

char *kplan_anchor(const struct kplan *p, size_t i)
{
	return i < p->nanchors ? str_printf("%s/%zu", p->anchors, i) : NULL;
}

bool kplan_changed(const struct kplan *p)
{
	size_t i;

	for (i = 0; i < p->nobs; i++)
		if (p->stat_path(p->obs[i].path, p->stat_ud) != p->obs[i].t)
			return true;
	return false;
}

/* The nearest existing directory at or above path (a copy), NULL for
 * none below stop (a prefix of path, or "/"). */
static char *nearest_dir(const struct kplan *p, const char *path, size_t stop,
			 bool record)
{
	char *c = strdup(path);
	char *slash;

	if (!c)
		return NULL;
	for (;;) {
		if ((record ? look((struct kplan *)p, c)
			    : p->stat_path(c, p->stat_ud)) == KPLAN_DIR)
			return c;
		slash = strrchr(c, '/');
		if (!slash || (size_t)(slash - c) < stop || slash == c) {
			free(c);
			return NULL;
		}
		*slash = '\0';
	}
}

static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return NULL;
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* The anchor directory for a path missing here (one per path). */
static char *anchor_for(struct kplan *p, const char *intended)
{
	char **na;
	size_t i;

	for (i = 0; i < p->nanchors; i++)
		if (strcmp(p->anchored[i], intended) == 0)
			return str_printf("%s/%zu", p->anchors, i);
	na = realloc(p->anchored, (p->nanchors + 1) * sizeof(*na));
	if (!na)
		return NULL;
	p->anchored = na;
	p->anchored[p->nanchors] = strdup(intended);
	if (!p->anchored[p->nanchors])
		return NULL;
	return str_printf("%s/%zu", p->anchors, p->nanchors++);
}

/* The first component of path below its existing ancestor anc. */
static char *first_missing(const char *anc, const char *path)
{
	size_t al = strcmp(anc, "/") == 0 ? 0 : strlen(anc);
	const char *rest = path + al + 1;
	size_t cl = strcspn(rest, "/");

	return strndup(path, (size_t)(rest - path) + cl);
}

static bool add_creation(struct kplan *p, const char *m)
{
	char **nc;
	size_t i;

	for (i = 0; i < p->ncreations; i++)
		if (strcmp(p->creations[i], m) == 0)
			return true;
	nc = realloc(p->creations, (p->ncreations + 1) * sizeof(*nc));
	if (!nc)
		return false;
	p->creations = nc;
	p->creations[p->ncreations] = strdup(m);
	return p->creations[p->ncreations++] != NULL;
}

/* Resolve a set's path atom on this host. PATH x: a watch works while
 * x's directory exists. DIR d: a tree needs d. Otherwise the nearest
 * existing directory above, as a tree (or no path at all when that is
 * "/"), noted. */
/* A note once, however many syscalls share the path. */
static void note(struct kplan *p, const char *line)
{
	if (!line) {
		p->oom = true;
		return;
	}
	if (!strstr(strbuf_str(&p->notes), line))
		strbuf_appends(&p->notes, line);
	free((char *)line);
}

/* For a path missing here whose set goes to an anchor: the host's own
 * filter until the path exists, a copy of the set on anc (the nearest
 * existing directory above it), or on no path when that is "/". Without
 * it, what is done in the moments between the path's creation and the
 * plan built again (mkdir -p /root/.ssh && echo KEY >>
 * /root/.ssh/authorized_keys) would be missed. */
static void add_host_set(struct kplan *p, struct kp_sys *sys, size_t j,
			 size_t atom, const char *anc)
{
	struct kp_set *h;

	if (!sys_add_set(sys, sys->sets[j].atoms, sys->sets[j].n)) {
		p->oom = true;
		return;
	}
	h = &sys->sets[sys->nsets - 1];
	h->host_only = true;
	free((char *)h->atoms[atom].path);
	if (strcmp(anc, "/") == 0) {
		h->atoms[atom] = h->atoms[--h->n];
		return;
	}
	h->atoms[atom].path = strdup(anc);
	h->atoms[atom].field = KFILTER_DIR;
	if (!h->atoms[atom].path)
		p->oom = true;
}

/* Below the pseudo file systems every container runtime mounts afresh
 * in the container (/proc, /sys with its cgroup hierarchies, /dev): a
 * tree or watch on the root's directory (the host-visible bundle path)
 * never sees the container's files there. */
static bool in_own_mount(const char *path)
{
	static const char *const own[] = { "/proc", "/sys", "/dev" };
	size_t i, n;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		n = strlen(own[i]);
		if (strncmp(path, own[i], n) == 0 &&
		    (path[n] == '/' || path[n] == '\0'))
			return true;
	}
	return false;
}

static void resolve_set(struct kplan *p, struct kp_sys *sys, size_t j)
{
	struct kp_set *s = &sys->sets[j];
	struct kfilter_atom *a = NULL;
	enum kplan_ftype t;
	char *parent, *anc = NULL;
	size_t i;

	if (s->host_only)
		return;
	for (i = 0; i < s->n && !a; i++)
		if (path_atom(&s->atoms[i]))
			a = &s->atoms[i];
	if (!a)
		return;
	s->intended = strdup(a->path);
	if (!s->intended) {
		p->oom = true;
		return;
	}
	if (!path_writable(a->path)) {
		note(p, str_printf("# path %s has blanks: not filtered by it\n",
				   a->path));
		goto drop;
	}
	if (p->paths == KPLAN_PATHS_NONE ||
	    (p->paths == KPLAN_PATHS_DIRS && a->field == KFILTER_PATH))
		goto drop;
	if (in_own_mount(a->path)) {
		note(p, str_printf("# %s: a container mounts its own %.*s, which "
				   "no filter on its root reaches: not "
				   "filtered by it\n",
				   a->path, (int)strcspn(a->path + 1, "/") + 1,
				   a->path));
		goto drop;
	}
	t = look(p, a->path);
	if (a->field == KFILTER_PATH) {
		if (t != KPLAN_MISSING)
			return;
		parent = parent_of(a->path);
		if (parent && look(p, parent) == KPLAN_DIR) {
			free(parent);
			return; /* the kernel watches the directory */
		}
		if (parent)
			anc = nearest_dir(p, parent, 0, true);
		free(parent);
	} else {
		if (t == KPLAN_DIR)
			return;
		if (t == KPLAN_OTHER) {
			/* a file: its name is all there is below it */
			if (p->paths == KPLAN_PATHS_DIRS)
				goto drop;
			a->field = KFILTER_PATH;
			return;
		}
		anc = nearest_dir(p, a->path, 0, true);
	}
	if (p->anchors && anc) {
		/* A tree on an empty directory of ours: nothing on the host
		 * reaches it, containers that have the path join it; the
		 * host's own path is watched for and the plan built again
		 * once it is there. */
		char *anchor = anchor_for(p, s->intended);
		char *m = first_missing(anc, s->intended);

		if (!anchor || !m || !add_creation(p, m)) {
			free(anchor);
			free(m);
			free(anc);
			p->oom = true;
			return;
		}
		note(p,
		     str_printf("# %s does not exist here: watched for (%s), "
				"filtered by it once it does, until then by "
				"%s%s; containers that have it are filtered "
				"now\n",
				s->intended, m,
				strcmp(anc, "/") == 0 ? "nothing but the "
							"rest"
						      : "dir=",
				strcmp(anc, "/") == 0 ? "" : anc));
		free(m);
		free((char *)a->path);
		a->path = anchor;
		a->field = KFILTER_DIR;
		add_host_set(p, sys, j, i - 1, anc);
		free(anc);
		return;
	}
	if (!anc || strcmp(anc, "/") == 0) {
		note(p, str_printf("# %s does not exist here, nor any "
				   "directory above it but /: not filtered by "
				   "it\n",
				   a->path));
		free(anc);
		goto drop;
	}
	note(p, str_printf("# %s does not exist here: dir=%s until it does\n",
			   a->path, anc));
	free((char *)a->path);
	a->path = anc;
	a->field = KFILTER_DIR;
	return;
drop:
	free((char *)a->path);
	*a = s->atoms[--s->n];
}

/* ---- text ---- */

static int field_rank(const struct kfilter_atom *a)
{
	/* cheap tests first: the kernel stops at the first that fails */
	switch (a->field) {
	case KFILTER_PERM:
		return 0;
	case KFILTER_SUCCESS:
		return 1;
	case KFILTER_EXIT:
		return 2;
	case KFILTER_SADDR_FAM:
		return 3;
	case KFILTER_ARG:
		return 4;
	case KFILTER_PATH:
	case KFILTER_DIR:
		return 9;
	default:
		return 5;
	}
}

static int atom_cmp(const void *x, const void *y)
{
	const struct kfilter_atom *a = x, *b = y;
	int r = field_rank(a) - field_rank(b);

	if (r)
		return r;
	if (a->field != b->field)
		return (int)a->field - (int)b->field;
	if (a->arg != b->arg)
		return (int)a->arg - (int)b->arg;
	if (a->op != b->op)
		return (int)a->op - (int)b->op;
	if (a->path && b->path)
		return strcmp(a->path, b->path);
	return a->value < b->value ? -1 : a->value > b->value;
}

static const char *op_text(enum kfilter_op op)
{
	static const char *const t[] = { "=", "!=", "<", "<=", ">", ">=" };

	return (size_t)op < sizeof(t) / sizeof(t[0]) ? t[op] : "=";
}

static void atom_text(struct strbuf *sb, const struct kfilter_atom *a)
{
	static const char *const ids[] = {
		[KFILTER_UID] = "uid",	 [KFILTER_EUID] = "euid",
		[KFILTER_GID] = "gid",	 [KFILTER_EGID] = "egid",
		[KFILTER_AUID] = "auid", [KFILTER_PID] = "pid",
		[KFILTER_PPID] = "ppid",
	};

	strbuf_appends(sb, " -F ");
	switch (a->field) {
	case KFILTER_SUCCESS:
		strbuf_appendf(sb, "success=%d", a->value ? 1 : 0);
		break;
	case KFILTER_EXIT:
		strbuf_appendf(sb, "exit%s%lld", op_text(a->op),
			       (long long)a->value);
		break;
	case KFILTER_ARG:
		strbuf_appendf(sb, "a%u%s%lld", a->arg, op_text(a->op),
			       (long long)a->value);
		break;
	case KFILTER_PERM:
		strbuf_appendf(sb, "perm=%s%s",
			       (a->value & KFILTER_PERM_READ) ? "r" : "",
			       (a->value & KFILTER_PERM_WRITE) ? "w" : "");
		break;
	case KFILTER_SADDR_FAM:
		strbuf_appendf(sb, "saddr_fam=%lld", (long long)a->value);
		break;
	case KFILTER_PATH:
		strbuf_appendf(sb, "path=%s", a->path);
		break;
	case KFILTER_DIR:
		strbuf_appendf(sb, "dir=%s", a->path);
		break;
	default:
		strbuf_appendf(sb, "%s%s%lld", ids[a->field], op_text(a->op),
			       (long long)a->value);
		break;
	}
}

/* A set's atoms as text (its identity for grouping), sorted. */
static void set_text(struct strbuf *sb, struct kp_set *s)
{
	size_t i;

	/* (the empty set, the plain rule, has no atoms array at all) */
	if (s->n > 1)
		qsort(s->atoms, s->n, sizeof(*s->atoms), atom_cmp);
	for (i = 0; i < s->n; i++)
		atom_text(sb, &s->atoms[i]);
}

static int add_line(struct kplan *p, struct kp_set *set, const char *sc)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct kp_line *nl;
	size_t i;

	set_text(&a, set);
	for (i = 0; i < p->nlines; i++) {
		strbuf_reset(&b);
		set_text(&b, p->lines[i].set);
		if (strcmp(strbuf_str(&a), strbuf_str(&b)) == 0) {
			char *j = str_printf("%s,%s", p->lines[i].syscalls, sc);

			strbuf_free(&a);
			strbuf_free(&b);
			if (!j)
				return -ENOMEM;
			free(p->lines[i].syscalls);
			p->lines[i].syscalls = j;
			return 0;
		}
	}
	strbuf_free(&a);
	strbuf_free(&b);
	nl = realloc(p->lines, (p->nlines + 1) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	p->lines = nl;
	p->lines[p->nlines].set = set;
	p->lines[p->nlines].syscalls = strdup(sc);
	if (!p->lines[p->nlines].syscalls)
		return -ENOMEM;
	p->nlines++;
	return 0;
}

static void line_text(struct strbuf *sb, const struct kp_line *l,
		      const char *root, bool b64)
{
	size_t i;

	strbuf_appendf(sb, "-a always,exit%s -S %s", b64 ? " -F arch=b64" : "",
		       l->syscalls);
	if (l->set->n > 1)
		qsort(l->set->atoms, l->set->n, sizeof(*l->set->atoms),
		      atom_cmp);
	for (i = 0; i < l->set->n; i++) {
		const struct kfilter_atom *a = &l->set->atoms[i];

		if (root && path_atom(a))
			continue;
		atom_text(sb, a);
	}
	if (!root)
		strbuf_appends(sb, " -k harrier\n");
}

/* "-a always,exit" of a line: the 64-bit ABI's rule when there are two
 * (the 32-bit one gets the catch-all, install_text). */
static void arch_line(struct strbuf *sb, const char *line, size_t len, bool b64)
{
	static const char head[] = "-a always,exit ";

	if (b64 && len >= sizeof(head) - 1 &&
	    memcmp(line, head, sizeof(head) - 1) == 0) {
		strbuf_appends(sb, head);
		strbuf_appends(sb, "-F arch=b64 ");
		strbuf_append(sb, line + sizeof(head) - 1,
			      len - (sizeof(head) - 1));
	} else {
		strbuf_append(sb, line, len);
	}
}

/* What harrierd installs. With two ABIs (x86_64: b64 and b32), every
 * filtered rule is for b64, and 32-bit calls of the same syscalls get
 * one unfiltered rule: 32-bit programs are rare, and each rule costs
 * every syscall of every process a look (a b32 twin of each filtered
 * rule would double that). */
/* Does every set of the syscall require success? */
static bool sys_successes_only(const struct kp_sys *s)
{
	size_t i, j;

	if (s->plain)
		return false;
	for (i = 0; i < s->nsets; i++) {
		bool ok = false;

		for (j = 0; j < s->sets[i].n && !ok; j++) {
			const struct kfilter_atom *a = &s->sets[i].atoms[j];

			ok = (a->field == KFILTER_SUCCESS && a->value == 1) ||
			     (a->field == KFILTER_EXIT && a->op == KFILTER_EQ &&
			      !(a->value >= -4095 && a->value <= -1));
		}
		if (!ok)
			return false;
	}
	return true;
}

static void install_text(struct kplan *p)
{
	const char *t = strbuf_str(&p->text), *nl;
	int m32 = audit_determine_machine("b32");
	size_t i, k, n;

	p->b32 = audit_determine_machine("b64") >= 0 && m32 >= 0;
	for (; *t; t = *nl ? nl + 1 : nl) {
		nl = strchr(t, '\n');
		if (!nl)
			nl = t + strlen(t);
		arch_line(&p->install, t, (size_t)(nl - t), p->b32);
		strbuf_appendc(&p->install, '\n');
	}
	if (!p->b32)
		return;
	/* two catch-alls: syscalls only successful calls of which any rule
	 * needs, and the rest */
	for (k = 0; k < 2; k++) {
		n = 0;
		for (i = 0; i < p->nsys; i++) {
			if (!p->sys[i].plain && !p->sys[i].nsets)
				continue;
			if (sys_successes_only(&p->sys[i]) != (k == 0))
				continue;
			if (audit_name_to_syscall(p->sys[i].name, m32) < 0)
				continue;
			strbuf_appends(&p->install,
				       n++ ? ","
					   : "-a always,exit -F arch=b32 -S ");
			strbuf_appends(&p->install, p->sys[i].name);
		}
		if (n)
			strbuf_appends(&p->install, k == 0 ? " -F success=1 -k "
							     "harrier\n"
							   : " -k harrier\n");
	}
}

/* ---- building ---- */

struct names {
	char **v;
	size_t n;
	bool oom;
};

static void add_name(const char *type, void *ud)
{
	struct names *l = ud;
	char **nv;
	int machine = audit_detect_machine();

	/* record types (USER_LOGIN, CONFIG_CHANGE) need no syscall rule */
	if (machine < 0 || audit_name_to_syscall(type, machine) < 0)
		return;
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv || !(nv[l->n] = strdup(type))) {
		if (nv)
			l->v = nv;
		l->oom = true;
		return;
	}
	l->v = nv;
	l->n++;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Before push-down: each syscall once, success=1 where no rule can
 * match a failed call. */
static void plan_plain(struct kplan *p, const struct engine *e)
{
	size_t i;

	for (i = 0; i < p->nsys; i++) {
		struct kp_sys *s = &p->sys[i];
		struct kfilter_atom ok = { KFILTER_SUCCESS, KFILTER_EQ, 1, 0,
					   NULL };

		if (engine_type_may_fail(e, s->name))
			s->plain = true;
		else if (!sys_add_set(s, &ok, 1))
			p->oom = true;
	}
}

int kplan_build(const struct engine *e, const struct kplan_opts *o,
		struct kplan **ret)
{
	struct kplan *p = calloc(1, sizeof(*p));
	struct names names = { NULL, 0, false };
	bool any = false;
	size_t i, j;
	int rc = 0;

	if (!p)
		return -ENOMEM;
	p->pushdown = o ? o->pushdown : true;
	p->paths = o ? o->paths : KPLAN_PATHS_ALL;
	p->anchors = o ? o->anchors : NULL;
	p->stat_path = o && o->stat_path ? o->stat_path : stat_default;
	p->stat_ud = o ? o->stat_ud : NULL;
	engine_event_types(e, add_name, &names, &any);
	if (names.oom)
		goto oom;
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), name_cmp);
	p->sys = calloc(names.n ? names.n : 1, sizeof(*p->sys));
	if (!p->sys)
		goto oom;
	for (i = 0, j = 0; i < names.n; i++) {
		if (j && strcmp(names.v[i], names.v[j - 1]) == 0)
			free(names.v[i]);
		else
			names.v[j++] = names.v[i];
	}
	names.n = j;
	for (i = 0; i < names.n; i++) {
		if (o && o->nbuiltin_keys &&
		    engine_type_needs_key(e, names.v[i], o->builtin_keys,
					  o->nbuiltin_keys)) {
			strbuf_appendf(&p->notes,
				       "# %s: only through harrierd's own rule "
				       "(every rule on it requires its key)\n",
				       names.v[i]);
			free(names.v[i]);
			continue;
		}
		p->sys[p->nsys++].name = names.v[i];
	}
	free(names.v);
	names.v = NULL;

	if (!p->pushdown) {
		plan_plain(p, e);
	} else {
		for (i = 0; i < p->nsys && !p->oom; i++) {
			struct collect c = { p, &p->sys[i] };

			rc = kfilter_derive(e, p->sys[i].name, collect_cb, &c);
			if (rc < 0)
				goto fail;
		}
	}
	if (p->oom)
		goto oom;
	for (i = 0; i < p->nsys; i++) {
		struct kp_sys *s = &p->sys[i];

		sys_simplify(s);
		for (j = 0; j < s->nsets; j++)
			resolve_set(p, s, j);
		sys_simplify(s);
		if (s->plain) {
			p->stats.plain++;
			strbuf_appendf(&p->notes,
				       "# %s: unfiltered (the plain syscall "
				       "rule)%s\n",
				       s->name,
				       s->nforced ? ", needed by:" : "");
			for (j = 0; j < s->nforced; j++)
				strbuf_appendf(&p->notes, "#   %s\n",
					       s->forced[j]);
			if (s->nforced_total > s->nforced)
				strbuf_appendf(&p->notes,
					       "#   and %zu more rules\n",
					       s->nforced_total - s->nforced);
			if (add_line(p, &p->empty, s->name) < 0)
				goto oom;
			p->stats.syscalls++;
			continue;
		}
		if (s->nsets)
			p->stats.syscalls++;
		for (j = 0; j < s->nsets; j++)
			if (add_line(p, &s->sets[j], s->name) < 0)
				goto oom;
	}
	for (i = 0; i < p->nlines; i++) {
		line_text(&p->text, &p->lines[i], NULL, false);
		for (j = 0; j < p->lines[i].set->n; j++) {
			if (p->lines[i].set->atoms[j].field == KFILTER_DIR)
				p->stats.trees++;
			else if (p->lines[i].set->atoms[j].field ==
				 KFILTER_PATH)
				p->stats.watches++;
		}
	}
	for (i = 0; i < p->ncreations; i++)
		strbuf_appendf(&p->text,
			       "-a always,exit -S "
			       "mkdir,mkdirat,rename,renameat,renameat2,"
			       "symlink,symlinkat,link,linkat -F path=%s "
			       "-k harrier_paths\n",
			       p->creations[i]);
	p->stats.lines = p->nlines + p->ncreations;
	install_text(p);
	if (any)
		strbuf_appends(&p->notes,
			       "# some rule has no evt.type restriction: it "
			       "sees the syscalls above only\n");
	if (strbuf_failed(&p->text) || strbuf_failed(&p->notes))
		goto oom;
	*ret = p;
	return 0;
oom:
	rc = -ENOMEM;
fail:
	for (i = 0; i < names.n && names.v; i++)
		free(names.v[i]);
	free(names.v);
	kplan_free(p);
	return rc;
}

const char *kplan_text(const struct kplan *p)
{
	return strbuf_str(&p->text);
}

const char *kplan_install_text(const struct kplan *p)
{
	return strbuf_str(&p->install);
}

const char *kplan_notes(const struct kplan *p)
{
	return strbuf_str(&p->notes);
}

void kplan_get_stats(const struct kplan *p, struct kplan_stats *ret)
{
	*ret = p->stats;
}

bool kplan_sends_all_successes(const struct kplan *p, const char *syscall)
{
	size_t i, j;

	for (i = 0; i < p->nsys; i++) {
		const struct kp_sys *s = &p->sys[i];

		if (strcmp(s->name, syscall) != 0)
			continue;
		if (s->plain)
			return true;
		for (j = 0; j < s->nsets; j++)
			if (s->sets[j].n == 1 &&
			    s->sets[j].atoms[0].field == KFILTER_SUCCESS &&
			    s->sets[j].atoms[0].value == 1)
				return true;
	}
	return false;
}

bool kplan_has_paths(const struct kplan *p)
{
	return p->stats.trees + p->stats.watches > 0;
}

/* ---- containers ---- */

static const struct kfilter_atom *line_path(const struct kp_line *l)
{
	size_t i;

	for (i = 0; i < l->set->n; i++)
		if (path_atom(&l->set->atoms[i]))
			return &l->set->atoms[i];
	return NULL;
}

int kplan_root_text(const struct kplan *p, const char *root, struct strbuf *out)
{
	size_t i, rl = strlen(root);

	for (i = 0; i < p->nlines; i++) {
		const struct kp_line *l = &p->lines[i];
		const struct kfilter_atom *a = line_path(l);
		const char *want = l->set->intended;
		char *full, *parent, *anc = NULL;

		if (!a || a->field != KFILTER_PATH || !want)
			continue;
		full = str_printf("%s%s", root, want);
		parent = full ? parent_of(full) : NULL;
		if (!full || !parent) {
			free(full);
			free(parent);
			return -ENOMEM;
		}
		if (p->stat_path(full, p->stat_ud) != KPLAN_MISSING ||
		    p->stat_path(parent, p->stat_ud) == KPLAN_DIR) {
			line_text(out, l, root, p->b32);
			strbuf_appendf(out, " -F path=%s -k harrier_ct\n",
				       full);
		} else {
			anc = nearest_dir(p, parent, rl, false);
			if (anc) {
				line_text(out, l, root, p->b32);
				strbuf_appendf(
					out, " -F dir=%s -k harrier_ct\n", anc);
			}
		}
		free(anc);
		free(full);
		free(parent);
	}
	return strbuf_failed(out) ? -ENOMEM : 0;
}

int kplan_root_equivs(const struct kplan *p, const char *root,
		      kplan_equiv_cb cb, void *ud)
{
	size_t i, j, rl = strlen(root);
	int rc = 0;

	for (i = 0; i < p->nlines; i++) {
		const struct kp_line *l = &p->lines[i];
		const struct kfilter_atom *a = line_path(l);
		const char *want = l->set->intended;
		char *full, *anc;
		bool seen = false;

		if (!a || a->field != KFILTER_DIR || !want)
			continue;
		/* one call per tree path and intended directory */
		for (j = 0; j < i && !seen; j++) {
			const struct kfilter_atom *b = line_path(&p->lines[j]);

			seen = b && b->field == KFILTER_DIR &&
			       p->lines[j].set->intended &&
			       strcmp(b->path, a->path) == 0 &&
			       strcmp(p->lines[j].set->intended, want) == 0;
		}
		if (seen)
			continue;
		full = str_printf("%s%s", root, want);
		if (!full)
			return -ENOMEM;
		if (p->stat_path(full, p->stat_ud) != KPLAN_MISSING)
			anc = full;
		else {
			anc = nearest_dir(p, full, rl, false);
			free(full);
		}
		if (anc) {
			int r = cb(a->path, anc, ud);

			if (r < 0 && rc == 0)
				rc = r;
			free(anc);
		}
	}
	return rc;
}
