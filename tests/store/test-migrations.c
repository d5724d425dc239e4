/* test-migrations.c: the migration runner
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-migrations-private.h"
#include "rd-test-migrations-resources.h"
#include "rd-test-pg.h"

#define TEST_PATH(dir) "/io/github/regdesk/Regdesk/tests/migrations/" dir "/"

static RdResult *
query (RdDb               *db,
       const char         *sql,
       guint               n_params,
       const char * const *params)
{
  g_autoptr(GError) error = NULL;
  RdResult *result = rd_db_query_sync (db, sql, n_params, params, NULL, &error);

  g_assert_no_error (error);

  return result;
}

static gint64
query_int (RdDb       *db,
           const char *sql)
{
  g_autoptr(RdResult) result = query (db, sql, 0, NULL);

  return rd_result_get_int64 (result, 0, 0);
}

/* A fresh, empty database of the test cluster. */
static char *
create_database (const char *name)
{
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);
  g_autofree char *conninfo = rd_test_pg_conninfo (NULL, NULL);
  g_autoptr(RdResult) result = query (owner, sql, 0, NULL);

  /* In a conninfo string the last dbname wins. */
  return g_strdup_printf ("%s dbname=%s", conninfo, name);
}

static RdDb *
connect_to (const char *conninfo)
{
  g_autoptr(RdDb) db = rd_db_new (conninfo);
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_db_connect_sync (db, NULL, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&db);
}

static void
test_program_migrations (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(GPtrArray) status = NULL;
  g_autoptr(GError) error = NULL;
  guint n_applied = 99;
  guint latest = rd_migrations_get_latest ();

  /* The fixture migrated already: nothing left. */
  g_assert_cmpuint (latest, >=, 1);
  g_assert_true (rd_migrations_apply_sync (db, &n_applied, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, 0);

  status = rd_migrations_status_sync (db, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (status);
  g_assert_cmpuint (status->len, >=, 1);
  for (guint i = 0; i < status->len; i++)
    {
      RdMigration *migration = g_ptr_array_index (status, i);

      g_assert_nonnull (migration->applied_at);
      g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$",
                                           migration->applied_at, 0, 0));
      if (i > 0)
        g_assert_cmpuint (migration->version, >,
                          ((RdMigration *) g_ptr_array_index (status, i - 1))->version);
    }
  g_assert_cmpuint (((RdMigration *) g_ptr_array_index (status, status->len - 1))->version, ==,
                    latest);
  g_assert_cmpstr (((RdMigration *) g_ptr_array_index (status, 0))->name, ==, "0001-schema.sql");
}

