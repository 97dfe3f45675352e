/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fd table (see fdtable.h). Per process a short list of the fds the
 * audited syscalls told about; lookups are linear in that list, which
 * HARRIER_FDTABLE_PER_PROC bounds. /proc is read only for an fd the table
 * does not know, or to check that a socket it knows is still the one at
 * that number (fds are reused after an unaudited close), and only while
 * the process lives. Everything read from /proc is untrusted text.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/limits.h"
#include "common/strbuf.h"
#include "enrich/fdtable.h"

#define FT_BUCKETS 4096
#define FT_EINPROGRESS 115

struct ft_ent {
	int fd;
	uint64_t sock_ino; /* socket inode from /proc, 0 unknown */
	struct event_fd info; /* info.name points to name */
	char *name;
	TAILQ_ENTRY(ft_ent) link;
};
TAILQ_HEAD(ft_ent_list, ft_ent);

struct ft_proc {
	pid_t pid;
	unsigned int n;
	struct ft_ent_list fds; /* most recently set first */
	struct ft_proc *hnext;
};

struct fdtable {
	char *proc_root;
	bool offline;
	struct ft_proc *buckets[FT_BUCKETS];
	struct fdtable_stats stats;
	/* the facts put on the current event */
	struct event_fd cur;
	char cur_name[PATH_MAX];
};

struct fdtable *fdtable_new(const char *proc_root, bool offline)
{
	struct fdtable *ft = calloc(1, sizeof(*ft));

	if (!ft)
		return NULL;
	ft->proc_root = strdup(proc_root ? proc_root : "/proc");
	if (!ft->proc_root) {
		free(ft);
		return NULL;
	}
	ft->offline = offline;
	return ft;
}

static void ft_ent_free(struct ft_ent *e)
{
	free(e->name);
	free(e);
}

static struct ft_proc **ft_proc_slot(struct fdtable *ft, pid_t pid)
{
	struct ft_proc **pp =
		&ft->buckets[((uint32_t)pid * 2654435761u) % FT_BUCKETS];

	while (*pp && (*pp)->pid != pid)
		pp = &(*pp)->hnext;
	return pp;
}

static void ft_proc_free(struct fdtable *ft, struct ft_proc *p)
{
	struct ft_ent *e;

	while ((e = TAILQ_FIRST(&p->fds))) {
		TAILQ_REMOVE(&p->fds, e, link);
		ft_ent_free(e);
		ft->stats.entries--;
	}
	free(p);
}

void fdtable_forget(struct fdtable *ft, pid_t pid)
{
	struct ft_proc **pp, *p;

	if (!ft)
		return;
	pp = ft_proc_slot(ft, pid);
	p = *pp;
	if (!p)
		return;
	*pp = p->hnext;
	ft_proc_free(ft, p);
}

void fdtable_free(struct fdtable *ft)
{
	size_t i;

	if (!ft)
		return;
	for (i = 0; i < FT_BUCKETS; i++) {
		while (ft->buckets[i]) {
			struct ft_proc *p = ft->buckets[i];

			ft->buckets[i] = p->hnext;
			ft_proc_free(ft, p);
		}
	}
	free(ft->proc_root);
	free(ft);
}

void fdtable_get_stats(const struct fdtable *ft, struct fdtable_stats *ret)
{
	*ret = ft->stats;
}

static struct ft_proc *ft_proc(struct fdtable *ft, pid_t pid, bool create)
{
	struct ft_proc **pp = ft_proc_slot(ft, pid), *p = *pp;

	if (p || !create)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	TAILQ_INIT(&p->fds);
	*pp = p;
	return p;
}

static struct ft_ent *ft_get(struct fdtable *ft, pid_t pid, int fd)
{
	struct ft_proc *p = ft_proc(ft, pid, false);
	struct ft_ent *e;

	if (!p)
		return NULL;
	TAILQ_FOREACH(e, &p->fds, link)
		if (e->fd == fd)
			return e;
	return NULL;
}

static void ft_del(struct fdtable *ft, pid_t pid, int fd)
{
	struct ft_proc *p = ft_proc(ft, pid, false);
	struct ft_ent *e;

	if (!p)
		return;
	TAILQ_FOREACH(e, &p->fds, link) {
		if (e->fd == fd) {
			TAILQ_REMOVE(&p->fds, e, link);
			ft_ent_free(e);
			p->n--;
			ft->stats.entries--;
			return;
		}
	}
}

