/* rd-patients.h: finding and registering patients
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"
#include "rd-patient.h"

G_BEGIN_DECLS

/* api.patient_search(): patients whose name, pinyin initials, mobile,
 * document or medical card number starts with @query (exact matches first),
 * at most @max_rows (1..200). The finish functions return a GListModel of
 * RdPatient; an empty @query gives an empty model. */
void         rd_patients_search_async   (RdDb                *db,
                                         const char          *query,
                                         guint                max_rows,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GListModel  *rd_patients_search_finish  (RdDb                *db,
                                         GAsyncResult        *result,
                                         GError             **error);
GListModel  *rd_patients_search_sync    (RdDb                *db,
                                         const char          *query,
                                         guint                max_rows,
                                         GCancellable        *cancellable,
                                         GError             **error);

/* api.patient_create() from the fields of @patient (its id is ignored; an
 * empty pinyin is made from the name). Returns the new patient's id, or 0
 * on error; the same @request_id (NULL: a fresh one) returns the same id.
 * A duplicate is RD_STORE_ERROR_REJECTED with SQLSTATE RD207 (see
 * rd_patients_error_get_duplicate_id()). */
void         rd_patients_create_async   (RdDb                *db,
                                         const char          *request_id,
                                         RdPatient           *patient,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gint64       rd_patients_create_finish  (RdDb                *db,
                                         GAsyncResult        *result,
                                         GError             **error);
gint64       rd_patients_create_sync    (RdDb                *db,
                                         const char          *request_id,
                                         RdPatient           *patient,
                                         GCancellable        *cancellable,
                                         GError             **error);

/* The id of the registered patient a duplicate refusal names, or 0. */
gint64       rd_patients_error_get_duplicate_id (const GError *error);

G_END_DECLS
