/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The field table: every field a condition or output format may name,
 * with Falco's meaning where Falco has the field, and the code that reads
 * it from a struct event. Extraction is on the hot path: it never
 * allocates and never blocks, except for a uid/gid -> name cache miss
 * (getpwuid_r) and the process table's own /proc reads.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/fields.h"
#include "common/lineage.h"

typedef bool (*field_get_fn)(const struct field_ref *r, const struct event *ev,
			     unsigned int n, struct fval *v, char *buf,
			     size_t len);

/* Field arguments. */
#define FA_INDEX 0x1 /* accepts [N] */
#define FA_NAME 0x2 /* accepts .NAME */
#define FA_MULTI 0x4 /* without [N]: any of several values */
#define FA_NEED 0x8 /* an argument is required */

struct field_def {
	const char *base; /* name without argument */
	struct engine_field_info info;
	enum field_type type;
	unsigned int flags;
	int param; /* for getters shared by several fields */
	field_get_fn get;
};

/* ---- small helpers ---- */

static bool set_str(struct fval *v, const char *s)
{
	if (!s)
		return false;
	v->kind = FVAL_STR;
	v->s = s;
	v->n = 0;
	return true;
}

static bool set_num(struct fval *v, int64_t n)
{
	v->kind = FVAL_NUM;
	v->s = NULL;
	v->n = n;
	return true;
}

static bool set_bool(struct fval *v, bool b)
{
	v->kind = FVAL_BOOL;
	v->s = NULL;
	v->n = b;
	return true;
}

/* snprintf into buf and return it as a string value; false when it does
 * not fit (never happens for the short values rendered this way). */
