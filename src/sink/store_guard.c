/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The guard VFS: every method forwards to "unix"; xShmMap/xShmUnmap keep
 * a table of mapped -shm regions that the SIGBUS handler reads. The table
 * is written by the threads that open connections (under a mutex) and
 * read by the handler without locks: an entry's start is published last
 * and cleared first, with atomics. It also gathers a WAL's writes (see
 * "WAL writes").
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sink/store_guard.h"
#include "sink/store_schema.h"

/* Mapped -shm regions at once, over all guarded connections. A region is
 * 32 KiB of index for 4096 WAL frames: 64 regions cover a WAL of 1 GiB;
 * the writer's WAL stays near journal_size_limit. A region that finds
 * no slot is mapped unguarded (and counted in guard_unguarded). */
#define GUARD_MAX_REGIONS 1024

struct gregion {
	uintptr_t start; /* 0: free; atomic */
	size_t len;
	const void *owner; /* the struct gfile */
};

/* WAL writes gathered at most this much (see "WAL writes" below): 16
 * frames of 4 KiB pages. Below 128 KiB: the unix VFS writes at most
 * 0x1ffff bytes a call (a larger write comes back short: SQLITE_FULL). */
#define GUARD_WAL_BUF (64 * 1024)

struct gfile {
	sqlite3_file base;
	sqlite3_file *real; /* follows this struct in the same allocation */
	/* a WAL: its gathered writes, and its database's file */
	bool wal;
	bool commit_next; /* the last write was a commit frame's header */
	char *wbuf;	  /* GUARD_WAL_BUF, allocated on first use */
	size_t wlen;
	sqlite3_int64 woff;
	struct gfile *main;
	/* a database: its open WAL */
	struct gfile *walf;
};

static struct gregion regions[GUARD_MAX_REGIONS];
static pthread_mutex_t regions_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t guard_fault_count;
static uint64_t guard_unguarded;
static struct sigaction guard_prev;
static long guard_pagesize;
static sqlite3_vfs guard_vfs;
static sqlite3_io_methods guard_io;
static pthread_once_t guard_once = PTHREAD_ONCE_INIT;
static int guard_init_result;

uint64_t store_guard_faults(void)
{
	return __atomic_load_n(&guard_fault_count, __ATOMIC_ACQUIRE);
}

/* --- the handler --- */

static void guard_chain(int sig, siginfo_t *si, void *uctx)
{
	if (guard_prev.sa_flags & SA_SIGINFO) {
		if (guard_prev.sa_sigaction) {
			guard_prev.sa_sigaction(sig, si, uctx);
			return;
		}
	} else if (guard_prev.sa_handler != SIG_DFL &&
		   guard_prev.sa_handler != SIG_IGN) {
		guard_prev.sa_handler(sig);
		return;
	}
	/* default: return with SIG_DFL in place; the access faults again
	 * and the process dies of it, as without the guard */
	(void)signal(sig, SIG_DFL);
}

/* Replace [start, start+len) with private pages holding what the
 * shared ones hold, where that can be read (zeros where it cannot: a
 * truncated file). The old content is read with process_vm_readv on
 * ourselves, which fails with EFAULT instead of raising SIGBUS again.
 * No fd of the -shm file is ever opened here: closing one would drop
 * the process's POSIX locks on it, which SQLite's protocol relies on. */
static bool guard_privatize(uintptr_t start, size_t len)
{
	size_t pg = (size_t)guard_pagesize;
	struct iovec local, remote;
	uintptr_t p;
	void *tmp, *m;
	ssize_t n;

	tmp = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmp == MAP_FAILED)
		return false;
	for (p = start; p < start + len; p += pg) {
		local.iov_base = tmp;
		local.iov_len = pg;
		remote.iov_base = (void *)p;
		remote.iov_len = pg;
		n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
		if (n != (ssize_t)pg)
			memset(tmp, 0, pg);
		m = mmap((void *)p, pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (m == MAP_FAILED) {
			(void)munmap(tmp, pg);
			return false;
		}
		memcpy(m, tmp, pg);
	}
	(void)munmap(tmp, pg);
	return true;
}

