/* rd-patients.h: finding and registering patients
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-appointment-row.h"
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

/* api.patient_update() with the fields of @patient (its id says whom; an
 * empty pinyin is made from the name). The same checks and refusals as
 * creating: RD207 for a duplicate of someone else, RD212 for a medical card
 * already used; RD208 when there is no such patient. */
void         rd_patients_update_async   (RdDb                *db,
                                         RdPatient           *patient,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean     rd_patients_update_finish  (RdDb                *db,
                                         GAsyncResult        *result,
                                         GError             **error);
gboolean     rd_patients_update_sync    (RdDb                *db,
                                         RdPatient           *patient,
                                         GCancellable        *cancellable,
                                         GError             **error);

/* api.patient_get(): the registered patient @patient_id as a new RdPatient;
 * RD_STORE_ERROR_REJECTED with SQLSTATE RD208 when the caller's hospital has
 * no such patient. */
void         rd_patients_get_async      (RdDb                *db,
                                         gint64               patient_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
RdPatient   *rd_patients_get_finish     (RdDb                *db,
                                         GAsyncResult        *result,
                                         GError             **error);
RdPatient   *rd_patients_get_sync       (RdDb                *db,
                                         gint64               patient_id,
                                         GCancellable        *cancellable,
                                         GError             **error);

/* api.patient_history(): the patient's appointments as a GListModel of
 * RdAppointmentRow, upcoming ones first (soonest first), then the past
 * (newest first), at most @max_rows (1..500). RD208 as above. */
void         rd_patients_history_async  (RdDb                *db,
                                         gint64               patient_id,
                                         guint                max_rows,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GListModel  *rd_patients_history_finish (RdDb                *db,
                                         GAsyncResult        *result,
                                         GError             **error);
GListModel  *rd_patients_history_sync   (RdDb                *db,
                                         gint64               patient_id,
                                         guint                max_rows,
                                         GCancellable        *cancellable,
                                         GError             **error);

typedef struct
{
  int     appointments;   /* every appointment ever made, whatever became of it */
  int     upcoming;       /* live appointments whose slot has not ended */
  int     no_shows;       /* appointments the patient never came to */
  int     unpaid_orders;  /* orders still waiting for payment, window open */
  gint64  unpaid_amount;  /* their sum, fen */
} RdPatientSummary;

/* api.patient_summary(): fills @summary. RD208 as above. */
void         rd_patients_summary_async  (RdDb                *db,
                                         gint64               patient_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean     rd_patients_summary_finish (RdDb                *db,
                                         GAsyncResult        *result,
                                         RdPatientSummary    *summary,
                                         GError             **error);
gboolean     rd_patients_summary_sync   (RdDb                *db,
                                         gint64               patient_id,
                                         RdPatientSummary    *summary,
                                         GCancellable        *cancellable,
                                         GError             **error);

/* The id of the registered patient a duplicate refusal names, or 0. */
gint64       rd_patients_error_get_duplicate_id (const GError *error);

G_END_DECLS
