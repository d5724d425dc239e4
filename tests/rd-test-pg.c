/* rd-test-pg.c: a real PostgreSQL server for the db and ui suites
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "rd-demo-data.h"
#include "rd-demo.h"
#include "rd-migrations.h"
#include "rd-test-pg.h"

/* A crashed test's directory this old, with no server, is swept away. */
#define STALE_AGE_S (10 * 60)

static RdCluster *cluster;
static char *cluster_dir;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) &&
              !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            remove_tree (child);
          else
            g_unlink (child);
        }
    }

  g_rmdir (path);
}

static void
rd_test_pg_cleanup (void)
{
  g_autoptr(GError) error = NULL;

  if (cluster == NULL)
    return;

  if (!rd_cluster_stop_sync (cluster, &error))
    g_printerr ("# stopping the test database server failed: %s\n", error->message);

  g_clear_object (&cluster);
  remove_tree (cluster_dir);
  g_clear_pointer (&cluster_dir, g_free);
}

/* Directories of test programs that crashed: their server died with them
 * (the fixture's server gets SIGQUIT when its parent dies), the files stay.
 * Old ones without a live postmaster go. */
static void
sweep_stale_dirs (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/tmp", 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *pid_file = NULL;
      g_autofree char *contents = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, "rd-test-") || strlen (name) != strlen ("rd-test-XXXXXX"))
        continue;

      path = g_build_filename ("/tmp", name, NULL);
      if (g_lstat (path, &st) != 0 || !S_ISDIR (st.st_mode) || now - st.st_mtime < STALE_AGE_S)
        continue;

      pid_file = g_build_filename (path, "data", "postmaster.pid", NULL);
      if (g_file_get_contents (pid_file, &contents, NULL, NULL))
        {
          gint64 pid = g_ascii_strtoll (contents, NULL, 10);

          if (pid > 0 && (kill ((pid_t) pid, 0) == 0 || errno == EPERM))
            continue;
        }

      remove_tree (path);
    }
}

/* A cleanly stopped cluster to copy instead of running initdb for every
 * test program; keyed by the server programs it was made with. */
static char *
get_template_dir (const char *bindir)
{
  g_autofree char *initdb = g_build_filename (bindir, "initdb", NULL);
  g_autofree char *key = NULL;
  GStatBuf st;

  if (g_stat (initdb, &st) != 0)
    return NULL;

  key = g_strdup_printf ("%s:%" G_GINT64_FORMAT, bindir, (gint64) st.st_mtime);

  return g_strdup_printf ("/tmp/rd-test-tpl-%u-%08x", (guint) geteuid (), g_str_hash (key));
}

static gboolean
make_template (const char  *template_dir,
               GError     **error)
{
  g_autofree char *tmp = g_strdup ("/tmp/rd-test-new-XXXXXX");
  g_autoptr(RdCluster) maker = NULL;

  if (g_mkdtemp (tmp) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "mkdtemp: %s", g_strerror (saved_errno));
      return FALSE;
    }

  maker = rd_cluster_new (tmp);
  rd_cluster_set_ephemeral (maker, TRUE);
  if (!rd_cluster_start_sync (maker, NULL, error) || !rd_cluster_stop_sync (maker, error))
    {
      g_clear_object (&maker);
      remove_tree (tmp);
      return FALSE;
    }
  g_clear_object (&maker);

  /* Atomic: a racing test program either finds the whole template or none
   * (and if it made one too, one of the two renames fails harmlessly). */
  if (g_rename (tmp, template_dir) != 0)
    remove_tree (tmp);

  return TRUE;
}

static void
copy_template (RdCluster *target)
{
  g_autofree char *template_dir = NULL;
  g_autofree char *template_data = NULL;
  g_autofree char *version = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  const char *bindir = rd_cluster_get_bindir (target);
  int status = -1;

  if (bindir == NULL || (template_dir = get_template_dir (bindir)) == NULL)
    return;

  template_data = g_build_filename (template_dir, "data", NULL);
  version = g_build_filename (template_data, "PG_VERSION", NULL);
  if (!g_file_test (version, G_FILE_TEST_EXISTS) && !make_template (template_dir, &error))
    {
      g_test_message ("no cluster template (%s); running initdb", error->message);
      return;
    }

  /* cp -a keeps the server user's ownership when root runs the tests. */
  data = g_build_filename (rd_cluster_get_directory (target), "data", NULL);
  {
    const char *argv[] = { "cp", "-a", template_data, data, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                       &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        g_test_message ("copying the cluster template failed (%s); running initdb",
                        error->message);
        remove_tree (data);
      }
  }
}