static void guard_sigbus(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t a = (uintptr_t)si->si_addr, s;
	const void *owner = NULL;
	int saved = errno;
	size_t i;

	for (i = 0; i < GUARD_MAX_REGIONS; i++) {
		s = __atomic_load_n(&regions[i].start, __ATOMIC_ACQUIRE);
		if (s && a >= s && a < s + regions[i].len) {
			owner = regions[i].owner;
			break;
		}
	}
	if (!owner) {
		guard_chain(sig, si, uctx);
		errno = saved;
		return;
	}
	/* Every region of this connection, not only the faulting page: its
	 * later stores (hash entries, then the header) must all stay out of
	 * the shared index, or readers would see a header that counts
	 * frames whose hash entries they cannot see. */
	for (i = 0; i < GUARD_MAX_REGIONS; i++) {
		s = __atomic_load_n(&regions[i].start, __ATOMIC_ACQUIRE);
		if (!s || regions[i].owner != owner)
			continue;
		if (!guard_privatize(s, regions[i].len)) {
			guard_chain(sig, si, uctx);
			errno = saved;
			return;
		}
	}
	__atomic_add_fetch(&guard_fault_count, 1, __ATOMIC_RELEASE);
	errno = saved;
}

/* --- region table --- */

static void guard_add(struct gfile *g, void *p, size_t len)
{
	size_t i;

	(void)pthread_mutex_lock(&regions_lock);
	for (i = 0; i < GUARD_MAX_REGIONS; i++) {
		if (__atomic_load_n(&regions[i].start, __ATOMIC_ACQUIRE))
			continue;
		regions[i].len = len;
		regions[i].owner = g;
		__atomic_store_n(&regions[i].start, (uintptr_t)p,
				 __ATOMIC_RELEASE);
		(void)pthread_mutex_unlock(&regions_lock);
		return;
	}
	guard_unguarded++;
	(void)pthread_mutex_unlock(&regions_lock);
}

static bool guard_known(const struct gfile *g, void *p)
{
	size_t i;

	for (i = 0; i < GUARD_MAX_REGIONS; i++)
		if (regions[i].owner == g &&
		    __atomic_load_n(&regions[i].start, __ATOMIC_ACQUIRE) ==
			    (uintptr_t)p)
			return true;
	return false;
}

static void guard_drop(const struct gfile *g)
{
	size_t i;

	(void)pthread_mutex_lock(&regions_lock);
	for (i = 0; i < GUARD_MAX_REGIONS; i++) {
		if (regions[i].owner != g)
			continue;
		__atomic_store_n(&regions[i].start, 0, __ATOMIC_RELEASE);
		regions[i].owner = NULL;
	}
	(void)pthread_mutex_unlock(&regions_lock);
}

/* --- WAL writes ---
 * SQLite appends a WAL frame in two writes (its 24-byte header, then the
 * page): a system call each, and system calls are most of what the
 * writer pays for on a VM. Writes that follow on from each other are
 * gathered and written at once: when the buffer is full, when a write
 * does not follow on, as soon as the frame that commits a transaction is
 * complete (a frame header with a database size is a commit's: the WAL
 * format), and before anything else uses the file (a read, sync,
 * truncate, size, lock, file control, close) or the database's WAL index
 * is published (shm barrier and locks). The gathered write's error is
 * returned by the call that makes it; for a commit that is the commit
 * frame's own write, so SQLite sees the commit fail as it would have. */

static bool frame_commits(const void *hdr)
{
	const unsigned char *h = hdr;

	return (h[4] | h[5] | h[6] | h[7]) != 0;
}

static int wal_flush(struct gfile *g)
{
	int rc;

	if (!g || !g->wlen)
		return SQLITE_OK;
	rc = g->real->pMethods->xWrite(g->real, g->wbuf, (int)g->wlen,
				       g->woff);
	g->wlen = 0; /* failed: SQLite rolls back what it was part of */
	return rc;
}

/* The WAL's pending writes out before an operation on g: g itself when
 * it is a WAL, its WAL when it is a database. */
static int flush_for(struct gfile *g)
{
	return wal_flush(g->wal ? g : g->walf);
}

static int wal_write(struct gfile *g, const void *b, int n, sqlite3_int64 o)
{
	bool commit = g->commit_next;
	int rc;

	g->commit_next = n == 24 && frame_commits(b);
	if (g->wlen && (o != g->woff + (sqlite3_int64)g->wlen ||
			g->wlen + (size_t)n > GUARD_WAL_BUF)) {
		rc = wal_flush(g);
		if (rc != SQLITE_OK)
			return rc;
	}
	if (!g->wbuf && n < GUARD_WAL_BUF)
		g->wbuf = malloc(GUARD_WAL_BUF);
	if (!g->wbuf || n >= GUARD_WAL_BUF)
		return g->real->pMethods->xWrite(g->real, b, n, o);
	if (!g->wlen)
		g->woff = o;
	memcpy(g->wbuf + g->wlen, b, (size_t)n);
	g->wlen += (size_t)n;
	return commit ? wal_flush(g) : SQLITE_OK;
}

/* --- io methods: forward, watching the -shm mapping --- */