/* Store info (name copied) for pid's fd, replacing what was there. Past
 * the per-process bound its least recently set fd goes; past the global
 * bound the fact is dropped (counted). */
static struct ft_ent *ft_set(struct fdtable *ft, pid_t pid, int fd,
			     const struct event_fd *info, uint64_t sock_ino)
{
	struct ft_proc *p;
	struct ft_ent *e;
	char *name = NULL;

	if (fd < 0)
		return NULL;
	ft_del(ft, pid, fd);
	if (ft->stats.entries >= HARRIER_FDTABLE_MAX) {
		ft->stats.dropped++;
		return NULL;
	}
	p = ft_proc(ft, pid, true);
	if (!p)
		return NULL;
	if (p->n >= HARRIER_FDTABLE_PER_PROC) {
		e = TAILQ_LAST(&p->fds, ft_ent_list);
		TAILQ_REMOVE(&p->fds, e, link);
		ft_ent_free(e);
		p->n--;
		ft->stats.entries--;
		ft->stats.dropped++;
	}
	if (info->name) {
		name = strdup(info->name);
		if (!name)
			return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		free(name);
		return NULL;
	}
	e->fd = fd;
	e->sock_ino = sock_ino;
	e->info = *info;
	e->info.num = fd;
	e->info.name_changed = false;
	e->name = name;
	e->info.name = name;
	TAILQ_INSERT_HEAD(&p->fds, e, link);
	p->n++;
	ft->stats.entries++;
	return e;
}

void fdtable_fork(struct fdtable *ft, pid_t parent, pid_t child)
{
	struct ft_proc *p;
	struct ft_ent *e;

	if (!ft || !(p = ft_proc(ft, parent, false)))
		return;
	fdtable_forget(ft, child);
	/* oldest first, so that the child's list keeps the parent's order */
	TAILQ_FOREACH_REVERSE(e, &p->fds, ft_ent_list, link)
		(void)ft_set(ft, child, e->fd, &e->info, e->sock_ino);
}

/* ---- /proc ---- */

static bool ft_hex_addr(const char *s, size_t n, bool v6, char *out,
			uint16_t *port)
{
	/* "0100007F:1F90" (v4) or 32 hex digits ":" port (v6): each 32-bit
	 * word as the kernel holds it (network order bytes), printed as a
	 * host-order number. */
	unsigned char bytes[16];
	size_t words = v6 ? 4 : 1, w, k;
	unsigned long v;
	char tmp[9];

	if (n != words * 8 + 5 || s[words * 8] != ':')
		return false;
	for (w = 0; w < words; w++) {
		uint32_t x;

		memcpy(tmp, s + w * 8, 8);
		tmp[8] = '\0';
		v = strtoul(tmp, NULL, 16);
		x = (uint32_t)v;
		for (k = 0; k < 4; k++)
			bytes[w * 4 + k] = (unsigned char)(x >> (8 * k));
	}
	memcpy(tmp, s + words * 8 + 1, 4);
	tmp[4] = '\0';
	*port = (uint16_t)strtoul(tmp, NULL, 16);
	return inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, out, 46) != NULL;
}

/* The i-th whitespace-separated token of line (NUL-terminated). */
static const char *ft_tok(const char *line, unsigned int i, size_t *len)
{
	const char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n')
			return NULL;
		*len = strcspn(p, " \t\n");
		if (i-- == 0)
			return p;
		p += *len;
	}
}