static bool set_fmt(struct fval *v, char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool set_fmt(struct fval *v, char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return false;
	return set_str(v, buf);
}

/* Bounded appender over the caller's scratch buffer: truncates. */
struct sbuf {
	char *p;
	size_t len, cap; /* cap excludes the NUL */
};

static void sb_init(struct sbuf *b, char *buf, size_t len, size_t limit)
{
	b->p = buf;
	b->len = 0;
	b->cap = (len > limit ? limit : len) - 1;
	b->p[0] = '\0';
}

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (n > b->cap - b->len)
		n = b->cap - b->len;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_adds(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static bool is_syscall(const struct event *ev)
{
	return ev->kind == EVENT_KIND_SYSCALL;
}

static bool sc_is(const struct event *ev, const char *name)
{
	return is_syscall(ev) && ev->syscall_name &&
	       strcmp(ev->syscall_name, name) == 0;
}

/* ---- value tables: errno, signals, ptrace, open flags, sockets ---- */

struct named {
	long v;
	const char *name;
};

/* clang-format off */
#define N(x) { x, #x }
static const struct named errno_names[] = {
	N(EPERM), N(ENOENT), N(ESRCH), N(EINTR), N(EIO), N(ENXIO),
	N(E2BIG), N(ENOEXEC), N(EBADF), N(ECHILD), N(EAGAIN), N(ENOMEM),
	N(EACCES), N(EFAULT), N(ENOTBLK), N(EBUSY), N(EEXIST), N(EXDEV),
	N(ENODEV), N(ENOTDIR), N(EISDIR), N(EINVAL), N(ENFILE), N(EMFILE),
	N(ENOTTY), N(ETXTBSY), N(EFBIG), N(ENOSPC), N(ESPIPE), N(EROFS),
	N(EMLINK), N(EPIPE), N(EDOM), N(ERANGE), N(EDEADLK),
	N(ENAMETOOLONG), N(ENOLCK), N(ENOSYS), N(ENOTEMPTY), N(ELOOP),
	N(ENOMSG), N(EIDRM), N(ENOSTR), N(ENODATA), N(ETIME), N(ENOSR),
	N(EREMOTE), N(ENOLINK), N(EPROTO), N(EBADMSG), N(EOVERFLOW),
	N(EILSEQ), N(EUSERS), N(ENOTSOCK), N(EDESTADDRREQ), N(EMSGSIZE),
	N(EPROTOTYPE), N(ENOPROTOOPT), N(EPROTONOSUPPORT),
	N(ESOCKTNOSUPPORT), N(EOPNOTSUPP), N(EPFNOSUPPORT),
	N(EAFNOSUPPORT), N(EADDRINUSE), N(EADDRNOTAVAIL), N(ENETDOWN),
	N(ENETUNREACH), N(ENETRESET), N(ECONNABORTED), N(ECONNRESET),
	N(ENOBUFS), N(EISCONN), N(ENOTCONN), N(ESHUTDOWN), N(ETOOMANYREFS),
	N(ETIMEDOUT), N(ECONNREFUSED), N(EHOSTDOWN), N(EHOSTUNREACH),
	N(EALREADY), N(EINPROGRESS), N(ESTALE), N(EDQUOT), N(ECANCELED),
	N(EOWNERDEAD), N(ENOTRECOVERABLE), N(ENOKEY), N(EKEYEXPIRED),
	N(EKEYREVOKED), N(EKEYREJECTED), N(ENOMEDIUM), N(EMEDIUMTYPE),
	N(ERFKILL), N(EHWPOISON),
	{ 512, "ERESTARTSYS" }, { 513, "ERESTARTNOINTR" },
	{ 514, "ERESTARTNOHAND" }, { 515, "ENOIOCTLCMD" },
	{ 516, "ERESTART_RESTARTBLOCK" },
};

static const struct named signal_names[] = {
	N(SIGHUP), N(SIGINT), N(SIGQUIT), N(SIGILL), N(SIGTRAP),
	N(SIGABRT), N(SIGBUS), N(SIGFPE), N(SIGKILL), N(SIGUSR1),
	N(SIGSEGV), N(SIGUSR2), N(SIGPIPE), N(SIGALRM), N(SIGTERM),
	N(SIGSTKFLT), N(SIGCHLD), N(SIGCONT), N(SIGSTOP), N(SIGTSTP),
	N(SIGTTIN), N(SIGTTOU), N(SIGURG), N(SIGXCPU), N(SIGXFSZ),
	N(SIGVTALRM), N(SIGPROF), N(SIGWINCH), N(SIGIO), N(SIGPWR),
	N(SIGSYS),
};

static const struct named domain_names[] = {
	N(AF_UNIX), N(AF_INET), N(AF_INET6), N(AF_NETLINK), N(AF_PACKET),
	N(AF_BLUETOOTH), N(AF_VSOCK), N(AF_ALG),
};
#undef N
/* clang-format on */

/* Kernel values (include/uapi/linux/ptrace.h), the same on every arch
 * for the requests rules care about. */
/* clang-format off */
static const struct named ptrace_names[] = {
	{ 0, "PTRACE_TRACEME" }, { 1, "PTRACE_PEEKTEXT" },
	{ 2, "PTRACE_PEEKDATA" }, { 3, "PTRACE_PEEKUSR" },
	{ 4, "PTRACE_POKETEXT" }, { 5, "PTRACE_POKEDATA" },
	{ 6, "PTRACE_POKEUSR" }, { 7, "PTRACE_CONT" },
	{ 8, "PTRACE_KILL" }, { 9, "PTRACE_SINGLESTEP" },
	{ 12, "PTRACE_GETREGS" }, { 13, "PTRACE_SETREGS" },
	{ 14, "PTRACE_GETFPREGS" }, { 15, "PTRACE_SETFPREGS" },
	{ 16, "PTRACE_ATTACH" }, { 17, "PTRACE_DETACH" },
	{ 18, "PTRACE_GETFPXREGS" }, { 19, "PTRACE_SETFPXREGS" },
	{ 24, "PTRACE_SYSCALL" }, { 30, "PTRACE_ARCH_PRCTL" },
	{ 31, "PTRACE_SYSEMU" }, { 32, "PTRACE_SYSEMU_SINGLESTEP" },
	{ 0x4200, "PTRACE_SETOPTIONS" }, { 0x4201, "PTRACE_GETEVENTMSG" },
	{ 0x4202, "PTRACE_GETSIGINFO" }, { 0x4203, "PTRACE_SETSIGINFO" },
	{ 0x4204, "PTRACE_GETREGSET" }, { 0x4205, "PTRACE_SETREGSET" },
	{ 0x4206, "PTRACE_SEIZE" }, { 0x4207, "PTRACE_INTERRUPT" },
	{ 0x4208, "PTRACE_LISTEN" }, { 0x4209, "PTRACE_PEEKSIGINFO" },
	{ 0x420a, "PTRACE_GETSIGMASK" }, { 0x420b, "PTRACE_SETSIGMASK" },
	{ 0x420c, "PTRACE_SECCOMP_GET_FILTER" },
	{ 0x420d, "PTRACE_SECCOMP_GET_METADATA" },
	{ 0x420e, "PTRACE_GET_SYSCALL_INFO" },
};
/* clang-format on */

static const char *named_lookup(const struct named *t, size_t n, long v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return NULL;
}

#define LOOKUP(t, v) named_lookup(t, sizeof(t) / sizeof(t[0]), v)

/*
 * open(2) flags as Falco renders them: access mode first, then the other
 * flags in this order. Composite flags (O_TMPFILE contains O_DIRECTORY,
 * O_SYNC contains O_DSYNC) come before their parts. The values are this
 * host's: audit reports the raw argument of the audited arch, which is
 * the host's for native processes.
 */
/* clang-format off */
static const struct {
	unsigned long mask;
	const char *name;
} oflag_names[] = {
	{ O_TMPFILE, "O_TMPFILE" },   { O_CREAT, "O_CREAT" },
	{ O_EXCL, "O_EXCL" },	      { O_NOCTTY, "O_NOCTTY" },
	{ O_TRUNC, "O_TRUNC" },	      { O_APPEND, "O_APPEND" },
	{ O_NONBLOCK, "O_NONBLOCK" }, { O_SYNC, "O_SYNC" },
	{ O_DSYNC, "O_DSYNC" },	      { O_DIRECT, "O_DIRECT" },
	{ O_LARGEFILE, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
	{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" },
	{ O_CLOEXEC, "O_CLOEXEC" },   { O_PATH, "O_PATH" },
};
/* clang-format on */

static const char *render_oflags(uint64_t flags, char *buf, size_t len)
{
	struct sbuf b;
	unsigned long rest = (unsigned long)flags;
	size_t i;
	char hex[24];

	sb_init(&b, buf, len, len);
	switch (rest & O_ACCMODE) {
	case O_RDONLY:
		sb_adds(&b, "O_RDONLY");
		break;
	case O_WRONLY:
		sb_adds(&b, "O_WRONLY");
		break;
	case O_RDWR:
		sb_adds(&b, "O_RDWR");
		break;
	default:
		sb_adds(&b, "O_ACCMODE");
		break;
	}
	rest &= ~(unsigned long)O_ACCMODE;
	for (i = 0; i < sizeof(oflag_names) / sizeof(oflag_names[0]); i++) {
		unsigned long m = oflag_names[i].mask;

		if (m && (rest & m) == m) {
			sb_adds(&b, "|");
			sb_adds(&b, oflag_names[i].name);
			rest &= ~m;
		}
	}
	if (rest) {
		(void)snprintf(hex, sizeof(hex), "|0x%lx", rest);
		sb_adds(&b, hex);
	}
	return buf;
}

static const char *render_socktype(uint64_t type, char *buf, size_t len)
{
	static const struct named types[] = {
		{ SOCK_STREAM, "SOCK_STREAM" },
		{ SOCK_DGRAM, "SOCK_DGRAM" },
		{ SOCK_RAW, "SOCK_RAW" },
		{ SOCK_RDM, "SOCK_RDM" },
		{ SOCK_SEQPACKET, "SOCK_SEQPACKET" },
		{ SOCK_PACKET, "SOCK_PACKET" },
	};
	struct sbuf b;
	const char *name = LOOKUP(types, (long)(type & 0xf));
	char num[24];

	sb_init(&b, buf, len, len);
	if (name) {
		sb_adds(&b, name);
	} else {
		(void)snprintf(num, sizeof(num), "%u",
			       (unsigned int)(type & 0xf));
		sb_adds(&b, num);
	}
	if (type & SOCK_NONBLOCK)
		sb_adds(&b, "|SOCK_NONBLOCK");
	if (type & SOCK_CLOEXEC)
		sb_adds(&b, "|SOCK_CLOEXEC");
	return buf;
}

/* ---- syscall arguments (evt.arg.NAME, evt.rawarg.NAME) ---- */

enum arg_src {
	S_A0,
	S_A1,
	S_A2,
	S_A3,
	S_EXIT,
	S_PATH, /* primary PATH item */
	S_OLDPATH, /* the DELETE item of a rename */
	S_NEWPATH, /* the CREATE item of a rename/link */
	S_SOCKADDR,
	S_CONST,
};

enum arg_fmt {
	F_INT, /* signed 32-bit: pids, fds, AT_FDCWD */
	F_UINT, /* unsigned 32-bit: ids */
	F_HEX,
	F_OFLAGS,
	F_MODE,
	F_SIG,
	F_PTRACE,
	F_DOMAIN,
	F_SOCKTYPE,
	F_STR, /* path, sockaddr */
};

struct sc_arg {
	const char *name;
	unsigned char src, fmt;
	unsigned long k; /* S_CONST value */
};

#define SC_MAXARGS 6
struct sc_desc {
	const char *name;
	struct sc_arg args[SC_MAXARGS];
};

/* clang-format off */
#define FD_RES { "fd", S_EXIT, F_INT, 0 }
#define FD_A0 { "fd", S_A0, F_INT, 0 }
#define DIRFD { "dirfd", S_A0, F_INT, 0 }
#define PATH(n) { n, S_PATH, F_STR, 0 }
#define ADDR { "addr", S_SOCKADDR, F_STR, 0 }

/* Falco's argument names for the syscalls rules test; sorted by name
 * (binary search). Every syscall also has a0..a3 and res. */
static const struct sc_desc sc_table[] = {
	{ "accept", { FD_RES, ADDR } },
	{ "accept4", { FD_RES, ADDR, { "flags", S_A3, F_HEX, 0 } } },
	{ "bind", { FD_A0, ADDR } },
	{ "chmod", { PATH("filename"), { "mode", S_A1, F_MODE, 0 } } },
	{ "chown",
	  { PATH("path"), { "uid", S_A1, F_UINT, 0 },
	    { "gid", S_A2, F_UINT, 0 } } },
	{ "clone", { { "flags", S_A0, F_HEX, 0 } } },
	{ "close", { FD_A0 } },
	{ "connect", { FD_A0, ADDR } },
	{ "creat",
	  { FD_RES, PATH("name"),
	    { "flags", S_CONST, F_OFLAGS, O_CREAT | O_WRONLY | O_TRUNC },
	    { "mode", S_A1, F_MODE, 0 } } },
	{ "dup", { FD_A0 } },
	{ "dup2", { FD_A0, { "newfd", S_A1, F_INT, 0 } } },
	{ "dup3", { FD_A0, { "newfd", S_A1, F_INT, 0 } } },
	{ "execve", { PATH("filename") } },
	{ "execveat", { DIRFD, PATH("pathname") } },
	{ "fchmod", { FD_A0, { "mode", S_A1, F_MODE, 0 } } },
	{ "fchmodat",
	  { DIRFD, PATH("filename"), { "mode", S_A2, F_MODE, 0 } } },
	{ "fchown",
	  { FD_A0, { "uid", S_A1, F_UINT, 0 }, { "gid", S_A2, F_UINT, 0 } } },
	{ "fchownat",
	  { DIRFD, PATH("pathname"), { "uid", S_A2, F_UINT, 0 },
	    { "gid", S_A3, F_UINT, 0 } } },
	{ "finit_module", { FD_A0 } },
	{ "ftruncate", { FD_A0 } },
	{ "kill", { { "pid", S_A0, F_INT, 0 }, { "sig", S_A1, F_SIG, 0 } } },
	{ "lchown",
	  { PATH("path"), { "uid", S_A1, F_UINT, 0 },
	    { "gid", S_A2, F_UINT, 0 } } },
	{ "link", { { "newpath", S_NEWPATH, F_STR, 0 } } },
	{ "linkat", { { "newpath", S_NEWPATH, F_STR, 0 } } },
	{ "listen", { FD_A0, { "backlog", S_A1, F_INT, 0 } } },
	{ "mkdir", { PATH("path"), { "mode", S_A1, F_MODE, 0 } } },
	{ "mkdirat", { DIRFD, PATH("path"), { "mode", S_A2, F_MODE, 0 } } },
	{ "mknod", { PATH("path"), { "mode", S_A1, F_MODE, 0 } } },
	{ "open",
	  { FD_RES, PATH("name"), { "flags", S_A1, F_OFLAGS, 0 },
	    { "mode", S_A2, F_MODE, 0 } } },
	{ "openat",
	  { FD_RES, DIRFD, PATH("name"), { "flags", S_A2, F_OFLAGS, 0 },
	    { "mode", S_A3, F_MODE, 0 } } },
	{ "openat2", { FD_RES, DIRFD, PATH("name") } },
	{ "ptrace",
	  { { "request", S_A0, F_PTRACE, 0 }, { "pid", S_A1, F_INT, 0 } } },
	{ "read", { FD_A0 } },
	{ "recvfrom", { FD_A0, ADDR } },
	{ "recvmsg", { FD_A0, ADDR } },
	{ "rename",
	  { { "oldpath", S_OLDPATH, F_STR, 0 },
	    { "newpath", S_NEWPATH, F_STR, 0 } } },
	{ "renameat",
	  { { "olddirfd", S_A0, F_INT, 0 },
	    { "oldpath", S_OLDPATH, F_STR, 0 },
	    { "newdirfd", S_A2, F_INT, 0 },
	    { "newpath", S_NEWPATH, F_STR, 0 } } },
	{ "renameat2",
	  { { "olddirfd", S_A0, F_INT, 0 },
	    { "oldpath", S_OLDPATH, F_STR, 0 },
	    { "newdirfd", S_A2, F_INT, 0 },
	    { "newpath", S_NEWPATH, F_STR, 0 } } },
	{ "rmdir", { PATH("path") } },
	{ "sendmsg", { FD_A0, ADDR } },
	{ "sendto", { FD_A0, ADDR } },
	{ "setgid", { { "gid", S_A0, F_UINT, 0 } } },
	{ "setns",
	  { FD_A0, { "nstype", S_A1, F_HEX, 0 } } },
	{ "setregid",
	  { { "rgid", S_A0, F_UINT, 0 }, { "egid", S_A1, F_UINT, 0 } } },
	{ "setresgid",
	  { { "rgid", S_A0, F_UINT, 0 }, { "egid", S_A1, F_UINT, 0 },
	    { "sgid", S_A2, F_UINT, 0 } } },
	{ "setresuid",
	  { { "ruid", S_A0, F_UINT, 0 }, { "euid", S_A1, F_UINT, 0 },
	    { "suid", S_A2, F_UINT, 0 } } },
	{ "setreuid",
	  { { "ruid", S_A0, F_UINT, 0 }, { "euid", S_A1, F_UINT, 0 } } },
	{ "setuid", { { "uid", S_A0, F_UINT, 0 } } },
	{ "socket",
	  { FD_RES, { "domain", S_A0, F_DOMAIN, 0 },
	    { "type", S_A1, F_SOCKTYPE, 0 }, { "proto", S_A2, F_UINT, 0 } } },
	{ "symlink", { { "linkpath", S_NEWPATH, F_STR, 0 } } },
	{ "symlinkat", { { "linkpath", S_NEWPATH, F_STR, 0 } } },
	{ "tgkill",
	  { { "pid", S_A0, F_INT, 0 }, { "tid", S_A1, F_INT, 0 },
	    { "sig", S_A2, F_SIG, 0 } } },
	{ "tkill", { { "tid", S_A0, F_INT, 0 }, { "sig", S_A1, F_SIG, 0 } } },
	{ "truncate", { PATH("path") } },
	{ "unlink", { PATH("path") } },
	{ "unlinkat",
	  { DIRFD, PATH("name"), { "flags", S_A2, F_HEX, 0 } } },
	{ "unshare", { { "flags", S_A0, F_HEX, 0 } } },
	{ "write", { FD_A0 } },
};
/* clang-format on */

static int sc_desc_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sc_desc *)elem)->name);
}

