/* rd-ctl-lottery.c: regdesk-ctl lottery draw, maintenance run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "rd-ctl.h"
#include "rd-lottery.h"
#include "rd-maintenance.h"

static void
add_entry (JsonBuilder    *builder,
           RdLotteryEntry *entry,
           gboolean        preview)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "rank");
  json_builder_add_int_value (builder, entry->rank);
  if (preview)
    {
      json_builder_set_member_name (builder, "lottery_request_id");
      json_builder_add_int_value (builder, entry->lottery_request_id);
    }
  json_builder_set_member_name (builder, "request_id");
  json_builder_add_string_value (builder, entry->request_id);
  json_builder_set_member_name (builder, "patient_id");
  json_builder_add_int_value (builder, entry->patient_id);
  json_builder_set_member_name (builder, "channel");
  json_builder_add_string_value (builder, entry->channel);
  if (!preview)
    {
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, entry->status);
      json_builder_set_member_name (builder, "appointment_id");
      if (entry->appointment_id > 0)
        json_builder_add_int_value (builder, entry->appointment_id);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);
}

int
rd_ctl_lottery_draw (RdCtl  *ctl,
                     int     argc,
                     char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *session_text = NULL;
  gboolean preview = FALSE;
  gint64 session_id = 0;
  const GOptionEntry options[] = {
    { "session", 's', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &session_text,
      N_("The lottery session"), N_("ID") },
    { "preview", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &preview,
      N_("Only recompute the order from the stored seed; book nothing"), NULL },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, options, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);
  if (session_text == NULL)
    return rd_ctl_usage_error (ctl, _("%s is required"), "--session");
  if (!rd_ctl_parse_id ("--session", session_text, &session_id, &error))
    return rd_ctl_fail (ctl, error);

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  /* A draw is recorded: drawing again returns the same ranks, so the output
   * of a re-run is identical. */
  if (preview)
    entries = rd_lottery_preview_sync (db, session_id, NULL, &error);
  else
    entries = rd_lottery_draw_sync (db, session_id, NULL, &error);
  if (entries == NULL)
    return rd_ctl_fail (ctl, error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "session_id");
  json_builder_add_int_value (builder, session_id);
  json_builder_set_member_name (builder, "preview");
  json_builder_add_boolean_value (builder, preview);
  json_builder_set_member_name (builder, "ranks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < entries->len; i++)
    add_entry (builder, g_ptr_array_index (entries, i), preview);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  rd_ctl_print_json (root);

  return RD_CTL_EXIT_OK;
}

int
rd_ctl_maintenance_run (RdCtl  *ctl,
                        int     argc,
                        char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  RdMaintenanceReport report = { 0 };
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &json,
      N_("Print the counts as JSON"), NULL },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  if (!rd_maintenance_run_sync (db, &report, NULL, &error))
    return rd_ctl_fail (ctl, error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "expired");
      json_builder_add_int_value (builder, report.expired);
      json_builder_set_member_name (builder, "lotteries_drawn");
      json_builder_add_int_value (builder, report.lotteries_drawn);
      json_builder_set_member_name (builder, "released");
      json_builder_add_int_value (builder, report.released);
      json_builder_set_member_name (builder, "no_shows");
      json_builder_add_int_value (builder, report.no_shows);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      rd_ctl_print_json (root);
    }
  else
    {
      printf (_("Expired unpaid bookings: %d\n"), report.expired);
      printf (_("Lotteries drawn: %d\n"), report.lotteries_drawn);
      printf (_("Slots released to the window: %d\n"), report.released);
      printf (_("No-shows marked: %d\n"), report.no_shows);
    }

  return RD_CTL_EXIT_OK;
}