/* Find socket inode ino in /proc/PID/net/FILE; fill info. */
static bool ft_net_lookup(struct fdtable *ft, pid_t pid, const char *file,
			  uint64_t ino, struct event_fd *info, char *name,
			  size_t namelen)
{
	bool v6 = strchr(file, '6') != NULL, unix_ = !strcmp(file, "unix");
	char path[PATH_MAX], want[24];
	char *buf = NULL, *line, *nl;
	size_t len, tl;
	bool found = false;

	if (snprintf(path, sizeof(path), "%s/%d/net/%s", ft->proc_root,
		     (int)pid, file) >= (int)sizeof(path))
		return false;
	/* a /proc file reports size 0: read_file_max reads to the end */
	if (read_file_max(path, HARRIER_PROC_NET_MAX_BYTES, 0, &buf, &len) < 0)
		return false;
	(void)snprintf(want, sizeof(want), "%llu", (unsigned long long)ino);
	for (line = buf; line && *line && !found; line = nl ? nl + 1 : NULL) {
		const char *t;

		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		/* tcp/udp/raw: inode is token 9; unix: token 6, path 7 */
		t = ft_tok(line, unix_ ? 6 : 9, &tl);
		if (!t || tl != strlen(want) || memcmp(t, want, tl) != 0)
			continue;
		found = true;
		if (unix_) {
			info->typechar = 'u';
			t = ft_tok(line, 7, &tl);
			if (t && tl < namelen) {
				memcpy(name, t, tl);
				name[tl] = '\0';
				info->name = name;
			}
			/* St 03: SS_CONNECTED */
			t = ft_tok(line, 5, &tl);
			info->connected = t && tl == 2 && !memcmp(t, "03", 2);
			continue;
		}
		info->typechar = v6 ? '6' : '4';
		info->l4proto = file[0] == 't'	 ? IPPROTO_TCP
				: file[0] == 'u' ? IPPROTO_UDP
						 : 255;
		t = ft_tok(line, 1, &tl);
		info->has_local =
			t && ft_hex_addr(t, tl, v6, info->lip, &info->lport);
		t = ft_tok(line, 2, &tl);
		info->has_remote = t && ft_hex_addr(t, tl, v6, info->rip,
						    &info->rport) &&
				   info->rport != 0;
		t = ft_tok(line, 3, &tl);
		/* TCP_ESTABLISHED 01; TCP_LISTEN 0A */
		if (t && tl == 2 && file[0] == 't') {
			info->connected = !memcmp(t, "01", 2);
			info->is_server = !memcmp(t, "0A", 2);
		} else {
			info->connected = info->has_remote;
		}
	}
	free(buf);
	return found;
}

/* readlink /proc/PID/fd/FD: 1 and the text, 0 gone, <0 error. */
static int ft_fd_link(struct fdtable *ft, pid_t pid, int fd, char *out,
		      size_t len)
{
	char path[PATH_MAX];
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%d/fd/%d", ft->proc_root,
		     (int)pid, fd) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	n = readlink(path, out, len - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	out[n] = '\0';
	return 1;
}

/* What /proc says pid's fd is. true and info filled (name in name). */
static bool ft_from_proc(struct fdtable *ft, pid_t pid, int fd,
			 struct event_fd *info, uint64_t *sock_ino, char *name,
			 size_t namelen)
{
	static const char *const nets[] = { "tcp",  "tcp6", "udp", "udp6",
					    "raw",  "raw6", "unix" };
	char link[PATH_MAX];
	unsigned long long ino;
	size_t i;

	if (ft->offline || fd < 0 || pid <= 0)
		return false;
	ft->stats.proc_lookups++;
	if (ft_fd_link(ft, pid, fd, link, sizeof(link)) != 1) {
		ft->stats.proc_misses++;
		return false;
	}
	memset(info, 0, sizeof(*info));
	info->num = fd;
	*sock_ino = 0;
	if (sscanf(link, "socket:[%llu]", &ino) == 1) {
		*sock_ino = ino;
		for (i = 0; i < sizeof(nets) / sizeof(nets[0]); i++)
			if (ft_net_lookup(ft, pid, nets[i], ino, info, name,
					  namelen))
				return true;
		info->typechar = 'o'; /* a socket of another family */
		return true;
	}
	if (strncmp(link, "pipe:", 5) == 0) {
		info->typechar = 'p';
	} else if (strncmp(link, "anon_inode:", 11) == 0) {
		const char *k = link + 11;

		info->typechar = strstr(k, "eventfd")	 ? 'e'
				 : strstr(k, "signalfd") ? 's'
				 : strstr(k, "inotify")	 ? 'i'
				 : strstr(k, "timerfd")	 ? 't'
				 : strstr(k, "bpf")	 ? 'b'
							 : 'o';
	} else if (link[0] == '/') {
		struct stat st;
		char path[PATH_MAX];

		info->typechar = 'f';
		if (snprintf(path, sizeof(path), "%s/%d/fd/%d", ft->proc_root,
			     (int)pid, fd) < (int)sizeof(path) &&
		    stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			info->typechar = 'd';
		if (strlen(link) < namelen) {
			memcpy(name, link, strlen(link) + 1);
			info->name = name;
		}
	} else {
		info->typechar = 'o';
	}
	return true;
}

/* A socket entry learned earlier may no longer be what the fd number
 * holds (closed and reused without an audited close): while the process
 * lives, its socket inode must still be the one at that number. */
/* Does /proc/PID/fd/FD still hold e's socket? -1 unknown (gone or
 * unreadable), 0 no, 1 yes. */
static int ft_holds(struct fdtable *ft, pid_t pid, int fd,
		    const struct ft_ent *e)
{
	char link[64];
	unsigned long long ino;

	if (ft_fd_link(ft, pid, fd, link, sizeof(link)) != 1)
		return -1;
	return sscanf(link, "socket:[%llu]", &ino) == 1 && ino == e->sock_ino;
}

/* Is e (a socket) still what pid's fd holds? /proc is now, the event
 * may be older: the number may have been closed and reused since. also:
 * another fd that holds the same object after the event (a dup's new
 * fd: dup2(sock, 0) then exec, the exec'd program reusing sock's number
 * for its first file, is every reverse shell), -1 for none. */
static bool ft_still_valid(struct fdtable *ft, pid_t pid,
			   const struct ft_ent *e, int also)
{
	int r;

	if (ft->offline || !e->sock_ino)
		return true;
	r = ft_holds(ft, pid, e->fd, e);
	if (r != 0)
		return true; /* gone or unreadable: keep what we knew */
	if (also >= 0 && ft_holds(ft, pid, also, e) == 1)
		return true;
	ft->stats.stale++;
	return false;
}

/* ---- events ---- */

static bool sc_in(const char *sc, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(sc, *set) == 0)
			return true;
	return false;
}