static RdCluster *
start_cluster (void)
{
  g_autoptr(RdCluster) started = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  gint64 begin = g_get_monotonic_time ();
  guint n_applied = 0;

  /* Under /tmp, not $TMPDIR: the socket path must stay short. */
  cluster_dir = g_strdup ("/tmp/rd-test-XXXXXX");
  if (g_mkdtemp (cluster_dir) == NULL)
    g_error ("Could not create a directory for the test database: %s", g_strerror (errno));

  sweep_stale_dirs ();

  started = rd_cluster_new (cluster_dir);
  rd_cluster_set_ephemeral (started, TRUE);
  copy_template (started);
  if (!rd_cluster_start_sync (started, NULL, &error))
    g_error ("Could not start the test database server in %s: %s", cluster_dir, error->message);

  cluster = g_object_ref (started);
  atexit (rd_test_pg_cleanup);

  conninfo = rd_cluster_get_conninfo (cluster, NULL, NULL);
  db = rd_db_new (conninfo);
  if (!rd_db_connect_sync (db, NULL, &error))
    g_error ("Could not connect to the test database: %s", error->message);
  if (!rd_migrations_apply_sync (db, &n_applied, NULL, &error))
    g_error ("Could not migrate the test database: %s", error->message);
  rd_db_close (db);

  g_test_message ("test database in %s ready in %.2f s (%u migrations)", cluster_dir,
                  (g_get_monotonic_time () - begin) / (double) G_USEC_PER_SEC, n_applied);

  return cluster;
}

RdCluster *
rd_test_pg_get (void)
{
  if (cluster == NULL)
    start_cluster ();

  return cluster;
}

char *
rd_test_pg_conninfo (const char *user,
                     const char *password)
{
  return rd_cluster_get_conninfo (rd_test_pg_get (), user, password);
}

RdDb *
rd_test_pg_connect (const char *user,
                    const char *password)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (user, password);
  g_autoptr(RdDb) db = rd_db_new (conninfo);
  g_autoptr(GError) error = NULL;

  if (!rd_db_connect_sync (db, NULL, &error))
    g_error ("Could not connect to the test database as %s: %s",
             user != NULL ? user : RD_CLUSTER_OWNER, error->message);

  return g_steal_pointer (&db);
}

void
rd_test_pg_load_demo (void)
{
  static gboolean loaded;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(GError) error = NULL;

  if (loaded)
    return;

  db = rd_test_pg_connect (NULL, NULL);
  if (!rd_demo_data_load_sync (db, RD_DEMO_SEED, NULL, NULL, &error))
    g_error ("Could not load the demo data: %s", error->message);
  rd_db_close (db);

  loaded = TRUE;
}

int
rd_test_pg_psql (const char  *user,
                 const char  *password,
                 const char  *sql,
                 char       **out,
                 char       **err)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *psql = NULL;
  g_autofree char *conninfo = NULL;
  g_autoptr(GBytes) stdin_bytes = NULL;
  g_autoptr(GBytes) stdout_bytes = NULL;
  g_autoptr(GBytes) stderr_bytes = NULL;
  RdCluster *self = rd_test_pg_get ();
  int status;

  g_return_val_if_fail (sql != NULL, -1);

  psql = g_build_filename (rd_cluster_get_bindir (self), "psql", NULL);
  /* The password travels in the environment, never in argv. */
  conninfo = rd_cluster_get_conninfo (self, user, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_unsetenv (launcher, "PGPASSFILE");
  g_subprocess_launcher_unsetenv (launcher, "PGOPTIONS");
  if (password != NULL)
    g_subprocess_launcher_setenv (launcher, "PGPASSWORD", password, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "PGPASSWORD");

  process = g_subprocess_launcher_spawn (launcher, &error,
                                         psql, "-X", "-v", "ON_ERROR_STOP=1", "-q",
                                         conninfo, NULL);
  if (process == NULL)
    g_error ("Could not run %s: %s", psql, error->message);

  stdin_bytes = g_bytes_new (sql, strlen (sql));
  if (!g_subprocess_communicate (process, stdin_bytes, NULL, &stdout_bytes, &stderr_bytes, &error))
    g_error ("Could not talk to psql: %s", error->message);

  status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;

  if (out != NULL)
    *out = g_strndup (g_bytes_get_data (stdout_bytes, NULL), g_bytes_get_size (stdout_bytes));
  if (err != NULL)
    *err = g_strndup (g_bytes_get_data (stderr_bytes, NULL), g_bytes_get_size (stderr_bytes));

  return status;
}
