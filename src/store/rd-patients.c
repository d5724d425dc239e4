/* rd-patients.c: finding and registering patients
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "rd-patients.h"
#include "rd-pinyin.h"

#define SEARCH_SQL \
  "SELECT id, name, pinyin, sex, birth_date, id_type, id_number, phone, card_no, " \
  "disabled, military FROM api.patient_search($1, $2)"

#define CREATE_SQL \
  "SELECT api.patient_create($1, $2, $3, $4::date, $5, $6, $7, $8, $9, $10, $11)"

#define UPDATE_SQL \
  "SELECT api.patient_update($1::bigint, $2, $3, $4::date, $5, $6, $7, $8, $9, $10, $11)"

#define GET_SQL \
  "SELECT id, name, pinyin, sex, birth_date, id_type, id_number, phone, card_no, " \
  "disabled, military FROM api.patient_get($1::bigint)"

#define HISTORY_SQL \
  "SELECT id, session_id, date, period, starts_at, ends_at, department_name, doctor_name, " \
  "doctor_title, clinic_type, channel, status, queue_no, order_id, order_no, order_status, " \
  "amount, upcoming, slot_seq FROM api.patient_history($1::bigint, $2::int)"

#define SUMMARY_SQL \
  "SELECT appointments, upcoming, no_shows, unpaid_orders, unpaid_amount " \
  "FROM api.patient_summary($1::bigint)"

/* api.patient_create and api.patient_update take the same eleven values;
 * only the first differs (request id, patient id). */
#define N_PATIENT_PARAMS 11
#define N_PATIENT_COLUMNS 11
#define N_HISTORY_COLUMNS 19
#define N_SUMMARY_COLUMNS 5

static RdPatient *
patient_from_row (RdResult *rows,
                  guint     row)
{
  return g_object_new (RD_TYPE_PATIENT,
                       "id", rd_result_get_int64 (rows, row, 0),
                       "name", rd_result_get_string (rows, row, 1),
                       "pinyin", rd_result_get_string (rows, row, 2),
                       "sex", rd_result_get_string (rows, row, 3),
                       "birth-date", rd_result_get_string (rows, row, 4),
                       "id-type", rd_result_get_string (rows, row, 5),
                       "id-number", rd_result_get_string (rows, row, 6),
                       "phone", rd_result_get_string (rows, row, 7),
                       "card-no", rd_result_get_string (rows, row, 8),
                       "disabled", rd_result_get_boolean (rows, row, 9),
                       "military", rd_result_get_boolean (rows, row, 10),
                       NULL);
}

static GListModel *
patients_from_result (RdResult *rows)
{
  g_autoptr(GListStore) store = g_list_store_new (RD_TYPE_PATIENT);
  guint n_rows = rd_result_get_n_rows (rows);
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (n_rows, g_object_unref);

  for (guint i = 0; i < n_rows; i++)
    g_ptr_array_add (items, patient_from_row (rows, i));

  /* One items-changed for the whole answer. */
  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  return G_LIST_MODEL (g_steal_pointer (&store));
}

static gboolean
columns_ok (RdResult  *rows,
            guint      n_columns,
            GError   **error)
{
  if (rd_result_get_n_rows (rows) == 0 || rd_result_get_n_columns (rows) >= n_columns)
    return TRUE;

  g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                       _("The database gave an unexpected answer"));
  return FALSE;
}

static gboolean
search_result_ok (RdResult  *rows,
                  GError   **error)
{
  return columns_ok (rows, N_PATIENT_COLUMNS, error);
}

static void
search_query_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = rd_db_query_finish (RD_DB (object), result, &error);
  if (rows == NULL || !search_result_ok (rows, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, patients_from_result (rows), g_object_unref);
}

void
rd_patients_search_async (RdDb                *db,
                          const char          *query,
                          guint                max_rows,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *limit = NULL;
  const char *params[2];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (query != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_patients_search_async);

  limit = g_strdup_printf ("%u", CLAMP (max_rows, 1, 200));
  params[0] = query;
  params[1] = limit;
  rd_db_query_async (db, SEARCH_SQL, G_N_ELEMENTS (params), params, cancellable,
                     search_query_cb, g_steal_pointer (&task));
}

