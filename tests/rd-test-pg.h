/* rd-test-pg.h: a real PostgreSQL server for the db and ui suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-cluster.h"
#include "rd-db.h"

G_BEGIN_DECLS

/* Starts, once per test process, a private cluster in a fresh temporary
 * directory (as an unprivileged user when root runs the tests) and migrates
 * it; it is stopped and removed at exit. Aborts the test program when no
 * server can be started: a test that needs a server never skips. */
RdCluster   *rd_test_pg_get           (void);
/* Conninfo for @user (NULL: the schema owner). */
char        *rd_test_pg_conninfo      (const char *user,
                                       const char *password);
/* A connected RdDb (blocking connect), or aborts. */
RdDb        *rd_test_pg_connect       (const char *user,
                                       const char *password);
/* Loads the demo hospital once per process (seed fixed). */
void         rd_test_pg_load_demo     (void);
/* Runs psql (from the cluster's bindir) as @user with @sql on stdin;
 * returns its exit status, stdout and stderr in @out/@err if non-NULL. */
int          rd_test_pg_psql          (const char *user,
                                       const char *password,
                                       const char *sql,
                                       char      **out,
                                       char      **err);

G_END_DECLS
