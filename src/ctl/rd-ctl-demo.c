/* rd-ctl-demo.c: regdesk-ctl demo load, demo serve
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "rd-ctl.h"
#include "rd-demo-data.h"
#include "rd-demo.h"

int
rd_ctl_demo_load (RdCtl  *ctl,
                  int     argc,
                  char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *today = NULL;
  guint64 seed = RD_DEMO_SEED;
  const GOptionEntry entries[] = {
    { "seed", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &seed_text,
      N_("Generate from this seed (the same seed and day give the same rows)"), N_("N") },
    { "today", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &today,
      N_("Center the rosters on this day (default: today in Asia/Shanghai)"),
      N_("YYYY-MM-DD") },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);
  if (seed_text != NULL
      && !g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT, &seed, NULL))
    return rd_ctl_usage_error (ctl, _("The seed must be a whole number from 0 to %u, not “%s”"),
                               G_MAXUINT, seed_text);
  if (today != NULL && !rd_ctl_is_iso_date (today))
    return rd_ctl_usage_error (ctl, _("“%s” is not a date like 2024-06-01"), today);

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  if (!rd_demo_data_load_sync (db, (guint) seed, today, NULL, &error))
    return rd_ctl_fail (ctl, error);

  printf (_("Loaded the demo hospital (seed %u).\n"), (guint) seed);

  return RD_CTL_EXIT_OK;
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_CONTINUE;
}

int
rd_ctl_demo_serve (RdCtl  *ctl,
                   int     argc,
                   char  **argv)
{
  static const char *logins[] = {
    RD_DEMO_CLERK, RD_DEMO_MANAGER, RD_DEMO_FINANCE, RD_DEMO_ADMIN,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(RdCluster) cluster = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *directory = NULL;
  g_autofree char *owner = NULL;
  gboolean json = FALSE;
  guint sigint_source;
  guint sigterm_source;
  const GOptionEntry entries[] = {
    { "dir", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &directory,
      N_("Keep the demo database in DIR (default: the embedded demo's directory)"),
      N_("DIR") },
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &json,
      N_("Print the connection strings as JSON"), NULL },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);
  if (ctl->conninfo != NULL)
    return rd_ctl_usage_error (ctl, _("“demo serve” runs its own database; drop --conninfo"));
  if (directory == NULL)
    directory = rd_demo_get_default_directory ();

  loop = g_main_loop_new (NULL, FALSE);
  /* Handle the signals before the long start, so an early Ctrl+C still
   * stops the server it is starting. */
  sigint_source = g_unix_signal_add (SIGINT, on_signal, loop);
  sigterm_source = g_unix_signal_add (SIGTERM, on_signal, loop);

  cluster = rd_demo_prepare_sync (directory, NULL, &error);
  if (cluster == NULL)
    {
      g_source_remove (sigint_source);
      g_source_remove (sigterm_source);
      g_prefix_error (&error, _("Could not prepare the demo database in %s: "), directory);
      return rd_ctl_fail (ctl, error);
    }

  owner = rd_cluster_get_conninfo (cluster, NULL, NULL);
  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "directory");
      json_builder_add_string_value (builder, directory);
      json_builder_set_member_name (builder, "owner");
      json_builder_add_string_value (builder, owner);
      json_builder_set_member_name (builder, "logins");
      json_builder_begin_object (builder);
      for (guint i = 0; i < G_N_ELEMENTS (logins); i++)
        {
          g_autofree char *conninfo =
            rd_cluster_get_conninfo (cluster, logins[i], RD_DEMO_PASSWORD);

          json_builder_set_member_name (builder, logins[i]);
          json_builder_add_string_value (builder, conninfo);
        }
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      rd_ctl_print_json (root);
    }
  else
    {
      printf (_("The demo database is running in %s.\n"), directory);
      printf ("%-14s %s\n", RD_CLUSTER_OWNER, owner);
      for (guint i = 0; i < G_N_ELEMENTS (logins); i++)
        {
          g_autofree char *conninfo =
            rd_cluster_get_conninfo (cluster, logins[i], RD_DEMO_PASSWORD);

          printf ("%-14s %s\n", logins[i], conninfo);
        }
      printf (_("Press Ctrl+C to stop it.\n"));
      fflush (stdout);
    }

  g_main_loop_run (loop);

  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);

  if (!rd_cluster_stop_sync (cluster, &error))
    return rd_ctl_fail (ctl, error);

  return RD_CTL_EXIT_OK;
}
