/* rd-demo-data.c: the demo hospital
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-demo-data.h"
#include "rd-store-resources.h"

#define DEMO_SCRIPT_PATH "/io/github/regdesk/Regdesk/demo/demo.sql"

#define IS_LOADED_SQL \
  "SELECT EXISTS (SELECT 1 FROM regdesk.meta WHERE key = 'demo_seed')"

/* Two loaders started at once queue here; the second then finds the data. */
#define LOCK_SQL "SELECT pg_advisory_xact_lock(hashtext('regdesk_demo.load'))"

/* NULL today: the date in the hospital's time zone, decided by the server
 * so that a client with a wrong clock or zone still gets today's roster. */
#define LOAD_SQL \
  "SELECT regdesk_demo.load($1::int, " \
  "coalesce($2::date, (now() AT TIME ZONE 'Asia/Shanghai')::date))"

static gboolean
run (RdDb          *db,
     const char    *sql,
     guint          n_params,
     const char   **params,
     GCancellable  *cancellable,
     GError       **error)
{
  g_autoptr(RdResult) result = NULL;

  result = rd_db_query_sync (db, sql, n_params, (const char * const *) params,
                             cancellable, error);

  return result != NULL;
}

static gboolean
query_loaded (RdDb          *db,
              gboolean      *loaded,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(RdResult) result = NULL;

  result = rd_db_query_sync (db, IS_LOADED_SQL, 0, NULL, cancellable, error);
  if (result == NULL)
    return FALSE;

  *loaded = rd_result_get_n_rows (result) == 1 && rd_result_get_boolean (result, 0, 0);

  return TRUE;
}

static char *
lookup_script (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_resource_lookup_data (rd_store_get_resource (), DEMO_SCRIPT_PATH,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static gboolean
load_in_transaction (RdDb          *db,
                     const char    *script,
                     guint          seed,
                     const char    *today,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *seed_text = g_strdup_printf ("%u", seed);
  const char *params[2] = { seed_text, today };
  gboolean loaded = FALSE;

  if (!run (db, LOCK_SQL, 0, NULL, cancellable, error) ||
      !query_loaded (db, &loaded, cancellable, error))
    return FALSE;

  if (loaded)
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED,
                           _("The demo hospital is already loaded"));
      return FALSE;
    }

  return rd_db_exec_script_sync (db, script, cancellable, error) &&
         run (db, LOAD_SQL, G_N_ELEMENTS (params), params, cancellable, error);
}

gboolean
rd_demo_data_load_sync (RdDb          *owner_db,
                        guint          seed,
                        const char    *today,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *script = NULL;

  g_return_val_if_fail (RD_IS_DB (owner_db), FALSE);
  g_return_val_if_fail (seed <= G_MAXINT, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  script = lookup_script (error);
  if (script == NULL)
    return FALSE;

  if (!run (owner_db, "BEGIN", 0, NULL, cancellable, error))
    return FALSE;

  if (!load_in_transaction (owner_db, script, seed, today, cancellable, &local_error) ||
      !run (owner_db, "COMMIT", 0, NULL, cancellable, &local_error))
    {
      g_autoptr(GError) rollback_error = NULL;

      /* Not cancellable: the transaction must end whatever happened. */
      if (!run (owner_db, "ROLLBACK", 0, NULL, NULL, &rollback_error))
        g_debug ("ROLLBACK after a failed demo load failed: %s", rollback_error->message);

      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

gboolean
rd_demo_data_is_loaded_sync (RdDb          *db,
                             gboolean      *loaded,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (loaded != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return query_loaded (db, loaded, cancellable, error);
}