static const struct sc_desc *sc_lookup(const struct event *ev)
{
	if (!is_syscall(ev) || !ev->syscall_name)
		return NULL;
	return bsearch(ev->syscall_name, sc_table,
		       sizeof(sc_table) / sizeof(sc_table[0]),
		       sizeof(sc_table[0]), sc_desc_cmp);
}

static const struct sc_arg *sc_arg_find(const struct sc_desc *d,
					const char *name)
{
	size_t i;

	for (i = 0; d && i < SC_MAXARGS && d->args[i].name; i++)
		if (strcmp(d->args[i].name, name) == 0)
			return &d->args[i];
	return NULL;
}

static const char *path_name(const struct event_path *p)
{
	if (!p)
		return NULL;
	return p->name ? p->name : p->raw_name;
}

static const char *path_by_nametype(const struct event *ev, const char *nt)
{
	size_t i;

	for (i = 0; i < ev->npaths; i++)
		if (ev->paths[i].nametype &&
		    strcmp(ev->paths[i].nametype, nt) == 0)
			return path_name(&ev->paths[i]);
	return NULL;
}

static const char *file_path(const struct event *ev)
{
	return path_name(event_primary_path(ev));
}

/* Falco's fd.name for a file: the object reached, through symlinks. */
static const char *fd_file_path(const struct event *ev)
{
	const struct event_path *p = event_primary_path(ev);

	return p && p->resolved ? p->resolved : path_name(p);
}

static bool sockaddr_text(const struct event *ev, struct fval *v, char *buf,
			  size_t len)
{
	const struct event_sockaddr *sa = &ev->sockaddr;

	switch (sa->family) {
	case EVENT_SOCK_INET:
	case EVENT_SOCK_INET6:
		return set_fmt(v, buf, len, "%s:%u", sa->addr,
			       (unsigned int)sa->port);
	case EVENT_SOCK_UNIX:
		return set_str(v, sa->path);
	default:
		return false;
	}
}

static bool arg_value(const struct event *ev, const struct sc_arg *a, bool raw,
		      struct fval *v, char *buf, size_t len)
{
	uint64_t x;
	const char *name;

	switch (a->src) {
	case S_A0:
	case S_A1:
	case S_A2:
	case S_A3:
		x = ev->args[a->src - S_A0];
		break;
	case S_EXIT:
		if (!ev->has_exit)
			return false;
		if (raw)
			return set_num(v, ev->exit);
		return set_fmt(v, buf, len, "%" PRId64, ev->exit);
	case S_PATH:
		return set_str(v, file_path(ev));
	case S_OLDPATH:
		return set_str(v, path_by_nametype(ev, "DELETE"));
	case S_NEWPATH:
		return set_str(v, path_by_nametype(ev, "CREATE"));
	case S_SOCKADDR:
		return sockaddr_text(ev, v, buf, len);
	case S_CONST:
		x = a->k;
		break;
	default:
		return false;
	}
	if (raw) {
		if (a->fmt == F_INT)
			return set_num(v, (int32_t)(uint32_t)x);
		if (a->fmt == F_UINT || a->fmt == F_SIG || a->fmt == F_MODE)
			return set_num(v, (uint32_t)x);
		return set_num(v, (int64_t)x);
	}
	switch (a->fmt) {
	case F_INT:
		return set_fmt(v, buf, len, "%" PRId32, (int32_t)(uint32_t)x);
	case F_UINT:
		return set_fmt(v, buf, len, "%" PRIu32, (uint32_t)x);
	case F_OFLAGS:
		return set_str(v, render_oflags(x, buf, len));
	case F_MODE:
		return set_fmt(v, buf, len, "%#o", (unsigned int)(x & 07777));
	case F_SIG:
		name = LOOKUP(signal_names, (long)(uint32_t)x);
		break;
	case F_PTRACE:
		name = LOOKUP(ptrace_names, (long)x);
		break;
	case F_DOMAIN:
		name = LOOKUP(domain_names, (long)(uint32_t)x);
		break;
	case F_SOCKTYPE:
		return set_str(v, render_socktype(x, buf, len));
	default:
		return set_fmt(v, buf, len, "0x%" PRIx64, x);
	}
	if (name)
		return set_str(v, name);
	return set_fmt(v, buf, len, "%" PRIu64, x);
}

/* Generic arguments every syscall event has: a0..a3 (hex) and res. */
static bool generic_arg(const struct event *ev, const char *name, bool raw,
			struct fval *v, char *buf, size_t len)
{
	struct sc_arg a = { name, S_A0, F_HEX, 0 };

