/* rd-ctl-db.c: regdesk-ctl db migrate, db status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "rd-ctl.h"
#include "rd-migrations.h"

static JsonNode *
migration_to_json (RdMigration *migration)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, migration->version);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, migration->name);
  json_builder_set_member_name (builder, "applied_at");
  if (migration->applied_at != NULL)
    json_builder_add_string_value (builder, migration->applied_at);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static guint
current_version (GPtrArray *migrations)
{
  guint version = 0;

  for (guint i = 0; i < migrations->len; i++)
    {
      RdMigration *migration = g_ptr_array_index (migrations, i);

      if (migration->applied_at != NULL)
        version = MAX (version, migration->version);
    }

  return version;
}

int
rd_ctl_db_migrate (RdCtl  *ctl,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GPtrArray) applied = g_ptr_array_new ();
  gboolean json = FALSE;
  guint n_applied = 0;
  const GOptionEntry entries[] = {
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &json,
      N_("Print what was applied as JSON"), NULL },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  /* The runner takes an advisory lock, so what was pending before may have
   * been applied by someone else: compare states rather than trust a count. */
  before = rd_migrations_status_sync (db, NULL, &error);
  if (before == NULL)
    return rd_ctl_fail (ctl, error);
  if (!rd_migrations_apply_sync (db, &n_applied, NULL, &error))
    return rd_ctl_fail (ctl, error);
  after = rd_migrations_status_sync (db, NULL, &error);
  if (after == NULL)
    return rd_ctl_fail (ctl, error);

  for (guint i = 0; i < after->len && i < before->len; i++)
    {
      RdMigration *was = g_ptr_array_index (before, i);
      RdMigration *is = g_ptr_array_index (after, i);

      if (was->applied_at == NULL && is->applied_at != NULL)
        g_ptr_array_add (applied, is);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "applied");
      json_builder_begin_array (builder);
      for (guint i = 0; i < applied->len; i++)
        json_builder_add_value (builder, migration_to_json (g_ptr_array_index (applied, i)));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, current_version (after));
      json_builder_set_member_name (builder, "latest");
      json_builder_add_int_value (builder, rd_migrations_get_latest ());
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      rd_ctl_print_json (root);
    }
  else
    {
      for (guint i = 0; i < applied->len; i++)
        {
          RdMigration *migration = g_ptr_array_index (applied, i);

          printf (_("Applied %u %s\n"), migration->version, migration->name);
        }
      if (applied->len == 0)
        printf (_("Nothing to apply: the schema is at version %u.\n"), current_version (after));
      else
        printf (_("The schema is at version %u.\n"), current_version (after));
    }

  return RD_CTL_EXIT_OK;
}

int
rd_ctl_db_status (RdCtl  *ctl,
                  int     argc,
                  char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(GPtrArray) migrations = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &json,
      N_("Print the migrations as JSON"), NULL },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  migrations = rd_migrations_status_sync (db, NULL, &error);
  if (migrations == NULL)
    return rd_ctl_fail (ctl, error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, current_version (migrations));
      json_builder_set_member_name (builder, "latest");
      json_builder_add_int_value (builder, rd_migrations_get_latest ());
      json_builder_set_member_name (builder, "migrations");
      json_builder_begin_array (builder);
      for (guint i = 0; i < migrations->len; i++)
        json_builder_add_value (builder, migration_to_json (g_ptr_array_index (migrations, i)));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      rd_ctl_print_json (root);
    }
  else
    {
      for (guint i = 0; i < migrations->len; i++)
        {
          RdMigration *migration = g_ptr_array_index (migrations, i);

          printf ("%4u  %-32s  %s\n",
                  migration->version,
                  migration->name,
                  migration->applied_at != NULL ? migration->applied_at : _("pending"));
        }
      printf (_("Schema version %u; this program knows version %u.\n"),
              current_version (migrations), rd_migrations_get_latest ());
    }

  return RD_CTL_EXIT_OK;
}