#define REAL(f) (((struct gfile *)(f))->real)
#define FLUSHED(f)                                           \
	do {                                                 \
		int frc_ = flush_for((struct gfile *)(f));   \
		if (frc_ != SQLITE_OK)                       \
			return frc_;                         \
	} while (0)

static int g_close(sqlite3_file *f)
{
	struct gfile *g = (struct gfile *)f;
	int frc = g->wal ? wal_flush(g) : SQLITE_OK;
	int rc = g->real->pMethods ? g->real->pMethods->xClose(g->real) :
				     SQLITE_OK;

	if (g->wal && g->main)
		g->main->walf = NULL;
	if (g->walf)
		g->walf->main = NULL;
	free(g->wbuf);
	g->wbuf = NULL;
	guard_drop(g);
	return rc != SQLITE_OK ? rc : frc;
}

static int g_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o)
{
	struct gfile *g = (struct gfile *)f;

	if (g->wal)
		FLUSHED(g);
	return REAL(f)->pMethods->xRead(REAL(f), b, n, o);
}

static int g_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	struct gfile *g = (struct gfile *)f;

	if (g->wal)
		return wal_write(g, b, n, o);
	return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}

static int g_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	FLUSHED(f);
	return REAL(f)->pMethods->xTruncate(REAL(f), size);
}

static int g_sync(sqlite3_file *f, int flags)
{
	FLUSHED(f);
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}

static int g_file_size(sqlite3_file *f, sqlite3_int64 *ret)
{
	FLUSHED(f);
	return REAL(f)->pMethods->xFileSize(REAL(f), ret);
}

static int g_lock(sqlite3_file *f, int l)
{
	FLUSHED(f);
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int g_unlock(sqlite3_file *f, int l)
{
	FLUSHED(f);
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int g_check_reserved(sqlite3_file *f, int *ret)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), ret);
}

static int g_file_control(sqlite3_file *f, int op, void *arg)
{
	FLUSHED(f);
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int g_sector_size(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int g_device_chars(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int g_shm_map(sqlite3_file *f, int pg, int pgsz, int extend,
		     void volatile **pp)
{
	struct gfile *g = (struct gfile *)f;
	int rc;

	rc = g->real->pMethods->xShmMap(g->real, pg, pgsz, extend, pp);
	if (rc != SQLITE_OK && rc != SQLITE_READONLY)
		return rc;
	if (!*pp)
		return rc;
	(void)pg;
	if (!guard_known(g, (void *)*pp))
		guard_add(g, (void *)*pp, (size_t)pgsz);
	return rc;
}

static int g_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	FLUSHED(f);
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void g_shm_barrier(sqlite3_file *f)
{
	/* a commit flushed its frames already (wal_write): this is for
	 * frames of anything else, an error here has no one to go to */
	(void)flush_for((struct gfile *)f);
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int g_shm_unmap(sqlite3_file *f, int del)
{
	struct gfile *g = (struct gfile *)f;

	/* before the real unmap: no window in which the handler could
	 * privatise pages that are being unmapped */
	guard_drop(g);
	return g->real->pMethods->xShmUnmap(g->real, del);
}

static int g_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), o, n, pp);
}

static int g_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), o, p);
}

/* --- vfs --- */

#define REAL_VFS(v) ((sqlite3_vfs *)(v)->pAppData)

static int v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f,
		  int flags, int *out)
{
	struct gfile *g = (struct gfile *)f;
	int rc;

	memset(g, 0, sizeof(*g));
	g->real = (sqlite3_file *)&g[1];
	rc = REAL_VFS(v)->xOpen(REAL_VFS(v), name, g->real, flags, out);
	if (!g->real->pMethods)
		return rc;
	/* a failed open may still need its close */
	g->base.pMethods = &guard_io;
	if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) && name) {
		sqlite3_file *m = sqlite3_database_file_object(name);

		g->wal = true;
		if (m && m->pMethods == &guard_io) {
			g->main = (struct gfile *)m;
			g->main->walf = g;
		}
	}
	return rc;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	return REAL_VFS(v)->xDelete(REAL_VFS(v), name, sync);
}

static int v_access(sqlite3_vfs *v, const char *name, int flags, int *ret)
{
	return REAL_VFS(v)->xAccess(REAL_VFS(v), name, flags, ret);
}

static int v_full_pathname(sqlite3_vfs *v, const char *name, int n,
			   char *out)
{
	return REAL_VFS(v)->xFullPathname(REAL_VFS(v), name, n, out);
}

static void *v_dlopen(sqlite3_vfs *v, const char *name)
{
	return REAL_VFS(v)->xDlOpen(REAL_VFS(v), name);
}

