/* rd-appointment-row.h: one appointment in a patient's history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RD_TYPE_APPOINTMENT_ROW (rd_appointment_row_get_type ())
G_DECLARE_FINAL_TYPE (RdAppointmentRow, rd_appointment_row, RD, APPOINTMENT_ROW, GObject)

/* Properties (construct-only; a row is a snapshot of api.patient_history):
 *   id, session-id                  gint64
 *   date                            string "YYYY-MM-DD"
 *   period                          string 'morning', 'afternoon', 'evening'
 *   starts-at, ends-at              string "HH:MM", the slot's time, hospital time
 *   department-name, doctor-name    string
 *   doctor-title, clinic-type       string codes (see rd-enums.h for their words)
 *   channel                         string 'window', 'online', 'phone'
 *   status                          string 'pending_payment', 'booked', 'checked_in',
 *                                   'completed', 'no_show', 'cancelled', 'expired'
 *   queue-no                        int, 0 when none was given
 *   order-id                        gint64, 0 without an order
 *   order-no, order-status          string or NULL (see rd_order_status_to_string())
 *   amount                          gint64, fen (the order's)
 *   upcoming                        gboolean: still live and the slot has not ended
 */
gint64        rd_appointment_row_get_id              (RdAppointmentRow *self);
gint64        rd_appointment_row_get_session_id      (RdAppointmentRow *self);
const char   *rd_appointment_row_get_date            (RdAppointmentRow *self);
const char   *rd_appointment_row_get_period          (RdAppointmentRow *self);
const char   *rd_appointment_row_get_starts_at       (RdAppointmentRow *self);
const char   *rd_appointment_row_get_ends_at         (RdAppointmentRow *self);
const char   *rd_appointment_row_get_department_name (RdAppointmentRow *self);
const char   *rd_appointment_row_get_doctor_name     (RdAppointmentRow *self);
const char   *rd_appointment_row_get_doctor_title    (RdAppointmentRow *self);
const char   *rd_appointment_row_get_clinic_type     (RdAppointmentRow *self);
const char   *rd_appointment_row_get_channel         (RdAppointmentRow *self);
const char   *rd_appointment_row_get_status          (RdAppointmentRow *self);
int           rd_appointment_row_get_queue_no        (RdAppointmentRow *self);
int           rd_appointment_row_get_slot_seq        (RdAppointmentRow *self);
gint64        rd_appointment_row_get_order_id        (RdAppointmentRow *self);
const char   *rd_appointment_row_get_order_no        (RdAppointmentRow *self);
const char   *rd_appointment_row_get_order_status    (RdAppointmentRow *self);
gint64        rd_appointment_row_get_amount          (RdAppointmentRow *self);
gboolean      rd_appointment_row_get_upcoming        (RdAppointmentRow *self);
/* TRUE when the order waits for payment. */
gboolean      rd_appointment_row_get_unpaid          (RdAppointmentRow *self);

/* Words a person reads for an appointment status (translated); unknown
 * codes come back as they are. */
const char   *rd_appointment_status_to_string        (const char       *status);

G_END_DECLS
