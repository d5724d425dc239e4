/* sql-test-util.c: small helpers shared by the tests/sql programs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include "sql-test-util.h"

char *
sql_scalar (RdDb       *db,
            const char *sql)
{
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = rd_db_query_sync (db, sql, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  if (rd_result_get_n_rows (result) == 0)
    return NULL;

  return g_strdup (rd_result_get_string (result, 0, 0));
}

gint64
sql_int (RdDb       *db,
         const char *sql)
{
  g_autofree char *text = sql_scalar (db, sql);

  g_assert_nonnull (text);

  return g_ascii_strtoll (text, NULL, 10);
}

GError *
sql_expect_error (RdDb       *db,
                  const char *sql)
{
  g_autoptr(RdResult) result = NULL;
  GError *error = NULL;

  result = rd_db_query_sync (db, sql, 0, NULL, NULL, &error);
  if (result != NULL)
    g_error ("Statement should have failed: %s", sql);
  g_assert_nonnull (error);
  g_test_message ("expected error: %s", error->message);

  return error;
}

char *
sql_database_conninfo (const char *name,
                       const char *user,
                       const char *password)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (user, password);

  /* In a keyword/value conninfo the last dbname wins. */
  return g_strdup_printf ("%s dbname=%s", conninfo, name);
}

RdDb *
sql_create_database (const char *name)
{
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *drop = g_strdup_printf ("DROP DATABASE IF EXISTS %s", name);
  g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);
  g_autofree char *conninfo = sql_database_conninfo (name, NULL, NULL);
  g_autoptr(RdDb) db = NULL;

  result = rd_db_query_sync (owner, drop, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&result, rd_result_unref);
  result = rd_db_query_sync (owner, create, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  rd_db_close (owner);

  db = rd_db_new (conninfo);
  rd_db_connect_sync (db, NULL, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&db);
}
