/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The schema files (schema/NNN_*.sql) as compiled into the binaries by
 * embed-schema.sh at build time: internal to the store (writer and
 * reader), in version order.
 */
#ifndef HARRIER_STORE_SCHEMA_H
#define HARRIER_STORE_SCHEMA_H

#include <sqlite3.h>
#include <stddef.h>

struct store_schema {
	int version; /* NNN of the file name */
	const char *name; /* file name, for error messages */
	const char *sql;
};

extern const struct store_schema store_schemas[];
extern const size_t store_nschemas;

/* PRAGMA user_version of db into *ret: SQLITE_OK or an SQLite error
 * code (store.c; the reader in store_query.c uses it too). */
int store_read_user_version(sqlite3 *db, int *ret);

/* SQLite's process-wide settings (store.c): called before the first
 * connection, by the writer's VFS setup and the reader. */
void store_sqlite_setup(void);

#endif
