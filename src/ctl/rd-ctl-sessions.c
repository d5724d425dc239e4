/* rd-ctl-sessions.c: regdesk-ctl sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-ctl.h"
#include "rd-enums.h"
#include "rd-session-list.h"
#include "rd-session.h"

/* The database's spelling, which scripts compare against. */
static const char *
status_code (RdSessionStatus status)
{
  switch (status)
    {
    case RD_SESSION_STATUS_OPEN:
      return "open";
    case RD_SESSION_STATUS_SUSPENDED:
      return "suspended";
    case RD_SESSION_STATUS_CLOSED:
      return "closed";
    default:
      g_return_val_if_reached (NULL);
    }
}

static const char *
policy_code (RdAllocationPolicy policy)
{
  switch (policy)
    {
    case RD_ALLOCATION_POLICY_FCFS:
      return "fcfs";
    case RD_ALLOCATION_POLICY_PRIORITY:
      return "priority";
    case RD_ALLOCATION_POLICY_LOTTERY:
      return "lottery";
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_session (JsonBuilder *builder,
             RdSession   *session)
{
  json_builder_begin_object (builder);
  add_int (builder, "id", rd_session_get_id (session));
  add_int (builder, "department_id", rd_session_get_department_id (session));
  add_string (builder, "department", rd_session_get_department_name (session));
  add_string (builder, "department_code", rd_session_get_department_code (session));
  add_int (builder, "doctor_id", rd_session_get_doctor_id (session));
  add_string (builder, "doctor", rd_session_get_doctor_name (session));
  add_string (builder, "doctor_title", rd_session_get_doctor_title (session));
  add_string (builder, "clinic_type", rd_session_get_clinic_type (session));
  add_int (builder, "fee", rd_session_get_fee (session));
  add_string (builder, "date", rd_session_get_date (session));
  add_string (builder, "period", rd_period_to_db (rd_session_get_period (session)));
  add_string (builder, "starts_at", rd_session_get_starts_at (session));
  add_string (builder, "ends_at", rd_session_get_ends_at (session));
  add_string (builder, "status", status_code (rd_session_get_status (session)));
  add_string (builder, "policy", policy_code (rd_session_get_policy (session)));
  add_int (builder, "capacity", rd_session_get_capacity (session));
  add_int (builder, "booked", rd_session_get_booked (session));
  json_builder_set_member_name (builder, "free");
  json_builder_begin_object (builder);
  add_int (builder, "window", rd_session_get_free (session, RD_CHANNEL_WINDOW));
  add_int (builder, "online", rd_session_get_free (session, RD_CHANNEL_ONLINE));
  add_int (builder, "phone", rd_session_get_free (session, RD_CHANNEL_PHONE));
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

int
rd_ctl_sessions (RdCtl  *ctl,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(GListModel) sessions = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *date = NULL;
  g_autofree char *department_text = NULL;
  gint64 department_id = 0;
  const GOptionEntry entries[] = {
    { "date", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &date,
      N_("The day to list (default: today in the hospital's time zone)"), N_("YYYY-MM-DD") },
    { "department", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &department_text,
      N_("Only this department's sessions"), N_("ID") },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);
  if (date != NULL && !rd_ctl_is_iso_date (date))
    return rd_ctl_usage_error (ctl, _("“%s” is not a date like 2024-06-01"), date);
  if (department_text != NULL
      && !rd_ctl_parse_id ("--department", department_text, &department_id, &error))
    return rd_ctl_fail (ctl, error);

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  sessions = rd_session_list_sync (db, date, department_id, NULL, &error);
  if (sessions == NULL)
    return rd_ctl_fail (ctl, error);

  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(RdSession) session = g_list_model_get_item (sessions, i);

      add_session (builder, session);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  rd_ctl_print_json (root);

  return RD_CTL_EXIT_OK;
}
