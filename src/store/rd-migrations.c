/* rd-migrations.c: numbered schema changes compiled in from data/sql/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "rd-migrations-private.h"
#include "rd-store-resources.h"

/* The advisory lock every migrator takes ("RdMigr" in ASCII). */
#define MIGRATIONS_LOCK_KEY "90590748960626"

static const char meta_sql[] =
  "CREATE SCHEMA IF NOT EXISTS regdesk_meta;\n"
  "CREATE TABLE IF NOT EXISTS regdesk_meta.schema_migrations (\n"
  "  version    integer PRIMARY KEY,\n"
  "  name       text NOT NULL,\n"
  "  checksum   text NOT NULL,\n"
  "  applied_at timestamptz NOT NULL DEFAULT now()\n"
  ");\n";

typedef struct
{
  guint   version;
  char   *name;
  char   *script;
  char   *checksum;
} Migration;

static void
migration_free (Migration *migration)
{
  g_free (migration->name);
  g_free (migration->script);
  g_free (migration->checksum);
  g_free (migration);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Migration, migration_free)

void
rd_migration_free (RdMigration *migration)
{
  if (migration == NULL)
    return;

  g_free (migration->name);
  g_free (migration->applied_at);
  g_free (migration);
}

static int
compare_migrations (gconstpointer a,
                    gconstpointer b)
{
  const Migration *ma = *(const Migration * const *) a;
  const Migration *mb = *(const Migration * const *) b;

  return (ma->version > mb->version) - (ma->version < mb->version);
}

static int
compare_rd_migrations (gconstpointer a,
                       gconstpointer b)
{
  const RdMigration *ma = *(const RdMigration * const *) a;
  const RdMigration *mb = *(const RdMigration * const *) b;

  return (ma->version > mb->version) - (ma->version < mb->version);
}

/* "0001-schema.sql" → 1; FALSE for anything else. */
static gboolean
parse_name (const char *name,
            guint      *version)
{
  const char *p = name;
  guint64 value = 0;

  if (!g_str_has_suffix (name, ".sql"))
    return FALSE;

  while (g_ascii_isdigit (*p))
    {
      value = value * 10 + (guint64) (*p - '0');
      if (value > G_MAXINT)
        return FALSE;
      p++;
    }

  if (p == name || *p != '-' || value == 0)
    return FALSE;

  /* The name goes into the table as it is: keep it plain. */
  for (; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
        return FALSE;
    }

  *version = (guint) value;

  return TRUE;
}

/* The migrations of @path with their scripts, oldest first (Migration). */
static GPtrArray *
load_migrations (GResource  *resource,
                 const char *path,
                 GError    **error)
{
  g_autoptr(GPtrArray) migrations = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) children = NULL;

  migrations = g_ptr_array_new_with_free_func ((GDestroyNotify) migration_free);

  children = g_resource_enumerate_children (resource, path, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                            &local_error);
  if (children == NULL)
    {
      /* No migrations at all is a valid, if empty, program. */
      if (g_error_matches (local_error, G_RESOURCE_ERROR, G_RESOURCE_ERROR_NOT_FOUND))
        return g_steal_pointer (&migrations);

      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  for (guint i = 0; children[i] != NULL; i++)
    {
      g_autoptr(Migration) migration = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *resource_path = NULL;
      guint version;
      gsize size;
      const char *data;

      if (g_str_has_suffix (children[i], "/") || !g_str_has_suffix (children[i], ".sql"))
        continue;

      if (!parse_name (children[i], &version))
        {
          g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                       _("Badly named migration “%s”: expected NNNN-name.sql"), children[i]);
          return NULL;
        }

      for (guint j = 0; j < migrations->len; j++)
        {
          const Migration *other = g_ptr_array_index (migrations, j);

          if (other->version == version)
            {
              g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                           _("Migrations “%s” and “%s” have the same number"),
                           other->name, children[i]);
              return NULL;
            }
        }

      resource_path = g_build_path ("/", path, children[i], NULL);
      bytes = g_resource_lookup_data (resource, resource_path, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                      error);
      if (bytes == NULL)
        return NULL;

      data = g_bytes_get_data (bytes, &size);
      if (!g_utf8_validate_len (data, size, NULL) || memchr (data, '\0', size) != NULL)
        {
          g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                       _("Migration “%s” is not valid UTF-8 text"), children[i]);
          return NULL;
        }

      migration = g_new0 (Migration, 1);
      migration->version = version;
      migration->name = g_strdup (children[i]);
      migration->script = g_strndup (data, size);
      migration->checksum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
      g_ptr_array_add (migrations, g_steal_pointer (&migration));
    }

  g_ptr_array_sort (migrations, compare_migrations);

  return g_steal_pointer (&migrations);
}