	if (strcmp(name, "res") == 0) {
		a.src = S_EXIT;
	} else if (name[0] == 'a' && name[1] >= '0' && name[1] <= '3' &&
		   !name[2]) {
		a.src = (unsigned char)(S_A0 + (name[1] - '0'));
	} else {
		return false;
	}
	return arg_value(ev, &a, raw, v, buf, len);
}

static bool g_arg(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	bool raw = r->def->param;
	const struct sc_desc *d;
	const struct sc_arg *a;

	if (!is_syscall(ev)) {
		const struct event_field *f = NULL;

		if (r->arg)
			f = event_field_get(ev, r->arg);
		else if (r->idx >= 0 && (size_t)r->idx < ev->nfields)
			f = &ev->fields[r->idx];
		if (!f)
			return false;
		return set_str(v, raw ? f->raw_value : f->value);
	}
	d = sc_lookup(ev);
	if (r->arg) {
		const struct event_field *f;

		a = sc_arg_find(d, r->arg);
		if (a)
			return arg_value(ev, a, raw, v, buf, len);
		if (generic_arg(ev, r->arg, raw, v, buf, len))
			return true;
		/* A record grouped with the SYSCALL (CONFIG_CHANGE, AVC,
		 * LOGIN...) brings its fields: evt.arg.op, evt.arg.key. */
		f = event_field_get(ev, r->arg);
		return f && set_str(v, raw ? f->raw_value : f->value);
	}
	if (d) {
		size_t i;

		for (i = 0; i < SC_MAXARGS && d->args[i].name; i++)
			if ((long)i == r->idx)
				return arg_value(ev, &d->args[i], raw, v, buf,
						 len);
		return false;
	}
	if (r->idx >= 0 && r->idx < 4) {
		struct sc_arg g = { "", (unsigned char)(S_A0 + r->idx), F_HEX,
				    0 };

		return arg_value(ev, &g, raw, v, buf, len);
	}
	return false;
}

/* evt.args: "name=value ..." for every argument (Falco's shape). */
static bool g_args(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct sbuf b;
	size_t i;
	char tmp[FIELD_SCRATCH];
	struct fval av;

	sb_init(&b, buf, len, len);
	if (!is_syscall(ev)) {
		for (i = 0; i < ev->nfields; i++) {
			if (i)
				sb_adds(&b, " ");
			sb_adds(&b, ev->fields[i].name);
			sb_adds(&b, "=");
			sb_adds(&b,
				ev->fields[i].value ? ev->fields[i].value : "");
		}
		return set_str(v, buf);
	}
	{
		const struct sc_desc *d = sc_lookup(ev);
		static const struct sc_desc generic = {
			"",
			{ { "a0", S_A0, F_HEX, 0 },
			  { "a1", S_A1, F_HEX, 0 },
			  { "a2", S_A2, F_HEX, 0 },
			  { "a3", S_A3, F_HEX, 0 },
			  { "res", S_EXIT, F_INT, 0 } }
		};

		if (!d)
			d = &generic;
		for (i = 0; i < SC_MAXARGS && d->args[i].name; i++) {
			if (!arg_value(ev, &d->args[i], false, &av, tmp,
				       sizeof(tmp)))
				continue;
			if (b.len)
				sb_adds(&b, " ");
			sb_adds(&b, d->args[i].name);
			sb_adds(&b, "=");
			sb_adds(&b, av.s);
		}
	}
	return set_str(v, buf);
}

/* ---- evt.* ---- */

static bool g_evt_type(const struct field_ref *r, const struct event *ev,
		       unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, is_syscall(ev) ? ev->syscall_name : ev->type_name);
}

static bool g_serial(const struct field_ref *r, const struct event *ev,
		     unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_num(v, (int64_t)ev->serial);
}

/* evt.time (param 0), evt.datetime (1), evt.time.iso8601 (2): UTC. */
static bool g_time(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	time_t t = (time_t)(ev->time_ns / 1000000000u);
	unsigned int ns = (unsigned int)(ev->time_ns % 1000000000u);
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return false;
	switch (r->def->param) {
	case 0:
		return set_fmt(v, buf, len, "%02d:%02d:%02d.%09u", tm.tm_hour,
			       tm.tm_min, tm.tm_sec, ns);
	case 1:
		return set_fmt(v, buf, len,
			       "%04d-%02d-%02d %02d:%02d:%02d.%09u",
			       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			       tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
	default:
		return set_fmt(v, buf, len,
			       "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ",
			       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			       tm.tm_hour, tm.tm_min, tm.tm_sec, ns);
	}
}

static bool g_rawtime(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_num(v, (int64_t)ev->time_ns);
}

static bool g_res(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	const char *name;

	if (ev->success == 1)
		return set_str(v, "SUCCESS");
	if (ev->success != 0)
		return false;
	if (!ev->has_exit)
		return set_str(v, "FAILURE");
	if (ev->exit < 0 && ev->exit > -100000) {
		name = LOOKUP(errno_names, (long)-ev->exit);
		if (name)
			return set_str(v, name);
	}
	return set_fmt(v, buf, len, "%" PRId64, ev->exit);
}

static bool g_exit(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	return ev->has_exit && set_num(v, ev->exit);
}

/* evt.failed (param 1) and audit.success (param 0). */
static bool g_failed(const struct field_ref *r, const struct event *ev,
		     unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (ev->success != 0 && ev->success != 1)
		return false;
	return set_bool(v, r->def->param ? ev->success == 0 : ev->success == 1);
}

static bool g_dir(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	/* Audit reports a syscall when it returns: Falco's exit event. */
	return set_str(v, "<");
}

/* The flags of an open-like syscall; false when unknown (openat2 keeps
 * them in a struct the kernel does not log). */
static bool open_flags(const struct event *ev, uint64_t *flags, uint64_t *mode)
{
	if (sc_is(ev, "open")) {
		*flags = ev->args[1];
		*mode = ev->args[2];
	} else if (sc_is(ev, "openat")) {
		*flags = ev->args[2];
		*mode = ev->args[3];
	} else if (sc_is(ev, "creat")) {
		*flags = O_CREAT | O_WRONLY | O_TRUNC;
		*mode = ev->args[1];
	} else {
		return false;
	}
	return true;
}

/* evt.is_open_read (0), _write (1), _exec (2). */
static bool g_is_open(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	uint64_t flags, mode;
	unsigned int acc;

	if (!open_flags(ev, &flags, &mode))
		return set_bool(v, false);
	acc = (unsigned int)(flags & O_ACCMODE);
	switch (r->def->param) {
	case 0:
		return set_bool(v, acc == O_RDONLY || acc == O_RDWR);
	case 1:
		return set_bool(v, acc == O_WRONLY || acc == O_RDWR);
	default:
		return set_bool(v,
				(flags & O_CREAT) &&
					(mode & (S_IXUSR | S_IXGRP | S_IXOTH)));
	}
}

/* ---- proc.* ---- */

static bool lineage(const struct event *ev, unsigned int k,
		    struct proc_view *pv)
{
	const struct event_lineage *l = ev->lineage;

	if (!l || ev->pid <= 0)
		return false;
	if (l->ancestor(l->ctx, ev->pid, k, pv) == 0)
		return true;
	/* The process itself may be unknown while its parent is not. */
	return k >= 1 && ev->ppid > 0 &&
	       l->ancestor(l->ctx, ev->ppid, k - 1, pv) == 0;
}

static bool g_pid(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	return ev->pid > 0 && set_num(v, ev->pid);
}

static bool g_ppid(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (!is_syscall(ev) && ev->ppid <= 0)
		return false;
	return set_num(v, ev->ppid);
}

static bool g_vpid(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	pid_t p = r->def->param ? ev->sid : ev->vpid;

	return p > 0 && set_num(v, p);
}

static bool g_comm(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, ev->comm);
}

static bool g_exepath(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, ev->exe);
}

static bool g_cwd(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, ev->cwd);
}

static bool g_exe(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct proc_view pv;

	if (ev->argc > 0)
		return set_str(v, ev->argv[0]);
	return lineage(ev, 0, &pv) && set_str(v, pv.argv0);
}

/* Arguments after argv[0], space-joined, bounded by HARRIER_MAX_CMDLINE. */
static void join_args(const struct event *ev, struct sbuf *b)
{
	size_t i;

	for (i = 1; i < ev->argc; i++) {
		if (i > 1)
			sb_adds(b, " ");
		sb_adds(b, ev->argv[i] ? ev->argv[i] : "");
	}
}

