/* rd-session-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include "rd-enums.h"
#include "rd-session-list.h"
#include "rd-session.h"

static const char list_sql[] =
  "WITH me AS ("
  "  SELECT w.hospital_id,"
  "         COALESCE($1::date, (now() AT TIME ZONE w.time_zone)::date) AS day"
  "    FROM api.whoami () AS w"
  ")"
  " SELECT s.id, s.hospital_id, s.department_id, s.department_name, s.department_code,"
  "        s.department_pinyin, s.doctor_id, s.doctor_name, s.doctor_title, s.clinic_type,"
  "        s.fee, s.date::text AS date, s.period::text AS period,"
  "        left(s.starts_at::text, 5) AS starts_at, left(s.ends_at::text, 5) AS ends_at,"
  "        s.status::text AS status, s.policy::text AS policy, s.capacity,"
  "        s.free_window, s.free_online, s.free_phone, s.booked"
  "   FROM me"
  "   JOIN api.session_overview AS s"
  "     ON s.hospital_id = me.hospital_id"
  "    AND s.date::text = to_char (me.day, 'YYYY-MM-DD')"
  "  WHERE $2::bigint IS NULL OR s.department_id = $2::bigint"
  "  ORDER BY s.department_name,"
  "           array_position (ARRAY['morning', 'afternoon', 'evening'], s.period::text),"
  "           s.starts_at, s.doctor_name, s.id";

static const char *
column_string (RdResult   *rows,
               guint       row,
               const char *name)
{
  int column = rd_result_get_column (rows, name);

  return column >= 0 && !rd_result_is_null (rows, row, column)
         ? rd_result_get_string (rows, row, column)
         : NULL;
}

static gint64
column_int64 (RdResult   *rows,
              guint       row,
              const char *name)
{
  int column = rd_result_get_column (rows, name);

  return column >= 0 && !rd_result_is_null (rows, row, column)
         ? rd_result_get_int64 (rows, row, column)
         : 0;
}

static RdSession *
session_from_row (RdResult *rows,
                  guint     row)
{
  g_autoptr(RdSession) session = rd_session_new (column_int64 (rows, row, "id"));
  int period = rd_period_from_db (column_string (rows, row, "period"));
  int status = rd_session_status_from_db (column_string (rows, row, "status"));
  int policy = rd_allocation_policy_from_db (column_string (rows, row, "policy"));

  rd_session_set_hospital_id (session, column_int64 (rows, row, "hospital_id"));
  rd_session_set_department_id (session, column_int64 (rows, row, "department_id"));
  rd_session_set_doctor_id (session, column_int64 (rows, row, "doctor_id"));
  rd_session_set_department_name (session, column_string (rows, row, "department_name"));
  rd_session_set_department_code (session, column_string (rows, row, "department_code"));
  rd_session_set_department_pinyin (session, column_string (rows, row, "department_pinyin"));
  rd_session_set_doctor_name (session, column_string (rows, row, "doctor_name"));
  rd_session_set_doctor_title (session, column_string (rows, row, "doctor_title"));
  rd_session_set_clinic_type (session, column_string (rows, row, "clinic_type"));
  rd_session_set_fee (session, column_int64 (rows, row, "fee"));
  rd_session_set_date (session, column_string (rows, row, "date"));
  rd_session_set_starts_at (session, column_string (rows, row, "starts_at"));
  rd_session_set_ends_at (session, column_string (rows, row, "ends_at"));
  if (period >= 0)
    rd_session_set_period (session, period);
  if (status >= 0)
    rd_session_set_status (session, status);
  if (policy >= 0)
    rd_session_set_policy (session, policy);
  rd_session_set_capacity (session, (int) column_int64 (rows, row, "capacity"));
  rd_session_set_free (session, RD_CHANNEL_WINDOW, (int) column_int64 (rows, row, "free_window"));
  rd_session_set_free (session, RD_CHANNEL_ONLINE, (int) column_int64 (rows, row, "free_online"));
  rd_session_set_free (session, RD_CHANNEL_PHONE, (int) column_int64 (rows, row, "free_phone"));
  rd_session_set_booked (session, (int) column_int64 (rows, row, "booked"));

  return g_steal_pointer (&session);
}

GListModel *
rd_session_list_sync (RdDb          *db,
                      const char    *date,
                      gint64         department_id,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GListStore) sessions = NULL;
  g_autofree char *department = NULL;
  const char *params[2];

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (department_id >= 0, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (department_id > 0)
    department = g_strdup_printf ("%" G_GINT64_FORMAT, department_id);
  params[0] = date;
  params[1] = department;

  rows = rd_db_query_sync (db, list_sql, G_N_ELEMENTS (params), params, cancellable, error);
  if (rows == NULL)
    return NULL;

  sessions = g_list_store_new (RD_TYPE_SESSION);
  for (guint row = 0; row < rd_result_get_n_rows (rows); row++)
    {
      g_autoptr(RdSession) session = session_from_row (rows, row);

      g_list_store_append (sessions, session);
    }

  return G_LIST_MODEL (g_steal_pointer (&sessions));
}