GPtrArray *
rd_migrations_list_from (GResource   *resource,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(GPtrArray) migrations = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_return_val_if_fail (resource != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  migrations = load_migrations (resource, path, error);
  if (migrations == NULL)
    return NULL;

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_migration_free);
  for (guint i = 0; i < migrations->len; i++)
    {
      const Migration *migration = g_ptr_array_index (migrations, i);
      RdMigration *item = g_new0 (RdMigration, 1);

      item->version = migration->version;
      item->name = g_strdup (migration->name);
      g_ptr_array_add (list, item);
    }

  return g_steal_pointer (&list);
}

guint
rd_migrations_get_latest (void)
{
  g_autoptr(GPtrArray) migrations = NULL;
  g_autoptr(GError) error = NULL;

  migrations = load_migrations (rd_store_get_resource (), RD_MIGRATIONS_PATH, &error);
  if (migrations == NULL)
    {
      g_critical ("The compiled-in migrations are broken: %s", error->message);
      return 0;
    }

  if (migrations->len == 0)
    return 0;

  return ((Migration *) g_ptr_array_index (migrations, migrations->len - 1))->version;
}

static gboolean
run_statement (RdDb          *db,
               const char    *sql,
               guint          n_params,
               const char   **params,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(RdResult) result = NULL;

  result = rd_db_query_sync (db, sql, n_params, (const char * const *) params, cancellable, error);

  return result != NULL;
}