static bool g_args_proc(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct proc_view pv;
	struct sbuf b;

	if (ev->argc == 0)
		return lineage(ev, 0, &pv) && set_str(v, pv.args);
	sb_init(&b, buf, len, HARRIER_MAX_CMDLINE + 1);
	join_args(ev, &b);
	return set_str(v, buf);
}

/* Falco's proc.cmdline: proc.name, then the arguments after argv[0]. */
static bool g_cmdline(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct proc_view pv;
	struct sbuf b;

	if (ev->argc == 0 || !ev->comm)
		return lineage(ev, 0, &pv) && set_str(v, pv.cmdline);
	sb_init(&b, buf, len, HARRIER_MAX_CMDLINE + 1);
	sb_adds(&b, ev->comm);
	if (ev->argc > 1) {
		sb_adds(&b, " ");
		join_args(ev, &b);
	}
	return set_str(v, buf);
}

const char *field_cmdline(const struct event *ev, char *buf, size_t len)
{
	struct fval v;

	if (len < 2 || !g_cmdline(NULL, ev, 0, &v, buf, len))
		return NULL;
	return v.s;
}

static bool g_tty(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (ev->tty)
		return set_str(v, ev->tty);
	/* Falco's proc.tty is 0 without a terminal; rules test "!= 0". */
	if (is_syscall(ev) || event_field_get(ev, "tty"))
		return set_str(v, "0");
	return false;
}

/* Which ancestor a lineage field means: [N] when given; without [N] the
 * n-th value of an any-of field is ancestor n + 1; the p* fields are 1. */
static bool ancestor_index(const struct field_ref *r, unsigned int n,
			   unsigned int *k)
{
	if (r->idx >= 0) {
		if (n > 0)
			return false;
		*k = (unsigned int)r->idx;
		return true;
	}
	if (r->multi) {
		if (n >= HARRIER_MAX_ANCESTORS)
			return false;
		*k = n + 1;
		return true;
	}
	if (n > 0)
		return false;
	*k = 1;
	return true;
}

enum anc_what { ANC_NAME, ANC_PID, ANC_EXE, ANC_EXEPATH, ANC_CMDLINE };

static bool g_ancestor(const struct field_ref *r, const struct event *ev,
		       unsigned int n, struct fval *v, char *buf, size_t len)
{
	struct proc_view pv;
	unsigned int k;

	if (!ancestor_index(r, n, &k))
		return false;
	if (k == 0) {
		/* [0] is the process itself: the event knows it best. */
		switch (r->def->param) {
		case ANC_NAME:
			return g_comm(r, ev, 0, v, buf, len);
		case ANC_PID:
			return g_pid(r, ev, 0, v, buf, len);
		case ANC_EXE:
			return g_exe(r, ev, 0, v, buf, len);
		case ANC_EXEPATH:
			return g_exepath(r, ev, 0, v, buf, len);
		default:
			return g_cmdline(r, ev, 0, v, buf, len);
		}
	}
	if (!lineage(ev, k, &pv))
		return false;
	switch (r->def->param) {
	case ANC_NAME:
		return set_str(v, pv.comm);
	case ANC_PID:
		return pv.pid > 0 && set_num(v, pv.pid);
	case ANC_EXE:
		return set_str(v, pv.argv0);
	case ANC_EXEPATH:
		return set_str(v, pv.exe);
	default:
		return set_str(v, pv.cmdline);
	}
}

/* ---- user.*, group.* ---- */

/* uid/gid -> name, direct-mapped: a colliding id replaces the entry.
 * Negative answers are cached too; names are not refreshed (a renamed
 * user keeps its old name until evicted). */
struct name_ent {
	bool used, found;
	uint32_t id;
	char name[64];
};

static struct name_ent user_cache[HARRIER_USER_CACHE_MAX];
static struct name_ent group_cache[HARRIER_USER_CACHE_MAX];
static pthread_mutex_t name_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool resolve_name(bool group, uint32_t id, char *out, size_t outlen)
{
	char pwbuf[16384];
	const char *name = NULL;
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;

	if (group) {
		if (getgrgid_r(id, &gr, pwbuf, sizeof(pwbuf), &grp) == 0 && grp)
			name = grp->gr_name;
	} else {
		if (getpwuid_r(id, &pw, pwbuf, sizeof(pwbuf), &pwp) == 0 && pwp)
			name = pwp->pw_name;
	}
	if (!name || strlen(name) >= outlen)
		return false;
	memcpy(out, name, strlen(name) + 1);
	return true;
}

static bool id_name(bool group, uint32_t id, struct fval *v, char *buf,
		    size_t len)
{
	struct name_ent *cache = group ? group_cache : user_cache;
	struct name_ent *e =
		&cache[(id * 2654435761u) % HARRIER_USER_CACHE_MAX];
	struct name_ent fresh;
	bool found;

	(void)pthread_mutex_lock(&name_cache_lock);
	if (e->used && e->id == id) {
		found = e->found && strlen(e->name) < len;
		if (found)
			memcpy(buf, e->name, strlen(e->name) + 1);
		(void)pthread_mutex_unlock(&name_cache_lock);
		return found && set_str(v, buf);
	}
	(void)pthread_mutex_unlock(&name_cache_lock);

	/* Resolve without the lock: NSS may be slow. */
	memset(&fresh, 0, sizeof(fresh));
	fresh.used = true;
	fresh.id = id;
	fresh.found = resolve_name(group, id, fresh.name, sizeof(fresh.name));
	(void)pthread_mutex_lock(&name_cache_lock);
	*e = fresh;
	(void)pthread_mutex_unlock(&name_cache_lock);
	if (!fresh.found || strlen(fresh.name) >= len)
		return false;
	memcpy(buf, fresh.name, strlen(fresh.name) + 1);
	return set_str(v, buf);
}

static bool has_ids(const struct event *ev)
{
	return is_syscall(ev) || event_field_get(ev, "uid") ||
	       event_field_get(ev, "euid");
}

/* param: 0 euid (Falco's user.uid), 1 uid, 2 egid, 3 gid. */
static bool g_uid(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	static const size_t off[] = { offsetof(struct event, euid),
				      offsetof(struct event, uid),
				      offsetof(struct event, egid),
				      offsetof(struct event, gid) };
	uint32_t id;

	if (!has_ids(ev))
		return false;
	memcpy(&id, (const char *)ev + off[r->def->param], sizeof(id));
	return set_num(v, id);
}

static bool g_user_name(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (!has_ids(ev))
		return false;
	if (r->def->param)
		return id_name(true, ev->egid, v, buf, len);
	return id_name(false, ev->euid, v, buf, len);
}

/* user.loginuid: -1 when unset, as Falco. */
static bool g_loginuid(const struct field_ref *r, const struct event *ev,
		       unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (ev->auid == EVENT_ID_UNSET)
		return set_num(v, -1);
	return set_num(v, ev->auid);
}

static bool g_loginname(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	return ev->auid != EVENT_ID_UNSET &&
	       id_name(false, ev->auid, v, buf, len);
}

/* ---- audit.* ---- */

static bool g_key(const struct field_ref *r, const struct event *ev,
		  unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, ev->key);
}

static bool g_type_name(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, ev->type_name);
}

/* audit.auid (0), audit.ses (1): unset when the kernel said -1. */
static bool g_auid(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	uint32_t x = r->def->param ? ev->ses : ev->auid;

	return x != EVENT_ID_UNSET && set_num(v, x);
}

static bool g_arch(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	return is_syscall(ev) && set_str(v, ev->arch_name);
}

static bool g_syscall_nr(const struct field_ref *r, const struct event *ev,
			 unsigned int n, struct fval *v, char *buf, size_t len)
{
	return is_syscall(ev) && ev->syscall >= 0 && set_num(v, ev->syscall);
}

static bool g_subj(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *v, char *buf, size_t len)
{
	return set_str(v, r->def->param ? ev->node : ev->subj);
}

/* ---- fd.* ---- */

static bool is_sock(const struct event *ev)
{
	return ev->sockaddr.family == EVENT_SOCK_INET ||
	       ev->sockaddr.family == EVENT_SOCK_INET6 ||
	       ev->sockaddr.family == EVENT_SOCK_UNIX;
}