static void v_dlerror(sqlite3_vfs *v, int n, char *msg)
{
	REAL_VFS(v)->xDlError(REAL_VFS(v), n, msg);
}

static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
	return REAL_VFS(v)->xDlSym(REAL_VFS(v), h, sym);
}

static void v_dlclose(sqlite3_vfs *v, void *h)
{
	REAL_VFS(v)->xDlClose(REAL_VFS(v), h);
}

static int v_randomness(sqlite3_vfs *v, int n, char *out)
{
	return REAL_VFS(v)->xRandomness(REAL_VFS(v), n, out);
}

static int v_sleep(sqlite3_vfs *v, int us)
{
	return REAL_VFS(v)->xSleep(REAL_VFS(v), us);
}

static int v_current_time(sqlite3_vfs *v, double *ret)
{
	return REAL_VFS(v)->xCurrentTime(REAL_VFS(v), ret);
}

static int v_last_error(sqlite3_vfs *v, int n, char *out)
{
	return REAL_VFS(v)->xGetLastError(REAL_VFS(v), n, out);
}

static int v_current_time64(sqlite3_vfs *v, sqlite3_int64 *ret)
{
	return REAL_VFS(v)->xCurrentTimeInt64(REAL_VFS(v), ret);
}

static void guard_sigbus(int sig, siginfo_t *si, void *uctx);

static void guard_setup(void)
{
	sqlite3_vfs *real;
	int rc;

	store_sqlite_setup();
	real = sqlite3_vfs_find("unix");

	guard_pagesize = sysconf(_SC_PAGESIZE);
	if (!real || real->iVersion < 2 || guard_pagesize <= 0) {
		guard_init_result = -ENOSYS;
		return;
	}
	guard_io.iVersion = 3;
	guard_io.xClose = g_close;
	guard_io.xRead = g_read;
	guard_io.xWrite = g_write;
	guard_io.xTruncate = g_truncate;
	guard_io.xSync = g_sync;
	guard_io.xFileSize = g_file_size;
	guard_io.xLock = g_lock;
	guard_io.xUnlock = g_unlock;
	guard_io.xCheckReservedLock = g_check_reserved;
	guard_io.xFileControl = g_file_control;
	guard_io.xSectorSize = g_sector_size;
	guard_io.xDeviceCharacteristics = g_device_chars;
	guard_io.xShmMap = g_shm_map;
	guard_io.xShmLock = g_shm_lock;
	guard_io.xShmBarrier = g_shm_barrier;
	guard_io.xShmUnmap = g_shm_unmap;
	guard_io.xFetch = g_fetch;
	guard_io.xUnfetch = g_unfetch;

	guard_vfs.iVersion = 2;
	guard_vfs.szOsFile = (int)sizeof(struct gfile) + real->szOsFile;
	guard_vfs.mxPathname = real->mxPathname;
	guard_vfs.zName = STORE_GUARD_VFS;
	guard_vfs.pAppData = real;
	guard_vfs.xOpen = v_open;
	guard_vfs.xDelete = v_delete;
	guard_vfs.xAccess = v_access;
	guard_vfs.xFullPathname = v_full_pathname;
	guard_vfs.xDlOpen = v_dlopen;
	guard_vfs.xDlError = v_dlerror;
	guard_vfs.xDlSym = v_dlsym;
	guard_vfs.xDlClose = v_dlclose;
	guard_vfs.xRandomness = v_randomness;
	guard_vfs.xSleep = v_sleep;
	guard_vfs.xCurrentTime = v_current_time;
	guard_vfs.xGetLastError = v_last_error;
	guard_vfs.xCurrentTimeInt64 = v_current_time64;

	rc = sqlite3_vfs_register(&guard_vfs, 0);
	if (rc != SQLITE_OK)
		guard_init_result = -ENOMEM;
}

/* Put the handler (back) in place: someone (a test framework, another
 * library) may have set its own SIGBUS handler since; it becomes the
 * one faults elsewhere are passed on to. */
static int guard_install(void)
{
	struct sigaction sa, cur;
	static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
	int r = 0;

	(void)pthread_mutex_lock(&install_lock);
	if (sigaction(SIGBUS, NULL, &cur) == 0 &&
	    (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == guard_sigbus)
		goto out;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = guard_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	(void)sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &guard_prev) < 0)
		r = -errno;
out:
	(void)pthread_mutex_unlock(&install_lock);
	return r;
}

int store_guard_init(void)
{
	(void)pthread_once(&guard_once, guard_setup);
	if (guard_init_result < 0)
		return guard_init_result;
	return guard_install();
}
