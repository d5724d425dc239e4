/* test-demo.c: preparing the embedded demo (cluster, migrations, demo data)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "rd-db.h"
#include "rd-demo-data.h"
#include "rd-demo.h"
#include "rd-migrations.h"
#include "rd-staff.h"

static void
test_default_directory (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("REGDESK_DEMO_DIR"));
  g_autofree char *overridden = NULL;
  g_autofree char *fallback = NULL;

  g_setenv ("REGDESK_DEMO_DIR", "/srv/regdesk-demo", TRUE);
  overridden = rd_demo_get_default_directory ();
  g_assert_cmpstr (overridden, ==, "/srv/regdesk-demo");

  /* Empty means unset, not the current directory. */
  g_setenv ("REGDESK_DEMO_DIR", "", TRUE);
  fallback = rd_demo_get_default_directory ();
  if (geteuid () == 0)
    {
      g_assert_cmpstr (fallback, ==, "/var/lib/regdesk/demo");
    }
  else
    {
      g_autofree char *expected = g_build_filename (g_get_user_data_dir (),
                                                    "regdesk", "demo", NULL);

      g_assert_cmpstr (fallback, ==, expected);
    }

  if (saved != NULL)
    g_setenv ("REGDESK_DEMO_DIR", saved, TRUE);
  else
    g_unsetenv ("REGDESK_DEMO_DIR");
}

static void
prepared_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (object);
  *out = g_object_ref (result);
}

static void
assert_demo_ready (RdCluster *cluster)
{
  g_autofree char *conninfo = rd_cluster_get_conninfo (cluster, RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autoptr(RdDb) clerk = rd_db_new (conninfo);
  g_autoptr(RdWhoami) whoami = NULL;
  g_autoptr(RdResult) sessions = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_cluster_is_running (cluster));
  g_assert_true (rd_db_connect_sync (clerk, NULL, &error));
  g_assert_no_error (error);
  whoami = rd_staff_whoami_sync (clerk, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (whoami->roles, ==, RD_ROLE_CLERK);
  sessions = rd_db_query_sync (clerk, "SELECT count(*) FROM api.session_overview", 0, NULL,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int64 (sessions, 0, 0), >, 0);
}

static void
test_prepare (void)
{
  g_autofree char *directory = g_dir_make_tmp ("regdesk-demo-XXXXXX", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(RdCluster) cluster = NULL;
  g_autoptr(RdCluster) again = NULL;
  g_autoptr(RdDb) owner = NULL;
  g_autoptr(RdResult) seeds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *owner_conninfo = NULL;
  const char *argv[] = { "rm", "-rf", directory, NULL };

  g_assert_nonnull (directory);
  g_chmod (directory, 0755);

  /* The UI's way: in a thread, the main loop stays free. */
  rd_demo_prepare_async (directory, NULL, prepared_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  cluster = rd_demo_prepare_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cluster);
  assert_demo_ready (cluster);

  /* Preparing again reuses the running server and loads nothing twice. */
  again = rd_demo_prepare_sync (directory, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);
  assert_demo_ready (again);

  owner_conninfo = rd_cluster_get_conninfo (cluster, NULL, NULL);
  owner = rd_db_new (owner_conninfo);
  g_assert_true (rd_db_connect_sync (owner, NULL, &error));
  seeds = rd_db_query_sync (owner,
                            "SELECT count(*) FROM regdesk.hospitals", 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int64 (seeds, 0, 0), ==, 1);
  rd_db_close (owner);

  g_assert_true (rd_cluster_stop_sync (cluster, &error));
  g_assert_no_error (error);
  g_assert_false (rd_cluster_is_running (cluster));

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                NULL, &error);
  g_assert_no_error (error);
}

static void
test_prepare_unusable_directory (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdCluster) cluster = NULL;

  /* A file where the directory should be: an error, not a crash. */
  cluster = rd_demo_prepare_sync ("/dev/null/regdesk-demo", NULL, &error);
  g_assert_null (cluster);
  g_assert_nonnull (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/demo/default-directory", test_default_directory);
  g_test_add_func ("/demo/prepare", test_prepare);
  g_test_add_func ("/demo/prepare-unusable-directory", test_prepare_unusable_directory);

  return g_test_run ();
}