static bool g_fd_num(const struct field_ref *r, const struct event *ev,
		     unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct sc_arg *a = sc_arg_find(sc_lookup(ev), "fd");

	return a && arg_value(ev, a, true, v, buf, len);
}

static bool g_fd_name(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (is_sock(ev))
		return sockaddr_text(ev, v, buf, len);
	return set_str(v, fd_file_path(ev));
}

/* fd.nameraw: the path as the process passed it. */
static bool g_fd_nameraw(const struct field_ref *r, const struct event *ev,
			 unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct event_path *p;

	if (is_sock(ev))
		return sockaddr_text(ev, v, buf, len);
	p = event_primary_path(ev);
	return p && set_str(v, p->raw_name ? p->raw_name : p->name);
}

/* fd.directory (0) and fd.filename (1) of a file path. */
static bool g_fd_dirfile(const struct field_ref *r, const struct event *ev,
			 unsigned int n, struct fval *v, char *buf, size_t len)
{
	const char *p, *slash;
	size_t dl;

	if (is_sock(ev))
		return false;
	p = fd_file_path(ev);
	if (!p)
		return false;
	slash = strrchr(p, '/');
	if (!slash)
		return false;
	if (r->def->param)
		return set_str(v, slash + 1);
	dl = slash == p ? 1 : (size_t)(slash - p);
	if (dl >= len)
		return false;
	memcpy(buf, p, dl);
	buf[dl] = '\0';
	return set_str(v, buf);
}

/* The fd type as Falco's typechar, '\0' when unknown. */
static char fd_typechar(const struct event *ev)
{
	const struct event_path *p;

	switch (ev->sockaddr.family) {
	case EVENT_SOCK_INET:
		return '4';
	case EVENT_SOCK_INET6:
		return '6';
	case EVENT_SOCK_UNIX:
		return 'u';
	default:
		break;
	}
	if (sc_is(ev, "socket")) {
		switch ((int)ev->args[0]) {
		case AF_INET:
			return '4';
		case AF_INET6:
			return '6';
		case AF_UNIX:
			return 'u';
		default:
			return '\0';
		}
	}
	p = event_primary_path(ev);
	if (!p)
		return '\0';
	if (p->has_mode) {
		if (S_ISDIR(p->mode))
			return 'd';
		if (S_ISFIFO(p->mode))
			return 'p';
		if (S_ISSOCK(p->mode))
			return 'u';
	}
	return 'f';
}

static bool g_fd_type(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	char c = fd_typechar(ev);

	if (!c)
		return false;
	if (r->def->param == 0) {
		buf[0] = c;
		buf[1] = '\0';
		return set_str(v, buf);
	}
	switch (c) {
	case '4':
		return set_str(v, "ipv4");
	case '6':
		return set_str(v, "ipv6");
	case 'u':
		return set_str(v, "unix");
	case 'd':
		return set_str(v, "directory");
	case 'p':
		return set_str(v, "pipe");
	default:
		return set_str(v, "file");
	}
}

/* Which endpoints the sockaddr of this syscall describes. */
#define EP_S 0x1 /* server */
#define EP_C 0x2 /* client */
#define EP_L 0x4 /* local */
#define EP_R 0x8 /* remote */

static unsigned int sockaddr_role(const struct event *ev)
{
	static const struct {
		const char *name;
		unsigned int role;
	} roles[] = {
		{ "connect", EP_S | EP_R }, { "sendto", EP_S | EP_R },
		{ "sendmsg", EP_S | EP_R }, { "sendmmsg", EP_S | EP_R },
		{ "bind", EP_S | EP_L },    { "accept", EP_C | EP_R },
		{ "accept4", EP_C | EP_R }, { "recvfrom", EP_R },
		{ "recvmsg", EP_R },	    { "recvmmsg", EP_R },
	};
	size_t i;

	if (!is_syscall(ev) || !ev->syscall_name)
		return 0;
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i].name, ev->syscall_name) == 0)
			return roles[i].role;
	return 0;
}

static bool inet(const struct event *ev)
{
	return ev->sockaddr.family == EVENT_SOCK_INET ||
	       ev->sockaddr.family == EVENT_SOCK_INET6;
}

/* fd.sip etc.: param is the EP_ bit. */
static bool g_fd_ip(const struct field_ref *r, const struct event *ev,
		    unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (!inet(ev) || !(sockaddr_role(ev) & (unsigned int)r->def->param))
		return false;
	return set_str(v, ev->sockaddr.addr);
}

static bool g_fd_port(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (!inet(ev) || !(sockaddr_role(ev) & (unsigned int)r->def->param))
		return false;
	return set_num(v, ev->sockaddr.port);
}

static bool g_l4proto(const struct field_ref *r, const struct event *ev,
		      unsigned int n, struct fval *v, char *buf, size_t len)
{
	/* Only socket() says; connect/bind records do not carry it. */
	if (!sc_is(ev, "socket") ||
	    (ev->args[0] != AF_INET && ev->args[0] != AF_INET6))
		return false;
	switch (ev->args[1] & 0xf) {
	case SOCK_STREAM:
		return set_str(v, "tcp");
	case SOCK_DGRAM:
		return set_str(v, "udp");
	case SOCK_RAW:
		return set_str(v, (ev->args[2] == 1 || ev->args[2] == 58)
					  ? "icmp"
					  : "raw");
	default:
		return false;
	}
}

static bool g_sockfamily(const struct field_ref *r, const struct event *ev,
			 unsigned int n, struct fval *v, char *buf, size_t len)
{
	if (inet(ev))
		return set_str(v, "ip");
	if (ev->sockaddr.family == EVENT_SOCK_UNIX)
		return set_str(v, "unix");
	if (sc_is(ev, "socket")) {
		if (ev->args[0] == AF_INET || ev->args[0] == AF_INET6)
			return set_str(v, "ip");
		if (ev->args[0] == AF_UNIX)
			return set_str(v, "unix");
	}
	return false;
}

/* ---- container.*, k8s.* ---- */

enum ct_what {
	CT_ID,
	CT_FULL_ID,
	CT_NAME,
	CT_IMAGE,
	CT_IMAGE_REPO,
	CT_IMAGE_TAG,
	CT_RUNTIME,
	CT_POD_NAME,
	CT_POD_NS,
	CT_POD_UID,
	CT_K8S_CONTAINER,
};

/* Split an image reference "repo[:tag][@digest]" at the tag colon (the
 * last ':' after the last '/'). */
static const char *image_tag_colon(const char *img)
{
	const char *slash = strrchr(img, '/');
	const char *at = strchr(img, '@');
	const char *c = strrchr(slash ? slash : img, ':');

	if (!c || (at && c > at))
		return NULL;
	return c;
}

static bool g_container(const struct field_ref *r, const struct event *ev,
			unsigned int n, struct fval *v, char *buf, size_t len)
{
	const struct event_container *c = ev->container;
	const char *s, *colon;
	size_t l;

	if (!c)
		return (r->def->param == CT_ID ||
			r->def->param == CT_FULL_ID) &&
		       set_str(v, "host");
	switch (r->def->param) {
	case CT_ID:
		if (!c->id)
			return false;
		l = strnlen(c->id, 12);
		if (l >= len)
			return false;
		memcpy(buf, c->id, l);
		buf[l] = '\0';
		return set_str(v, buf);
	case CT_FULL_ID:
		return set_str(v, c->id);
	case CT_NAME:
		return set_str(v, c->name);
	case CT_IMAGE:
		return set_str(v, c->image);
	case CT_IMAGE_REPO:
	case CT_IMAGE_TAG:
		s = c->image;
		if (!s)
			return false;
		colon = image_tag_colon(s);
		if (r->def->param == CT_IMAGE_TAG)
			return colon && set_str(v, colon + 1);
		l = colon ? (size_t)(colon - s) : strcspn(s, "@");
		if (l >= len)
			return false;
		memcpy(buf, s, l);
		buf[l] = '\0';
		return set_str(v, buf);
	case CT_RUNTIME:
		return set_str(v, c->runtime);
	case CT_POD_NAME:
		return set_str(v, c->pod_name);
	case CT_POD_NS:
		return set_str(v, c->pod_namespace);
	case CT_POD_UID:
		return set_str(v, c->pod_uid);
	default:
		return set_str(v, c->k8s_container_name);
	}
}

