/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIGBUS from SQLite's shared WAL index turned into an error. In WAL mode
 * every connection maps the -shm file (MAP_SHARED); when that file can
 * no longer be written through the mapping (chattr +i: ext4 refuses the
 * write fault of a clean page with SIGBUS; truncated by someone; an I/O
 * error on the device), the next store to it kills the process. Readers
 * (sqlite3, harrier alerts) must keep working beside the daemon, so
 * exclusive locking mode (a heap WAL index) is not an option.
 *
 * The guard is a VFS shim over "unix" that records where each -shm region
 * is mapped, and a SIGBUS handler for faults inside those regions: it
 * replaces every page of that connection's regions with a private copy of
 * what the file holds (zeros where it holds nothing), so the interrupted
 * store completes in memory no other process sees, and counts the fault.
 * Other processes keep the shared index as it was before the fault. The
 * connection is then useless: its owner checks store_guard_faults() after
 * each call into SQLite and closes it (without checkpointing) when the
 * count moved. A SIGBUS anywhere else goes to the previous handler (by
 * default: the process dies, as it would have).
 */
#ifndef HARRIER_STORE_GUARD_H
#define HARRIER_STORE_GUARD_H

#include <stdint.h>

/* The VFS name to pass to sqlite3_open_v2. */
#define STORE_GUARD_VFS "harrier-guard"

/* Register the VFS (not as the default) and install the handler, once per
 * process; later calls return the first result. 0 or -errno. */
int store_guard_init(void);
/* SIGBUS faults absorbed since the process started. */
uint64_t store_guard_faults(void);

#endif