static bool ft_socket_call(const char *sc)
{
	static const char *const calls[] = {
		"connect",  "bind",	   "listen",	  "sendto",
		"sendmsg",  "sendmmsg",	   "recvfrom",	  "recvmsg",
		"recvmmsg", "shutdown",	   "getsockname", "getpeername",
		"setsockopt", "getsockopt", NULL
	};

	return sc_in(sc, calls);
}

static bool ft_is_socket(const struct event_fd *f)
{
	return f->typechar && strchr("46ulo", f->typechar) != NULL;
}

static char ft_family_char(int fam)
{
	switch (fam) {
	case AF_INET:
		return '4';
	case AF_INET6:
		return '6';
	case AF_UNIX:
		return 'u';
	case AF_NETLINK:
		return 'l';
	default:
		return 'o';
	}
}

static unsigned char ft_l4(int fam, uint64_t type, uint64_t proto)
{
	if (fam != AF_INET && fam != AF_INET6)
		return 0;
	switch (type & 0xf) {
	case SOCK_STREAM:
		return IPPROTO_TCP;
	case SOCK_DGRAM:
		return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6
			       ? (unsigned char)proto
			       : IPPROTO_UDP;
	case SOCK_RAW:
		return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6
			       ? (unsigned char)proto
			       : 255;
	default:
		return 0;
	}
}

/* The event's sockaddr as an endpoint. */
static bool ft_sa(const struct event *ev, char *ip, uint16_t *port)
{
	const struct event_sockaddr *sa = &ev->sockaddr;

	if (sa->family != EVENT_SOCK_INET && sa->family != EVENT_SOCK_INET6)
		return false;
	memcpy(ip, sa->addr, sizeof(sa->addr));
	*port = sa->port;
	return true;
}

static char ft_sa_type(const struct event *ev)
{
	switch (ev->sockaddr.family) {
	case EVENT_SOCK_INET:
		return '4';
	case EVENT_SOCK_INET6:
		return '6';
	case EVENT_SOCK_UNIX:
		return 'u';
	case EVENT_SOCK_NETLINK:
		return 'l';
	default:
		return 0;
	}
}

/* The entry for pid's fd: the table's (checked against /proc for a
 * socket; also: see ft_still_valid), else /proc's while the process
 * lives (not kept: an fd number is reused without an audited close). */
static const struct event_fd *ft_lookup(struct fdtable *ft, pid_t pid, int fd,
					int also, struct event_fd *tmp,
					uint64_t *ino, char *name,
					size_t namelen)
{
	struct ft_ent *e = ft_get(ft, pid, fd);

	*ino = 0;
	if (e && ft_still_valid(ft, pid, e, also)) {
		*ino = e->sock_ino;
		return &e->info;
	}
	if (e)
		ft_del(ft, pid, fd);
	if (ft_from_proc(ft, pid, fd, tmp, ino, name, namelen))
		return tmp;
	return NULL;
}