GListModel *
rd_patients_search_finish (RdDb          *db,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (g_task_is_valid (result, db), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_patients_search_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GListModel *
rd_patients_search_sync (RdDb          *db,
                         const char    *query,
                         guint          max_rows,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(RdResult) rows = NULL;
  g_autofree char *limit = NULL;
  const char *params[2];

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  limit = g_strdup_printf ("%u", CLAMP (max_rows, 1, 200));
  params[0] = query;
  params[1] = limit;
  rows = rd_db_query_sync (db, SEARCH_SQL, G_N_ELEMENTS (params), params, cancellable, error);
  if (rows == NULL || !search_result_ok (rows, error))
    return NULL;

  return patients_from_result (rows);
}

/* Fills @values (N_PATIENT_PARAMS strings, freed by the caller); @first
 * is the request id (creating) or the patient id (updating). */
static void
patient_params (char       *first,
                RdPatient  *patient,
                char      **values)
{
  const char *pinyin = rd_patient_get_pinyin (patient);
  g_autofree char *initials = NULL;

  if (pinyin == NULL || *pinyin == '\0')
    {
      GString *letters = g_string_new (NULL);

      /* The database takes letters only: drop digits kept from the name. */
      initials = rd_pinyin_name_initials (rd_patient_get_name (patient) != NULL
                                          ? rd_patient_get_name (patient) : "");
      for (const char *p = initials; *p != '\0'; p++)
        if (g_ascii_islower (*p))
          g_string_append_c (letters, *p);
      g_free (initials);
      initials = g_string_free (letters, FALSE);
      pinyin = initials;
    }

  values[0] = first;
  values[1] = g_strdup (rd_patient_get_name (patient));
  values[2] = g_strdup (rd_patient_get_sex (patient));
  values[3] = g_strdup (rd_patient_get_birth_date (patient));
  values[4] = g_strdup (rd_patient_get_id_type (patient));
  values[5] = g_strdup (rd_patient_get_id_number (patient));
  values[6] = g_strdup (rd_patient_get_phone (patient));
  values[7] = g_strdup (rd_patient_get_card_no (patient));
  values[8] = g_strdup (pinyin);
  values[9] = g_strdup (rd_patient_get_disabled (patient) ? "true" : "false");
  values[10] = g_strdup (rd_patient_get_military (patient) ? "true" : "false");
}

static void
create_params (const char *request_id,
               RdPatient  *patient,
               char      **values)
{
  patient_params (request_id != NULL && *request_id != '\0'
                  ? g_strdup (request_id) : g_uuid_string_random (),
                  patient, values);
}

static void
free_params (char **values)
{
  for (guint i = 0; i < N_PATIENT_PARAMS; i++)
    g_free (values[i]);
}

static gint64
id_from_result (RdResult  *rows,
                GError   **error)
{
  if (rd_result_get_n_rows (rows) != 1 || rd_result_is_null (rows, 0, 0))
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                           _("The database gave an unexpected answer"));
      return 0;
    }

  return rd_result_get_int64 (rows, 0, 0);
}

static void
create_query_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  rows = rd_db_query_finish (RD_DB (object), result, &error);
  if (rows == NULL || (id = id_from_result (rows, &error)) == 0)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, id);
}

void
rd_patients_create_async (RdDb                *db,
                          const char          *request_id,
                          RdPatient           *patient,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char *values[N_PATIENT_PARAMS];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (RD_IS_PATIENT (patient));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_patients_create_async);

  create_params (request_id, patient, values);
  rd_db_query_async (db, CREATE_SQL, N_PATIENT_PARAMS, (const char * const *) values,
                     cancellable, create_query_cb, g_steal_pointer (&task));
  free_params (values);
}

gint64
rd_patients_create_finish (RdDb          *db,
                           GAsyncResult  *result,
                           GError       **error)
{
  gssize id;

  g_return_val_if_fail (RD_IS_DB (db), 0);
  g_return_val_if_fail (g_task_is_valid (result, db), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_patients_create_async,
                        0);

  id = g_task_propagate_int (G_TASK (result), error);

  return id < 0 ? 0 : (gint64) id;
}

gint64
rd_patients_create_sync (RdDb          *db,
                         const char    *request_id,
                         RdPatient     *patient,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(RdResult) rows = NULL;
  char *values[N_PATIENT_PARAMS];

  g_return_val_if_fail (RD_IS_DB (db), 0);
  g_return_val_if_fail (RD_IS_PATIENT (patient), 0);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  create_params (request_id, patient, values);
  rows = rd_db_query_sync (db, CREATE_SQL, N_PATIENT_PARAMS, (const char * const *) values,
                           cancellable, error);
  free_params (values);
  if (rows == NULL)
    return 0;

  return id_from_result (rows, error);
}

/* Updating ------------------------------------------------------------------ */

static void
update_params (RdPatient  *patient,
               char      **values)
{
  patient_params (g_strdup_printf ("%" G_GINT64_FORMAT, rd_patient_get_id (patient)),
                  patient, values);
}

