/* test-cluster.c: private clusters: start, reuse, stop, failures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "rd-test-pg.h"

static char *
make_temp_dir (void)
{
  char *dir = g_strdup ("/tmp/rd-cluster-XXXXXX");

  if (g_mkdtemp (dir) == NULL)
    g_error ("mkdtemp: %s", g_strerror (errno));

  return dir;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

static char *
query_string (RdCluster  *cluster,
              const char *sql)
{
  g_autofree char *conninfo = rd_cluster_get_conninfo (cluster, NULL, NULL);
  g_autoptr(RdDb) db = rd_db_new (conninfo);
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_db_connect_sync (db, NULL, &error));
  g_assert_no_error (error);
  result = rd_db_query_sync (db, sql, 0, NULL, NULL, &error);
  g_assert_no_error (error);

  /* Commands return no rows. */
  if (rd_result_get_n_rows (result) == 0)
    return NULL;

  return g_strdup (rd_result_get_string (result, 0, 0));
}

static gboolean
server_answers (RdCluster *cluster)
{
  g_autofree char *conninfo = rd_cluster_get_conninfo (cluster, NULL, NULL);

  return PQping (conninfo) == PQPING_OK;
}

static void
test_reuse (void)
{
  RdCluster *fixture = rd_test_pg_get ();
  g_autoptr(RdCluster) second = rd_cluster_new (rd_cluster_get_directory (fixture));
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;

  g_assert_true (rd_cluster_is_running (fixture));

  /* A second object on the same directory uses the running server. */
  g_assert_true (rd_cluster_start_sync (second, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (rd_cluster_is_running (second));
  database = query_string (second, "SELECT current_database()");
  g_assert_cmpstr (database, ==, RD_CLUSTER_DATABASE);

  /* ...and leaves it running: it did not start it. */
  g_assert_true (rd_cluster_stop_sync (second, &error));
  g_assert_no_error (error);
  g_assert_true (server_answers (fixture));
  g_assert_true (rd_cluster_is_running (fixture));
}

static void
test_lifecycle (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(RdCluster) cluster = rd_cluster_new (dir);
  g_autoptr(RdCluster) again = NULL;
  g_autoptr(RdCluster) borrower = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *log = NULL;
  struct stat st;

  g_assert_false (rd_cluster_is_running (cluster));
  g_assert_cmpstr (rd_cluster_get_socket_dir (cluster), ==, dir);

  /* A durable cluster, as the demo uses: initdb, pg_ctl start. */
  g_assert_true (rd_cluster_start_sync (cluster, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (rd_cluster_is_running (cluster));

  value = query_string (cluster, "SELECT current_setting('TimeZone')");
  g_assert_cmpstr (value, ==, "Asia/Shanghai");
  g_clear_pointer (&value, g_free);
  value = query_string (cluster, "SELECT current_setting('listen_addresses')");
  g_assert_cmpstr (value, ==, "");
  g_clear_pointer (&value, g_free);
  value = query_string (cluster, "SELECT current_setting('fsync')");
  g_assert_cmpstr (value, ==, "on");
  g_clear_pointer (&value, g_free);
  value = query_string (cluster, "SELECT pg_encoding_to_char(encoding) FROM pg_database "
                                 "WHERE datname = current_database()");
  g_assert_cmpstr (value, ==, "UTF8");
  g_clear_pointer (&value, g_free);

  /* Staff logins need their password (SCRAM); the owner is trusted. */
  {
    g_autofree char *without = rd_cluster_get_conninfo (cluster, "rd_staff", NULL);
    g_autofree char *with = rd_cluster_get_conninfo (cluster, "rd_staff", "pw");
    g_autoptr(RdDb) refused = rd_db_new (without);
    g_autoptr(RdDb) staff = rd_db_new (with);

    value = query_string (cluster, "CREATE ROLE rd_staff LOGIN PASSWORD 'pw'");
    g_assert_null (value);
    g_assert_false (rd_db_connect_sync (refused, NULL, &error));
    g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_AUTH);
    g_clear_error (&error);
    g_assert_true (rd_db_connect_sync (staff, NULL, &error));
    g_assert_no_error (error);
  }

  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* A second object borrows it and leaves it running. */
  borrower = rd_cluster_new (dir);
  g_assert_true (rd_cluster_start_sync (borrower, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (rd_cluster_stop_sync (borrower, &error));
  g_assert_true (server_answers (cluster));

  g_assert_true (rd_cluster_stop_sync (cluster, &error));
  g_assert_no_error (error);
  g_assert_false (rd_cluster_is_running (cluster));
  g_assert_false (server_answers (cluster));

  /* Started again: no second initdb, the data is still there. */
  again = rd_cluster_new (dir);
  g_assert_true (rd_cluster_start_sync (again, NULL, &error));
  g_assert_no_error (error);
  value = query_string (again, "SELECT count(*) FROM pg_roles WHERE rolname = 'rd_staff'");
  g_assert_cmpstr (value, ==, "1");
  g_assert_true (rd_cluster_stop_sync (again, &error));
  g_assert_no_error (error);
  g_assert_false (server_answers (again));

  log = g_build_filename (dir, "postgresql.log", NULL);
  g_assert_true (g_file_test (log, G_FILE_TEST_IS_REGULAR));

  remove_tree (dir);
}

static void
test_missing_binaries (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autoptr(RdCluster) cluster = rd_cluster_new (dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = g_strdup (g_getenv ("REGDESK_PG_BINDIR"));

  g_setenv ("REGDESK_PG_BINDIR", "/nonexistent", TRUE);
  g_assert_false (rd_cluster_start_sync (cluster, NULL, &error));
  if (saved != NULL)
    g_setenv ("REGDESK_PG_BINDIR", saved, TRUE);
  else
    g_unsetenv ("REGDESK_PG_BINDIR");

  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "/nonexistent"));
  g_assert_nonnull (strstr (error->message, "postgresql"));
  g_assert_false (rd_cluster_is_running (cluster));

  remove_tree (dir);
}

static void
test_long_path (void)
{
  g_autofree char *name = g_strnfill (120, 'x');
  g_autofree char *dir = g_build_filename ("/tmp", name, NULL);
  g_autoptr(RdCluster) cluster = rd_cluster_new (dir);
  g_autoptr(GError) error = NULL;

  g_assert_false (rd_cluster_start_sync (cluster, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "too long"));
  /* Refused before touching the disk. */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

static void
test_unreachable_directory (void)
{
  g_autofree char *outer = NULL;
  g_autofree char *inner = NULL;
  g_autoptr(RdCluster) cluster = NULL;
  g_autoptr(GError) error = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("Only root hands the server to another user");
      return;
    }

  /* A 0700 root directory: the server user cannot get through it. */
  outer = make_temp_dir ();
  inner = g_build_filename (outer, "cluster", NULL);
  cluster = rd_cluster_new (inner);
  g_assert_false (rd_cluster_start_sync (cluster, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, outer));
  g_assert_nonnull (strstr (error->message, "cannot enter"));

  remove_tree (outer);
}

static const char *
conninfo_value (PQconninfoOption *options,
                const char       *keyword)
{
  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      if (g_str_equal (option->keyword, keyword))
        return option->val;
    }

  return NULL;
}

static void
test_conninfo_quoting (void)
{
  g_autoptr(RdCluster) cluster = rd_cluster_new ("/tmp/a 'b\\c");
  g_autofree char *conninfo = rd_cluster_get_conninfo (cluster, "clerk 1", "p'w\\ d");
  g_autofree char *owner = rd_cluster_get_conninfo (cluster, NULL, NULL);
  PQconninfoOption *options;
  char *message = NULL;

  g_assert_cmpstr (conninfo, ==,
                   "host='/tmp/a \\'b\\\\c' port='5432' dbname='regdesk' user='clerk 1' "
                   "password='p\\'w\\\\ d'");

  /* libpq reads back exactly what went in. */
  options = PQconninfoParse (conninfo, &message);
  g_assert_null (message);
  g_assert_nonnull (options);
  g_assert_cmpstr (conninfo_value (options, "host"), ==, "/tmp/a 'b\\c");
  g_assert_cmpstr (conninfo_value (options, "user"), ==, "clerk 1");
  g_assert_cmpstr (conninfo_value (options, "password"), ==, "p'w\\ d");
  g_assert_cmpstr (conninfo_value (options, "dbname"), ==, RD_CLUSTER_DATABASE);
  PQconninfoFree (options);

  g_assert_null (strstr (owner, "password"));
  g_assert_nonnull (strstr (owner, "user='" RD_CLUSTER_OWNER "'"));
}

static void
test_bindir (void)
{
  RdCluster *fixture = rd_test_pg_get ();
  g_autofree char *psql = g_build_filename (rd_cluster_get_bindir (fixture), "psql", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_true (g_file_test (psql, G_FILE_TEST_IS_EXECUTABLE));

  /* The fixture's psql helper, through the same programs. */
  g_assert_cmpint (rd_test_pg_psql (NULL, NULL, "SELECT 40 + 2;", &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "42"));
  g_assert_cmpint (rd_test_pg_psql (NULL, NULL, "SELEC 1;", NULL, &err), ==, 3);
  g_assert_nonnull (strstr (err, "syntax error"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/cluster/conninfo-quoting", test_conninfo_quoting);
  g_test_add_func ("/store/cluster/long-path", test_long_path);
  g_test_add_func ("/store/cluster/missing-binaries", test_missing_binaries);
  g_test_add_func ("/store/cluster/unreachable-directory", test_unreachable_directory);
  g_test_add_func ("/store/cluster/reuse", test_reuse);
  g_test_add_func ("/store/cluster/bindir", test_bindir);
  g_test_add_func ("/store/cluster/lifecycle", test_lifecycle);

  return g_test_run ();
}