void fdtable_enrich(struct fdtable *ft, struct event *ev)
{
	static const char *const returns_fd[] = {
		"socket", "accept", "accept4", "open", "openat", "openat2",
		"creat", "memfd_create", NULL
	};
	static const char *const dups[] = { "dup", "dup2", "dup3", NULL };
	static const char *const names_fd[] = {
		"connect", "bind", "listen", "sendto", "sendmsg", "sendmmsg",
		"recvfrom", "recvmsg", "recvmmsg", "read", "write", "pread64",
		"pwrite64", "readv", "writev", "close", "shutdown", "fchmod",
		"fchown", "fchdir", "ftruncate", "fsync", "fdatasync", "flock",
		"fcntl", "ioctl", "setns", "finit_module", "sendfile",
		"getsockname", "getpeername", "setsockopt", "getsockopt",
		"fstat", "newfstatat", "fstatfs", "mmap", NULL
	};
	const char *sc = ev->syscall_name;
	bool ok = ev->success == 1;
	struct event_fd info, tmp;
	const struct event_fd *cur = NULL;
	char name[PATH_MAX];
	uint64_t ino = 0;
	int fd, a0 = (int)(int32_t)ev->args[0];
	pid_t pid = ev->pid;

	if (!ft || ev->kind != EVENT_KIND_SYSCALL || !sc || pid <= 0)
		return;
	memset(&info, 0, sizeof(info));
	name[0] = '\0';

	if (sc_in(sc, returns_fd)) {
		if (!ok || !ev->has_exit || ev->exit < 0 || ev->exit > INT32_MAX)
			return;
		fd = (int)ev->exit;
		info.num = fd;
		if (strcmp(sc, "socket") == 0) {
			info.typechar = ft_family_char((int)ev->args[0]);
			info.l4proto = ft_l4((int)ev->args[0], ev->args[1],
					     ev->args[2]);
		} else if (strncmp(sc, "accept", 6) == 0) {
			const struct event_fd *l =
				ft_lookup(ft, pid, a0, -1, &tmp, &ino, name,
					  sizeof(name));

			if (l) {
				info = *l;
				info.name = NULL;
			}
			info.num = fd;
			info.is_server = true;
			info.connected = true;
			if (!info.typechar)
				info.typechar = ft_sa_type(ev);
			if (ft_sa(ev, info.rip, &info.rport))
				info.has_remote = true;
			if (ev->sockaddr.family == EVENT_SOCK_UNIX &&
			    ev->sockaddr.path)
				info.name = ev->sockaddr.path;
			ino = 0;
			/* the kernel's own view of the new socket's local
			 * end (a listener bound to port 0 or INADDR_ANY) */
			if (ft_from_proc(ft, pid, fd, &tmp, &ino, name,
					 sizeof(name)) &&
			    tmp.has_local) {
				memcpy(info.lip, tmp.lip, sizeof(info.lip));
				info.lport = tmp.lport;
				info.has_local = true;
				if (!info.l4proto)
					info.l4proto = tmp.l4proto;
			}
		} else if (strcmp(sc, "memfd_create") == 0) {
			/* its name is in no record: /proc says
			 * "/memfd:NAME (deleted)" while the process lives */
			if (ft_from_proc(ft, pid, fd, &tmp, &ino, name,
					 sizeof(name)))
				info = tmp;
			info.typechar = 'f';
		} else {
			const struct event_path *p = event_primary_path(ev);

			info.typechar = p && p->has_mode && S_ISDIR(p->mode)
						? 'd'
						: 'f';
			if (p)
				info.name = p->resolved ? p->resolved
					    : p->name	? p->name
							: p->raw_name;
		}
		{
			struct ft_ent *ne = ft_set(ft, pid, fd, &info, 0);

			if (ne) {
				cur = &ne->info;
			} else {
				ft->cur = info;
				ft->cur.name = NULL;
				cur = &ft->cur;
			}
		}
	} else if (sc_in(sc, dups)) {
		/* after the dup both numbers hold the object */
		int nfd = ok && ev->has_exit && ev->exit >= 0 &&
				  ev->exit <= INT32_MAX
			  ? (int)ev->exit
			  : -1;
		const struct event_fd *src = ft_lookup(
			ft, pid, a0, nfd, &tmp, &ino, name, sizeof(name));

		if (!src && nfd >= 0)
			src = ft_lookup(ft, pid, nfd, -1, &tmp, &ino, name,
					sizeof(name));
		if (!src)
			return;
		ft->cur = *src;
		if (src->name) {
			(void)snprintf(ft->cur_name, sizeof(ft->cur_name), "%s",
				       src->name);
			ft->cur.name = ft->cur_name;
		}
		if (ok && ev->has_exit && ev->exit >= 0 &&
		    ev->exit <= INT32_MAX && ev->exit != a0)
			(void)ft_set(ft, pid, (int)ev->exit, &ft->cur, ino);
		/* Falco's fd of a dup is the old one */
		ft->cur.num = a0;
		cur = &ft->cur;
	} else if (sc_in(sc, names_fd)) {
		const struct event_fd *known;

		if (a0 < 0)
			return;
		known = ft_lookup(ft, pid, a0, -1, &tmp, &ino, name,
				  sizeof(name));
		if (known && ft_socket_call(sc) && !ft_is_socket(known)) {
			/* closed and reused unseen (offline: no /proc to
			 * check): a socket call says it is a socket now */
			ft->stats.stale++;
			ft_del(ft, pid, a0);
			known = NULL;
			ino = 0;
		}
		if (known)
			info = *known;
		info.num = a0;
		if (!known && ft_sa_type(ev))
			info.typechar = ft_sa_type(ev);
		if (strcmp(sc, "connect") == 0 &&
		    (ok || ev->exit == -FT_EINPROGRESS)) {
			/* Falco: a refused connect gives the fd no tuple */
			if (ft_sa(ev, info.rip, &info.rport))
				info.has_remote = true;
			if (ev->sockaddr.family == EVENT_SOCK_UNIX &&
			    ev->sockaddr.path)
				info.name = ev->sockaddr.path;
			info.connected = true;
			info.is_server = false;
			if (!info.has_local &&
			    ft_from_proc(ft, pid, a0, &tmp, &ino, name,
					 sizeof(name)) &&
			    tmp.has_local) {
				memcpy(info.lip, tmp.lip, sizeof(info.lip));
				info.lport = tmp.lport;
				info.has_local = true;
				if (!info.l4proto)
					info.l4proto = tmp.l4proto;
			}
		} else if (strcmp(sc, "bind") == 0 && ok) {
			if (ft_sa(ev, info.lip, &info.lport))
				info.has_local = true;
			/* port 0: the kernel chose one */
			if (info.has_local && info.lport == 0 &&
			    ft_from_proc(ft, pid, a0, &tmp, &ino, name,
					 sizeof(name)) &&
			    tmp.has_local)
				info.lport = tmp.lport;
			if (ev->sockaddr.family == EVENT_SOCK_UNIX &&
			    ev->sockaddr.path)
				info.name = ev->sockaddr.path;
			info.is_server = true;
		} else if (strcmp(sc, "listen") == 0 && ok) {
			info.is_server = true;
		} else if (strncmp(sc, "send", 4) == 0) {
			char ip[46];
			uint16_t port;

			if (ft_sa(ev, ip, &port)) {
				info.name_changed =
					info.has_remote &&
					(port != info.rport ||
					 strcmp(ip, info.rip) != 0);
				memcpy(info.rip, ip, sizeof(ip));
				info.rport = port;
				info.has_remote = true;
				if (info.l4proto == IPPROTO_UDP)
					info.connected = true;
			}
		}
		if (!known && !info.typechar)
			return;
		/* a copy: the entry info may come from is replaced below */
		ft->cur = info;
		if (info.name) {
			(void)snprintf(ft->cur_name, sizeof(ft->cur_name),
				       "%s", info.name);
			ft->cur.name = ft->cur_name;
		}
		cur = &ft->cur;
		if (strcmp(sc, "close") == 0 && ok) {
			ft_del(ft, pid, a0);
		} else if (strcmp(sc, "connect") == 0 ||
			   strcmp(sc, "bind") == 0 ||
			   strcmp(sc, "listen") == 0 ||
			   (strncmp(sc, "send", 4) == 0 && info.has_remote)) {
			(void)ft_set(ft, pid, a0, &ft->cur, ino);
		}
	} else {
		return;
	}
	ev->fd = cur;
}
