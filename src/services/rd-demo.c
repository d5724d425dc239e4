/* rd-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-services"

#include "config.h"

#include <unistd.h>

#include "rd-db.h"
#include "rd-demo-data.h"
#include "rd-demo.h"
#include "rd-migrations.h"

char *
rd_demo_get_default_directory (void)
{
  const char *dir = g_getenv ("REGDESK_DEMO_DIR");

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);

  /* Root's home is not reachable by the unprivileged server user. */
  if (geteuid () == 0)
    return g_strdup ("/var/lib/regdesk/demo");

  return g_build_filename (g_get_user_data_dir (), "regdesk", "demo", NULL);
}

static gboolean
load_demo_data (RdDb          *db,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean loaded = FALSE;

  if (!rd_demo_data_is_loaded_sync (db, &loaded, cancellable, error))
    return FALSE;
  if (loaded)
    return TRUE;

  if (rd_demo_data_load_sync (db, RD_DEMO_SEED, NULL, cancellable, &local_error))
    return TRUE;

  /* Another program preparing the same demo at the same time won the race:
   * the data is there, which is all we wanted. */
  if (g_error_matches (local_error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED)
      && rd_demo_data_is_loaded_sync (db, &loaded, cancellable, NULL)
      && loaded)
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));

  return FALSE;
}

RdCluster *
rd_demo_prepare_sync (const char    *directory,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(RdCluster) cluster = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autofree char *default_directory = NULL;
  g_autofree char *conninfo = NULL;
  gboolean ok;

  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (directory == NULL)
    directory = default_directory = rd_demo_get_default_directory ();

  cluster = rd_cluster_new (directory);
  if (!rd_cluster_start_sync (cluster, cancellable, error))
    return NULL;

  conninfo = rd_cluster_get_conninfo (cluster, NULL, NULL);
  db = rd_db_new (conninfo);
  ok = rd_db_connect_sync (db, cancellable, error)
       && rd_migrations_apply_sync (db, NULL, cancellable, error)
       && load_demo_data (db, cancellable, error);
  rd_db_close (db);

  if (!ok)
    {
      /* Leave nothing running behind a failure (a no-op when the server
       * was already running before we came). */
      rd_cluster_stop_sync (cluster, NULL);
      return NULL;
    }

  return g_steal_pointer (&cluster);
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  RdCluster *cluster;
  GError *error = NULL;

  /* Anything the store attaches while we block belongs to this thread,
   * never to the caller's main loop. */
  g_main_context_push_thread_default (context);
  cluster = rd_demo_prepare_sync (task_data, cancellable, &error);
  g_main_context_pop_thread_default (context);

  if (cluster == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, cluster, g_object_unref);
}

void
rd_demo_prepare_async (const char          *directory,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_demo_prepare_async);
  g_task_set_task_data (task, g_strdup (directory), g_free);
  g_task_run_in_thread (task, prepare_thread);
}

RdCluster *
rd_demo_prepare_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_demo_prepare_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