static gboolean
apply_one (RdDb             *db,
           const Migration  *migration,
           GCancellable     *cancellable,
           GError          **error)
{
  g_autofree char *version = g_strdup_printf ("%u", migration->version);
  const char *params[] = { version, migration->name, migration->checksum };

  g_debug ("Applying migration %s", migration->name);

  if (!run_statement (db, "BEGIN", 0, NULL, cancellable, error))
    return FALSE;

  /* The script and its row commit together or not at all. */
  if (!rd_db_exec_script_sync (db, migration->script, cancellable, error) ||
      !run_statement (db,
                      "INSERT INTO regdesk_meta.schema_migrations (version, name, checksum) "
                      "VALUES ($1::integer, $2, $3)",
                      G_N_ELEMENTS (params), params, cancellable, error) ||
      !run_statement (db, "COMMIT", 0, NULL, cancellable, error))
    {
      g_autoptr(GError) rollback_error = NULL;

      if (!run_statement (db, "ROLLBACK", 0, NULL, NULL, &rollback_error))
        g_debug ("ROLLBACK after a failed migration failed: %s", rollback_error->message);

      g_prefix_error (error, _("Migration %s failed: "), migration->name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
apply_locked (RdDb          *db,
              GPtrArray     *migrations,
              guint         *n_applied,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GHashTable) applied = NULL;
  g_autoptr(RdResult) result = NULL;
  guint latest = 0;
  guint newest_applied = 0;

  if (!rd_db_exec_script_sync (db, meta_sql, cancellable, error))
    return FALSE;

  result = rd_db_query_sync (db,
                             "SELECT version, checksum FROM regdesk_meta.schema_migrations "
                             "ORDER BY version",
                             0, NULL, cancellable, error);
  if (result == NULL)
    return FALSE;

  applied = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  for (guint row = 0; row < rd_result_get_n_rows (result); row++)
    {
      guint version = (guint) rd_result_get_int64 (result, row, 0);

      g_hash_table_insert (applied, GUINT_TO_POINTER (version),
                           g_strdup (rd_result_get_string (result, row, 1)));
      newest_applied = MAX (newest_applied, version);
    }

  if (migrations->len > 0)
    latest = ((Migration *) g_ptr_array_index (migrations, migrations->len - 1))->version;

  if (newest_applied > latest)
    {
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                   _("The database schema (version %u) is newer than this program "
                     "(version %u); update Regdesk"),
                   newest_applied, latest);
      return FALSE;
    }

  for (guint i = 0; i < migrations->len; i++)
    {
      const Migration *migration = g_ptr_array_index (migrations, i);
      const char *checksum;

      if (g_hash_table_lookup_extended (applied, GUINT_TO_POINTER (migration->version),
                                        NULL, (gpointer *) &checksum))
        {
          /* Worth telling a developer, not worth refusing to run. */
          if (g_strcmp0 (checksum, migration->checksum) != 0)
            g_message ("Migration %s changed after it was applied", migration->name);
          continue;
        }

      if (!apply_one (db, migration, cancellable, error))
        return FALSE;

      (*n_applied)++;
    }

  return TRUE;
}

gboolean
rd_migrations_apply_from_sync (RdDb          *db,
                               GResource     *resource,
                               const char    *path,
                               guint         *n_applied,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(GPtrArray) migrations = NULL;
  g_autoptr(GError) unlock_error = NULL;
  const char *params[] = { MIGRATIONS_LOCK_KEY };
  guint count = 0;
  gboolean ret;

  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (resource != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_applied != NULL)
    *n_applied = 0;

  migrations = load_migrations (resource, path, error);
  if (migrations == NULL)
    return FALSE;

  /* A second migrator waits here until the first is done, then finds
   * nothing left to do. */
  if (!run_statement (db, "SELECT pg_advisory_lock($1::bigint)", 1, params, cancellable, error))
    return FALSE;

  ret = apply_locked (db, migrations, &count, cancellable, error);

  if (!run_statement (db, "SELECT pg_advisory_unlock($1::bigint)", 1, params, NULL,
                      &unlock_error))
    {
      /* The lock is the session's: it goes with the connection anyway. */
      g_debug ("Releasing the migration lock failed: %s", unlock_error->message);
    }

  if (n_applied != NULL)
    *n_applied = count;

  return ret;
}

gboolean
rd_migrations_apply_sync (RdDb          *db,
                          guint         *n_applied,
                          GCancellable  *cancellable,
                          GError       **error)
{
  return rd_migrations_apply_from_sync (db, rd_store_get_resource (), RD_MIGRATIONS_PATH,
                                        n_applied, cancellable, error);
}

GPtrArray *
rd_migrations_status_from_sync (RdDb          *db,
                                GResource     *resource,
                                const char    *path,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(RdResult) exists = NULL;
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GHashTable) by_version = NULL;

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (resource != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  list = rd_migrations_list_from (resource, path, error);
  if (list == NULL)
    return NULL;

  exists = rd_db_query_sync (db,
                             "SELECT to_regclass('regdesk_meta.schema_migrations') IS NOT NULL",
                             0, NULL, cancellable, error);
  if (exists == NULL)
    return NULL;

  if (!rd_result_get_boolean (exists, 0, 0))
    return g_steal_pointer (&list);

  result = rd_db_query_sync (db,
                             "SELECT version, name, "
                             "to_char(applied_at AT TIME ZONE 'UTC', "
                             "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
                             "FROM regdesk_meta.schema_migrations ORDER BY version",
                             0, NULL, cancellable, error);
  if (result == NULL)
    return NULL;

  by_version = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < list->len; i++)
    {
      RdMigration *migration = g_ptr_array_index (list, i);

      g_hash_table_insert (by_version, GUINT_TO_POINTER (migration->version), migration);
    }

  for (guint row = 0; row < rd_result_get_n_rows (result); row++)
    {
      guint version = (guint) rd_result_get_int64 (result, row, 0);
      RdMigration *migration = g_hash_table_lookup (by_version, GUINT_TO_POINTER (version));

      /* Applied by a newer program: still worth showing. */
      if (migration == NULL)
        {
          migration = g_new0 (RdMigration, 1);
          migration->version = version;
          migration->name = g_strdup (rd_result_get_string (result, row, 1));
          g_ptr_array_add (list, migration);
        }

      g_free (migration->applied_at);
      migration->applied_at = g_strdup (rd_result_get_string (result, row, 2));
    }

  g_ptr_array_sort (list, compare_rd_migrations);

  return g_steal_pointer (&list);
}

GPtrArray *
rd_migrations_status_sync (RdDb          *db,
                           GCancellable  *cancellable,
                           GError       **error)
{
  return rd_migrations_status_from_sync (db, rd_store_get_resource (), RD_MIGRATIONS_PATH,
                                         cancellable, error);
}
