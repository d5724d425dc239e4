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

#define N_CREATE_PARAMS 11

static GListModel *
patients_from_result (RdResult *rows)
{
  g_autoptr(GListStore) store = g_list_store_new (RD_TYPE_PATIENT);
  guint n_rows = rd_result_get_n_rows (rows);
  g_autoptr(GPtrArray) items = g_ptr_array_new_full (n_rows, g_object_unref);

  for (guint i = 0; i < n_rows; i++)
    g_ptr_array_add (items,
                     g_object_new (RD_TYPE_PATIENT,
                                   "id", rd_result_get_int64 (rows, i, 0),
                                   "name", rd_result_get_string (rows, i, 1),
                                   "pinyin", rd_result_get_string (rows, i, 2),
                                   "sex", rd_result_get_string (rows, i, 3),
                                   "birth-date", rd_result_get_string (rows, i, 4),
                                   "id-type", rd_result_get_string (rows, i, 5),
                                   "id-number", rd_result_get_string (rows, i, 6),
                                   "phone", rd_result_get_string (rows, i, 7),
                                   "card-no", rd_result_get_string (rows, i, 8),
                                   "disabled", rd_result_get_boolean (rows, i, 9),
                                   "military", rd_result_get_boolean (rows, i, 10),
                                   NULL));

  /* One items-changed for the whole answer. */
  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  return G_LIST_MODEL (g_steal_pointer (&store));
}

static gboolean
search_result_ok (RdResult  *rows,
                  GError   **error)
{
  if (rd_result_get_n_rows (rows) == 0 || rd_result_get_n_columns (rows) >= 11)
    return TRUE;

  g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                       _("The database gave an unexpected answer"));
  return FALSE;
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

/* Fills @values (N_CREATE_PARAMS strings, freed by the caller). */
static void
create_params (const char *request_id,
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

  values[0] = request_id != NULL && *request_id != '\0'
              ? g_strdup (request_id) : g_uuid_string_random ();
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
free_params (char **values)
{
  for (guint i = 0; i < N_CREATE_PARAMS; i++)
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
  char *values[N_CREATE_PARAMS];

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (RD_IS_PATIENT (patient));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_patients_create_async);

  create_params (request_id, patient, values);
  rd_db_query_async (db, CREATE_SQL, N_CREATE_PARAMS, (const char * const *) values,
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
  char *values[N_CREATE_PARAMS];

  g_return_val_if_fail (RD_IS_DB (db), 0);
  g_return_val_if_fail (RD_IS_PATIENT (patient), 0);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  create_params (request_id, patient, values);
  rows = rd_db_query_sync (db, CREATE_SQL, N_CREATE_PARAMS, (const char * const *) values,
                           cancellable, error);
  free_params (values);
  if (rows == NULL)
    return 0;

  return id_from_result (rows, error);
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