/* ---- the table ---- */

/* clang-format off */
#define FD(b, t, tn, fl, p, fn, d) \
	{ b, { b, tn, d }, t, fl, p, fn }
#define FDX(b, disp, t, tn, fl, p, fn, d) \
	{ b, { disp, tn, d }, t, fl, p, fn }
#define S FIELD_STRING
#define NUM FIELD_NUMBER
#define B FIELD_BOOL

static const struct field_def field_table[] = {
	/* evt */
	FD("evt.type", S, "string", 0, 0, g_evt_type,
	   "Syscall name (libaudit spelling) for syscall events; the audit "
	   "record type (USER_LOGIN, ...) for other events."),
	FD("evt.num", NUM, "number", 0, 0, g_serial,
	   "Event number: the audit serial."),
	FD("evt.time", S, "string", 0, 0, g_time,
	   "Event time as HH:MM:SS.nnnnnnnnn (UTC, not local time)."),
	FD("evt.datetime", S, "string", 0, 1, g_time,
	   "Event time as YYYY-MM-DD HH:MM:SS.nnnnnnnnn (UTC)."),
	FD("evt.time.iso8601", S, "string", 0, 2, g_time,
	   "Event time in ISO 8601 with nanoseconds (UTC)."),
	FD("evt.rawtime", NUM, "number", 0, 0, g_rawtime,
	   "Event time in nanoseconds since the epoch."),
	FD("evt.res", S, "string", 0, 0, g_res,
	   "SUCCESS, or the errno name (ENOENT, EACCES, ...) of a failed "
	   "syscall."),
	FD("evt.rawres", NUM, "number", 0, 0, g_exit,
	   "Syscall return value (negative errno on failure)."),
	FD("evt.failed", B, "bool", 0, 1, g_failed,
	   "true when the syscall failed (audit success=no)."),
	FD("evt.dir", S, "string", 0, 0, g_dir,
	   "Always '<': audit reports syscalls at exit, Falco's exit "
	   "events."),
	FD("evt.is_open_read", B, "bool", 0, 0, g_is_open,
	   "true for open/openat/creat opening for reading (openat2: "
	   "false, its flags are not audited)."),
	FD("evt.is_open_write", B, "bool", 0, 1, g_is_open,
	   "true for open/openat/creat opening for writing (openat2: "
	   "false)."),
	FD("evt.is_open_exec", B, "bool", 0, 2, g_is_open,
	   "true for open/openat/creat creating a file with execute "
	   "permission (openat2: false)."),
	FDX("evt.arg", "evt.arg.NAME", FIELD_STRING, "string",
	    FA_NAME | FA_INDEX | FA_NEED, 0, g_arg,
	    "Argument NAME (or evt.arg[N]) of the syscall, rendered (flags, "
	    "mode, sig, request, fd, name, a0..a3, res); for other events "
	    "the record field NAME, interpreted."),
	FDX("evt.rawarg", "evt.rawarg.NAME", FIELD_DYNAMIC, "dynamic",
	    FA_NAME | FA_INDEX | FA_NEED, 1, g_arg,
	    "Argument NAME of the syscall as a number; for other events the "
	    "record field NAME as written in the record."),
	FD("evt.args", S, "string", 0, 0, g_args,
	   "All arguments as name=value pairs."),

	/* proc */
	FD("proc.pid", NUM, "number", 0, 0, g_pid, "Process id (host)."),
	FD("proc.ppid", NUM, "number", 0, 0, g_ppid, "Parent process id."),
	FD("proc.vpid", NUM, "number", 0, 0, g_vpid,
	   "Process id in its container's pid namespace."),
	FD("proc.sid", NUM, "number", 0, 1, g_vpid, "Session id."),
	FD("proc.name", S, "string", 0, 0, g_comm,
	   "Process name (comm, up to 15 characters)."),
	FD("proc.exe", S, "string", 0, 0, g_exe,
	   "First command line argument (argv[0])."),
	FD("proc.exepath", S, "string", 0, 0, g_exepath,
	   "Full path of the executable."),
	FD("proc.cmdline", S, "string", 0, 0, g_cmdline,
	   "proc.name followed by the arguments (Falco's shape)."),
	FD("proc.args", S, "string", 0, 0, g_args_proc,
	   "Arguments after argv[0], space-joined."),
	FD("proc.cwd", S, "string", 0, 0, g_cwd,
	   "Current working directory."),
	FD("proc.tty", S, "string", 0, 0, g_tty,
	   "Controlling terminal as audit names it (pts0, tty1), '0' when "
	   "none (Falco has a number here)."),
	FD("proc.pname", S, "string", 0, ANC_NAME, g_ancestor,
	   "Name of the parent process."),
	FD("proc.pexe", S, "string", 0, ANC_EXE, g_ancestor,
	   "argv[0] of the parent process."),
	FD("proc.pexepath", S, "string", 0, ANC_EXEPATH, g_ancestor,
	   "Executable path of the parent process."),
	FD("proc.pcmdline", S, "string", 0, ANC_CMDLINE, g_ancestor,
	   "Command line of the parent process."),
	FDX("proc.aname", "proc.aname[N]", S, "string", FA_INDEX | FA_MULTI,
	    ANC_NAME, g_ancestor,
	    "Name of the N-th ancestor (0 itself, 1 parent); without [N] "
	    "a comparison matches if any ancestor matches."),
	FDX("proc.apid", "proc.apid[N]", NUM, "number", FA_INDEX | FA_MULTI,
	    ANC_PID, g_ancestor, "Pid of the N-th ancestor."),
	FDX("proc.aexe", "proc.aexe[N]", S, "string", FA_INDEX | FA_MULTI,
	    ANC_EXE, g_ancestor, "argv[0] of the N-th ancestor."),
	FDX("proc.aexepath", "proc.aexepath[N]", S, "string",
	    FA_INDEX | FA_MULTI, ANC_EXEPATH, g_ancestor,
	    "Executable path of the N-th ancestor."),

	/* user, group */
	FD("user.uid", NUM, "number", 0, 0, g_uid, "Effective user id."),
	FD("user.name", S, "string", 0, 0, g_user_name,
	   "Name of the effective user (this host's user database)."),
	FD("user.loginuid", NUM, "number", 0, 0, g_loginuid,
	   "Login user id (audit auid), -1 when unset."),
	FD("user.loginname", S, "string", 0, 0, g_loginname,
	   "Name of the login user."),
	FD("group.gid", NUM, "number", 0, 2, g_uid, "Effective group id."),
	FD("group.name", S, "string", 0, 1, g_user_name,
	   "Name of the effective group."),

	/* audit */
	FD("audit.key", S, "string", 0, 0, g_key,
	   "Key of the audit rule that produced the event."),
	FD("audit.type", S, "string", 0, 0, g_type_name,
	   "Record type of the first record (SYSCALL, USER_LOGIN, ...)."),
	FD("audit.serial", NUM, "number", 0, 0, g_serial,
	   "Audit event serial."),
	FD("audit.success", B, "bool", 0, 0, g_failed,
	   "The record's success= (res= for user records)."),
	FD("audit.auid", NUM, "number", 0, 0, g_auid,
	   "Audit login uid; unset when the kernel says -1."),
	FD("audit.ses", NUM, "number", 0, 1, g_auid,
	   "Audit session id; unset when the kernel says -1."),
	FD("audit.exit", NUM, "number", 0, 0, g_exit,
	   "Syscall exit value."),
	FD("audit.uid", NUM, "number", 0, 1, g_uid, "Real user id."),
	FD("audit.euid", NUM, "number", 0, 0, g_uid, "Effective user id."),
	FD("audit.gid", NUM, "number", 0, 3, g_uid, "Real group id."),
	FD("audit.arch", S, "string", 0, 0, g_arch,
	   "Architecture of the syscall (x86_64, i386, aarch64, ...)."),
	FD("audit.syscall", NUM, "number", 0, 0, g_syscall_nr,
	   "Syscall number for its architecture."),
	FD("audit.subj", S, "string", 0, 0, g_subj,
	   "LSM label of the process."),
	FD("audit.node", S, "string", 0, 1, g_subj,
	   "node= of the record, when present."),

	/* fd */
	FD("fd.num", NUM, "number", 0, 0, g_fd_num,
	   "File descriptor: the one returned (open, socket, accept) or "
	   "passed (a0)."),
	FD("fd.name", S, "string", 0, 0, g_fd_name,
	   "File path of the object reached (symlinks resolved); ip:port "
	   "of the socket address; unix socket path."),
	FD("fd.nameraw", S, "string", 0, 0, g_fd_nameraw,
	   "File path as the process passed it (relative, through "
	   "symlinks: not resolved)."),
	FD("fd.directory", S, "string", 0, 0, g_fd_dirfile,
	   "Directory of the file path."),
	FD("fd.filename", S, "string", 0, 1, g_fd_dirfile,
	   "Last component of the file path."),
	FD("fd.typechar", S, "string", 0, 0, g_fd_type,
	   "f file, d directory, p pipe, 4 ipv4, 6 ipv6, u unix."),
	FD("fd.type", S, "string", 0, 1, g_fd_type,
	   "file, directory, pipe, ipv4, ipv6, unix."),
	FD("fd.sip", S, "ipaddr", 0, EP_S, g_fd_ip,
	   "Server ip (connect, sendto, sendmsg, bind)."),
	FD("fd.sport", NUM, "port", 0, EP_S, g_fd_port, "Server port."),
	FD("fd.cip", S, "ipaddr", 0, EP_C, g_fd_ip,
	   "Client ip (accept, accept4)."),
	FD("fd.cport", NUM, "port", 0, EP_C, g_fd_port, "Client port."),
	FD("fd.lip", S, "ipaddr", 0, EP_L, g_fd_ip, "Local ip (bind)."),
	FD("fd.lport", NUM, "port", 0, EP_L, g_fd_port,
	   "Local port (bind)."),
	FD("fd.rip", S, "ipaddr", 0, EP_R, g_fd_ip,
	   "Remote ip (connect, send*, accept, recv*)."),
	FD("fd.rport", NUM, "port", 0, EP_R, g_fd_port, "Remote port."),
	FD("fd.l4proto", S, "string", 0, 0, g_l4proto,
	   "tcp, udp, icmp or raw; known for socket() only."),
	FD("fd.sockfamily", S, "string", 0, 0, g_sockfamily,
	   "ip or unix."),

	/* container, k8s */
	FD("container.id", S, "string", 0, CT_ID, g_container,
	   "Container id (12 characters), 'host' for host processes."),
	FD("container.full_id", S, "string", 0, CT_FULL_ID, g_container,
	   "Full container id, 'host' for host processes."),
	FD("container.name", S, "string", 0, CT_NAME, g_container,
	   "Container name."),
	FD("container.image", S, "string", 0, CT_IMAGE, g_container,
	   "Container image reference."),
	FD("container.image.repository", S, "string", 0, CT_IMAGE_REPO,
	   g_container, "Image reference without tag and digest."),
	FD("container.image.tag", S, "string", 0, CT_IMAGE_TAG, g_container,
	   "Image tag."),
	FD("container.runtime", S, "string", 0, CT_RUNTIME, g_container,
	   "Container runtime (docker, containerd, cri-o, podman)."),
	FD("container.type", S, "string", 0, CT_RUNTIME, g_container,
	   "Same as container.runtime (Falco's name)."),
	FD("k8s.pod.name", S, "string", 0, CT_POD_NAME, g_container,
	   "Kubernetes pod name."),
	FD("k8s.ns.name", S, "string", 0, CT_POD_NS, g_container,
	   "Kubernetes namespace."),
	FD("k8s.pod.uid", S, "string", 0, CT_POD_UID, g_container,
	   "Kubernetes pod uid."),
	FD("k8s.container.name", S, "string", 0, CT_K8S_CONTAINER,
	   g_container, "Container name in the Kubernetes pod spec."),
};
/* clang-format on */