static void
update_query_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  GError *error = NULL;

  rows = rd_db_query_finish (RD_DB (object), result, &error);
  if (rows == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
rd_patients_update_async (RdDb                *db,
                          RdPatient           *patient,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char *values[N_PATIENT_PARAMS];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (RD_IS_PATIENT (patient));
  g_return_if_fail (rd_patient_get_id (patient) > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_patients_update_async);

  update_params (patient, values);
  rd_db_query_async (db, UPDATE_SQL, N_PATIENT_PARAMS, (const char * const *) values,
                     cancellable, update_query_cb, g_steal_pointer (&task));
  free_params (values);
}

gboolean
rd_patients_update_finish (RdDb          *db,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, db), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_patients_update_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
rd_patients_update_sync (RdDb          *db,
                         RdPatient     *patient,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(RdResult) rows = NULL;
  char *values[N_PATIENT_PARAMS];

  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (RD_IS_PATIENT (patient), FALSE);
  g_return_val_if_fail (rd_patient_get_id (patient) > 0, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  update_params (patient, values);
  rows = rd_db_query_sync (db, UPDATE_SQL, N_PATIENT_PARAMS, (const char * const *) values,
                           cancellable, error);
  free_params (values);

  return rows != NULL;
}

/* One patient ------------------------------------------------------------------ */

static RdPatient *
patient_from_result (RdResult  *rows,
                     GError   **error)
{
  /* api.patient_get raises RD208 rather than returning nothing */
  if (rd_result_get_n_rows (rows) != 1 || !columns_ok (rows, N_PATIENT_COLUMNS, NULL))
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                           _("The database gave an unexpected answer"));
      return NULL;
    }

  return patient_from_row (rows, 0);
}

static void
get_query_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  GError *error = NULL;
  RdPatient *patient;

  rows = rd_db_query_finish (RD_DB (object), result, &error);
  if (rows == NULL || (patient = patient_from_result (rows, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, patient, g_object_unref);
}

void
rd_patients_get_async (RdDb                *db,
                       gint64               patient_id,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id = NULL;
  const char *params[1];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_patients_get_async);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
  params[0] = id;
  rd_db_query_async (db, GET_SQL, G_N_ELEMENTS (params), params, cancellable,
                     get_query_cb, g_steal_pointer (&task));
}

