/* sql-test-util.h: small helpers shared by the tests/sql programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-test-pg.h"

G_BEGIN_DECLS

/* The first column of the first row of @sql (no parameters) as text; NULL
 * for SQL NULL or no rows. Fails the test when the statement fails. */
char        *sql_scalar             (RdDb        *db,
                                     const char  *sql);
/* The same as an integer. */
gint64       sql_int                (RdDb        *db,
                                     const char  *sql);
/* Runs @sql and returns the error it must raise (never NULL). */
GError      *sql_expect_error       (RdDb        *db,
                                     const char  *sql);
/* Asserts that @error carries SQLSTATE @sqlstate. */
#define sql_assert_sqlstate(error, sqlstate) \
  g_assert_cmpstr (rd_store_error_get_sqlstate (error), ==, (sqlstate))
/* Creates database @name in the test cluster (dropping an old one) and
 * returns a connection to it as the owner. */
RdDb        *sql_create_database    (const char  *name);
/* Conninfo for @user on database @name of the test cluster. */
char        *sql_database_conninfo  (const char  *name,
                                     const char  *user,
                                     const char  *password);

G_END_DECLS