static void
test_apply_idempotent (void)
{
  g_autofree char *conninfo = create_database ("rd_mig_apply");
  g_autoptr(RdDb) db = connect_to (conninfo);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  GResource *resource = rd_test_migrations_get_resource ();
  guint n_applied = 0;

  /* Before any migration the bookkeeping table does not even exist. */
  before = rd_migrations_status_from_sync (db, resource, TEST_PATH ("good"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (before->len, ==, 2);
  g_assert_cmpuint (((RdMigration *) g_ptr_array_index (before, 0))->version, ==, 1);
  g_assert_cmpstr (((RdMigration *) g_ptr_array_index (before, 1))->name, ==, "0002-second.sql");
  g_assert_null (((RdMigration *) g_ptr_array_index (before, 0))->applied_at);
  g_assert_null (((RdMigration *) g_ptr_array_index (before, 1))->applied_at);

  g_assert_true (rd_migrations_apply_from_sync (db, resource, TEST_PATH ("good"), &n_applied,
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, 2);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM mig_second"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT extra FROM mig_first"), ==, 0);

  g_assert_true (rd_migrations_apply_from_sync (db, resource, TEST_PATH ("good"), &n_applied,
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM mig_first"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM regdesk_meta.schema_migrations "
                                  "WHERE length(checksum) = 64"), ==, 2);

  after = rd_migrations_status_from_sync (db, resource, TEST_PATH ("good"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, 2);
  g_assert_nonnull (((RdMigration *) g_ptr_array_index (after, 0))->applied_at);
  g_assert_nonnull (((RdMigration *) g_ptr_array_index (after, 1))->applied_at);
}

static void
test_failure_rolls_back (void)
{
  g_autofree char *conninfo = create_database ("rd_mig_bad");
  g_autoptr(RdDb) db = connect_to (conninfo);
  g_autoptr(GError) error = NULL;
  GResource *resource = rd_test_migrations_get_resource ();
  guint n_applied = 0;

  g_assert_false (rd_migrations_apply_from_sync (db, resource, TEST_PATH ("bad"), &n_applied,
                                                 NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "0002-broken.sql"));
  g_assert_nonnull (strstr (error->message, "division by zero"));
  g_assert_cmpstr (rd_store_error_get_sqlstate (error), ==, "22012");
  g_assert_cmpuint (n_applied, ==, 1);

  /* The first stays, the broken one left nothing, the session is usable. */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM mig_first"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT (to_regclass('mig_half') IS NULL)::int"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT max(version) FROM regdesk_meta.schema_migrations"),
                   ==, 1);
  g_clear_error (&error);

  /* The fixed program carries on from there. */
  g_assert_true (rd_migrations_apply_from_sync (db, resource, TEST_PATH ("good"), &n_applied,
                                                NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_applied, ==, 1);
}

static void
test_newer_database (void)
{
  g_autofree char *conninfo = create_database ("rd_mig_newer");
  g_autoptr(RdDb) db = connect_to (conninfo);
  g_autoptr(RdResult) insert = NULL;
  g_autoptr(GPtrArray) status = NULL;
  g_autoptr(GError) error = NULL;
  GResource *resource = rd_test_migrations_get_resource ();
  guint n_applied = 0;

  g_assert_true (rd_migrations_apply_from_sync (db, resource, TEST_PATH ("good"), &n_applied,
                                                NULL, &error));
  insert = query (db,
                  "INSERT INTO regdesk_meta.schema_migrations (version, name, checksum) "
                  "VALUES (7, '0007-future.sql', 'x')",
                  0, NULL);

  g_assert_false (rd_migrations_apply_from_sync (db, resource, TEST_PATH ("good"), &n_applied,
                                                 NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA);
  g_assert_cmpuint (n_applied, ==, 0);
  g_clear_error (&error);

  /* Status still shows it. */
  status = rd_migrations_status_from_sync (db, resource, TEST_PATH ("good"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (status->len, ==, 3);
  g_assert_cmpstr (((RdMigration *) g_ptr_array_index (status, 2))->name, ==, "0007-future.sql");
}

typedef struct
{
  char    *conninfo;
  guint    n_applied;
  GError  *error;
} Migrator;

static gpointer
migrator_thread (gpointer data)
{
  Migrator *migrator = data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(RdDb) db = NULL;

  /* An RdDb lives in the context of the thread that made it. */
  g_main_context_push_thread_default (context);
  db = rd_db_new (migrator->conninfo);
  if (rd_db_connect_sync (db, NULL, &migrator->error))
    rd_migrations_apply_from_sync (db, rd_test_migrations_get_resource (), TEST_PATH ("slow"),
                                   &migrator->n_applied, NULL, &migrator->error);
  rd_db_close (db);
  g_clear_object (&db);
  g_main_context_pop_thread_default (context);

  return NULL;
}

static void
test_concurrent (void)
{
  g_autofree char *conninfo = create_database ("rd_mig_race");
  g_autoptr(RdDb) watcher = connect_to (conninfo);
  Migrator first = { conninfo, 0, NULL };
  Migrator second = { conninfo, 0, NULL };
  GThread *threads[2];
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  gint64 waiting = 0;

  threads[0] = g_thread_new ("migrator-1", migrator_thread, &first);
  threads[1] = g_thread_new ("migrator-2", migrator_thread, &second);

  /* The slow first migration holds the lock; the other migrator must be
   * seen waiting for it. */
  while (waiting == 0 && g_get_monotonic_time () < deadline)
    {
      waiting = query_int (watcher,
                           "SELECT count(*) FROM pg_locks "
                           "WHERE locktype = 'advisory' AND NOT granted");
      if (waiting == 0)
        g_usleep (20 * 1000);
    }
  g_assert_cmpint (waiting, ==, 1);

  g_thread_join (threads[0]);
  g_thread_join (threads[1]);

  g_assert_no_error (first.error);
  g_assert_no_error (second.error);
  g_assert_cmpuint (first.n_applied + second.n_applied, ==, 2);
  g_assert_true (first.n_applied == 0 || second.n_applied == 0);
  g_assert_cmpint (query_int (watcher, "SELECT count(*) FROM regdesk_meta.schema_migrations"),
                   ==, 2);
}

static void
test_bad_names (void)
{
  GResource *resource = rd_test_migrations_get_resource ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  list = rd_migrations_list_from (resource, TEST_PATH ("badname"), &error);
  g_assert_null (list);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA);
  g_assert_nonnull (strstr (error->message, "first.sql"));
  g_clear_error (&error);

  list = rd_migrations_list_from (resource, TEST_PATH ("dup"), &error);
  g_assert_null (list);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA);
  g_clear_error (&error);

  /* No directory: no migrations, not an error. */
  list = rd_migrations_list_from (resource, TEST_PATH ("none"), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  rd_test_pg_get ();

  g_test_add_func ("/store/migrations/program", test_program_migrations);
  g_test_add_func ("/store/migrations/idempotent", test_apply_idempotent);
  g_test_add_func ("/store/migrations/failure-rolls-back", test_failure_rolls_back);
  g_test_add_func ("/store/migrations/newer-database", test_newer_database);
  g_test_add_func ("/store/migrations/concurrent", test_concurrent);
  g_test_add_func ("/store/migrations/bad-names", test_bad_names);

  return g_test_run ();
}