RdPatient *
rd_patients_get_finish (RdDb          *db,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (g_task_is_valid (result, db), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_patients_get_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

RdPatient *
rd_patients_get_sync (RdDb          *db,
                      gint64         patient_id,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(RdResult) rows = NULL;
  g_autofree char *id = NULL;
  const char *params[1];

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
  params[0] = id;
  rows = rd_db_query_sync (db, GET_SQL, G_N_ELEMENTS (params), params, cancellable, error);
  if (rows == NULL)
    return NULL;

  return patient_from_result (rows, error);
}

/* History ------------------------------------------------------------------ */

static GListModel *
history_from_result (RdResult  *rows,
                     GError   **error)
{
  g_autoptr(GListStore) store = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint n_rows;

  if (!columns_ok (rows, N_HISTORY_COLUMNS, error))
    return NULL;

  n_rows = rd_result_get_n_rows (rows);
  store = g_list_store_new (RD_TYPE_APPOINTMENT_ROW);
  items = g_ptr_array_new_full (n_rows, g_object_unref);
  for (guint i = 0; i < n_rows; i++)
    g_ptr_array_add (items,
                     g_object_new (RD_TYPE_APPOINTMENT_ROW,
                                   "id", rd_result_get_int64 (rows, i, 0),
                                   "session-id", rd_result_get_int64 (rows, i, 1),
                                   "date", rd_result_get_string (rows, i, 2),
                                   "period", rd_result_get_string (rows, i, 3),
                                   "starts-at", rd_result_get_string (rows, i, 4),
                                   "ends-at", rd_result_get_string (rows, i, 5),
                                   "department-name", rd_result_get_string (rows, i, 6),
                                   "doctor-name", rd_result_get_string (rows, i, 7),
                                   "doctor-title", rd_result_get_string (rows, i, 8),
                                   "clinic-type", rd_result_get_string (rows, i, 9),
                                   "channel", rd_result_get_string (rows, i, 10),
                                   "status", rd_result_get_string (rows, i, 11),
                                   "queue-no", (int) rd_result_get_int64 (rows, i, 12),
                                   "order-id", rd_result_get_int64 (rows, i, 13),
                                   "order-no", rd_result_get_string (rows, i, 14),
                                   "order-status", rd_result_get_string (rows, i, 15),
                                   "amount", rd_result_get_int64 (rows, i, 16),
                                   "upcoming", rd_result_get_boolean (rows, i, 17),
                                   "slot-seq", (int) rd_result_get_int64 (rows, i, 18),
                                   NULL));

  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  return G_LIST_MODEL (g_steal_pointer (&store));
}

static void
history_query_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  GError *error = NULL;
  GListModel *history;

  rows = rd_db_query_finish (RD_DB (object), result, &error);
  if (rows == NULL || (history = history_from_result (rows, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, history, g_object_unref);
}

void
rd_patients_history_async (RdDb                *db,
                           gint64               patient_id,
                           guint                max_rows,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id = NULL;
  g_autofree char *limit = NULL;
  const char *params[2];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_patients_history_async);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
  limit = g_strdup_printf ("%u", CLAMP (max_rows, 1, 500));
  params[0] = id;
  params[1] = limit;
  rd_db_query_async (db, HISTORY_SQL, G_N_ELEMENTS (params), params, cancellable,
                     history_query_cb, g_steal_pointer (&task));
}

GListModel *
rd_patients_history_finish (RdDb          *db,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (g_task_is_valid (result, db), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_patients_history_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GListModel *
rd_patients_history_sync (RdDb          *db,
                          gint64         patient_id,
                          guint          max_rows,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(RdResult) rows = NULL;
  g_autofree char *id = NULL;
  g_autofree char *limit = NULL;
  const char *params[2];

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
  limit = g_strdup_printf ("%u", CLAMP (max_rows, 1, 500));
  params[0] = id;
  params[1] = limit;
  rows = rd_db_query_sync (db, HISTORY_SQL, G_N_ELEMENTS (params), params, cancellable, error);
  if (rows == NULL)
    return NULL;

  return history_from_result (rows, error);
}

/* Summary ------------------------------------------------------------------ */

static gboolean
summary_from_result (RdResult          *rows,
                     RdPatientSummary  *summary,
                     GError           **error)
{
  if (rd_result_get_n_rows (rows) != 1 || !columns_ok (rows, N_SUMMARY_COLUMNS, NULL))
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                           _("The database gave an unexpected answer"));
      return FALSE;
    }

  summary->appointments = (int) rd_result_get_int64 (rows, 0, 0);
  summary->upcoming = (int) rd_result_get_int64 (rows, 0, 1);
  summary->no_shows = (int) rd_result_get_int64 (rows, 0, 2);
  summary->unpaid_orders = (int) rd_result_get_int64 (rows, 0, 3);
  summary->unpaid_amount = rd_result_get_int64 (rows, 0, 4);

  return TRUE;
}

static void
summary_query_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  g_autofree RdPatientSummary *summary = g_new0 (RdPatientSummary, 1);
  GError *error = NULL;

  rows = rd_db_query_finish (RD_DB (object), result, &error);
  if (rows == NULL || !summary_from_result (rows, summary, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&summary), g_free);
}

void
rd_patients_summary_async (RdDb                *db,
                           gint64               patient_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id = NULL;
  const char *params[1];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_patients_summary_async);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
  params[0] = id;
  rd_db_query_async (db, SUMMARY_SQL, G_N_ELEMENTS (params), params, cancellable,
                     summary_query_cb, g_steal_pointer (&task));
}

gboolean
rd_patients_summary_finish (RdDb              *db,
                            GAsyncResult      *result,
                            RdPatientSummary  *summary,
                            GError           **error)
{
  g_autofree RdPatientSummary *found = NULL;

  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, db), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_patients_summary_async,
                        FALSE);
  g_return_val_if_fail (summary != NULL, FALSE);

  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return FALSE;

  *summary = *found;

  return TRUE;
}

gboolean
rd_patients_summary_sync (RdDb              *db,
                          gint64             patient_id,
                          RdPatientSummary  *summary,
                          GCancellable      *cancellable,
                          GError           **error)
{
  g_autoptr(RdResult) rows = NULL;
  g_autofree char *id = NULL;
  const char *params[1];

  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (summary != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  id = g_strdup_printf ("%" G_GINT64_FORMAT, patient_id);
  params[0] = id;
  rows = rd_db_query_sync (db, SUMMARY_SQL, G_N_ELEMENTS (params), params, cancellable, error);
  if (rows == NULL)
    return FALSE;

  return summary_from_result (rows, summary, error);
}

gint64
rd_patients_error_get_duplicate_id (const GError *error)
{
  const char *found;

  if (error == NULL || !g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED) ||
      g_strcmp0 (rd_store_error_get_sqlstate (error), "RD207") != 0)
    return 0;

  /* The server's DETAIL, "patient_id=N", travels in the message. */
  found = strstr (error->message, "patient_id=");
  if (found == NULL)
    return 0;

  return g_ascii_strtoll (found + strlen ("patient_id="), NULL, 10);
}