#undef S
#undef NUM
#undef B

#define NFIELDS (sizeof(field_table) / sizeof(field_table[0]))

size_t engine_field_count(void)
{
	return NFIELDS;
}

const struct engine_field_info *engine_field_get(size_t i)
{
	return i < NFIELDS ? &field_table[i].info : NULL;
}

static const struct field_def *def_find(const char *base, size_t len)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		if (strlen(field_table[i].base) == len &&
		    memcmp(field_table[i].base, base, len) == 0)
			return &field_table[i];
	return NULL;
}

static bool valid_arg_name(const char *s, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!(s[i] == '_' || s[i] == '-' ||
		      (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

int field_ref_parse(const char *name, size_t len, struct field_ref *ret)
{
	const struct field_def *d;
	struct field_ref r;
	const char *br = memchr(name, '[', len);
	size_t i;

	memset(&r, 0, sizeof(r));
	r.idx = -1;
	d = def_find(name, br ? (size_t)(br - name) : len);
	if (d && br) {
		/* [N]: decimal index, nothing after the ']' */
		long idx = 0;

		if (!(d->flags & FA_INDEX) || name[len - 1] != ']' ||
		    br + 2 > name + len - 1)
			return -ENOENT;
		for (i = (size_t)(br - name) + 1; i < len - 1; i++) {
			if (name[i] < '0' || name[i] > '9' || idx > 100000)
				return -ENOENT;
			idx = idx * 10 + (name[i] - '0');
		}
		r.idx = idx;
	} else if (!d && !br) {
		/* base.NAME for fields taking a name argument */
		for (i = 0; i < NFIELDS && !d; i++) {
			size_t bl = strlen(field_table[i].base);

			if ((field_table[i].flags & FA_NAME) && len > bl + 1 &&
			    memcmp(field_table[i].base, name, bl) == 0 &&
			    name[bl] == '.' &&
			    valid_arg_name(name + bl + 1, len - bl - 1)) {
				d = &field_table[i];
				r.arg = strndup(name + bl + 1, len - bl - 1);
				if (!r.arg)
					return -ENOMEM;
			}
		}
	}
	if (!d)
		return -ENOENT;
	if ((d->flags & FA_NEED) && !r.arg && r.idx < 0)
		return -ENOENT;
	r.def = d;
	r.type = d->type;
	r.multi = (d->flags & FA_MULTI) && r.idx < 0;
	/* Both index rules: an event is looked up under its syscall name
	 * and under its first record's type (CONFIG_CHANGE, USER_LOGIN). */
	r.is_evt_type = d->get == g_evt_type || d->get == g_type_name;
	r.name = strndup(name, len);
	if (!r.name) {
		free(r.arg);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

void field_ref_clear(struct field_ref *r)
{
	if (!r)
		return;
	free(r->arg);
	free(r->name);
	r->arg = NULL;
	r->name = NULL;
	r->def = NULL;
}

bool field_extract(const struct field_ref *r, const struct event *ev,
		   unsigned int n, struct fval *ret, char *scratch,
		   size_t scratch_len)
{
	struct fval v;

	if (!r->def || !ev || scratch_len < 2)
		return false;
	if (n > 0 && !r->multi)
		return false;
	if (!r->def->get(r, ev, n, &v, scratch, scratch_len))
		return false;
	*ret = v;
	return true;
}

const char *fval_text(const struct fval *v, char *buf, size_t len)
{
	switch (v->kind) {
	case FVAL_STR:
		return v->s;
	case FVAL_BOOL:
		return v->n ? "true" : "false";
	default:
		(void)snprintf(buf, len, "%" PRId64, v->n);
		return buf;
	}
}

enum field_outcome field_outcome(const struct field_ref *r, const char *syscall)
{
	const struct sc_desc *d;
	const struct sc_arg *a;

	if (!r->def || r->multi)
		return FIELD_OUTCOME_NONE;
	if (r->def->get == g_failed)
		return r->def->param ? FIELD_OUTCOME_FAILED
				     : FIELD_OUTCOME_SUCCESS;
	if (r->def->get == g_res)
		return FIELD_OUTCOME_RES;
	if (r->def->get == g_exit)
		return FIELD_OUTCOME_EXIT;
	if (r->def->get != g_fd_num || !syscall)
		return FIELD_OUTCOME_NONE;
	/* fd.num is the return value only where the syscall returns the fd
	 * (open, socket, accept); elsewhere it is an argument (a0). */
	d = bsearch(syscall, sc_table, sizeof(sc_table) / sizeof(sc_table[0]),
		    sizeof(sc_table[0]), sc_desc_cmp);
	a = sc_arg_find(d, "fd");
	return a && a->src == S_EXIT ? FIELD_OUTCOME_EXIT : FIELD_OUTCOME_NONE;
}
