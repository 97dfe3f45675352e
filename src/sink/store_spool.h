/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store's spool: one append-only file of records the store could not
 * write yet, oldest first, on a file system of the operator's choosing
 * (store_output.spool_dir). The store's writer thread alone uses it:
 * appends while the store fails, reads back in order once it works, and
 * marks what is written. Every record carries its length and a CRC: a
 * torn tail (crash in the middle of an append) is cut off at open. The
 * header keeps how far the records are written to the store, so a
 * restart resumes there (and the store's unique keys make a record
 * written twice harmless).
 */
#ifndef HARRIER_STORE_SPOOL_H
#define HARRIER_STORE_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct spool;

/* Open or create (0640) path, whose directory the caller has checked,
 * and lock it (one daemon per spool). At most max_bytes of records.
 * Returns 0 with *ret, or -errno with *ret_err (caller frees). A torn or
 * corrupt tail is cut off; *ret_cut says how many bytes (may be NULL). */
int spool_open(const char *path, uint64_t max_bytes, struct spool **ret,
	       uint64_t *ret_cut, char **ret_err);
void spool_close(struct spool *sp);
const char *spool_path(const struct spool *sp);

/* Append one record. -ENOSPC over max_bytes, -errno when the write
 * fails (the file is put back as it was). */
int spool_append(struct spool *sp, const void *rec, size_t len);
/* Make the appended records durable (fdatasync). */
int spool_sync(struct spool *sp);

/* The next record after the read cursor: 1 with *ret_p (borrowed until
 * the next call) and *ret_len, 0 when none is left, -errno. */
int spool_next(struct spool *sp, const void **ret_p, size_t *ret_len);
/* Everything read so far is in the store: remember it (and empty the
 * file when nothing is left). */
int spool_commit(struct spool *sp);
/* The records read since the last commit were not written: read them
 * again next time. */
void spool_rewind(struct spool *sp);

/* Records and bytes not yet committed. */
uint64_t spool_pending(const struct spool *sp);
uint64_t spool_bytes(const struct spool *sp);

#endif
