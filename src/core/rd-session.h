/* rd-session.h: one clinic session of one doctor (a half day)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rd-enums.h"

G_BEGIN_DECLS

#define RD_TYPE_SESSION (rd_session_get_type ())
G_DECLARE_FINAL_TYPE (RdSession, rd_session, RD, SESSION, GObject)

/* Properties (all readable and writable; setters notify only on change):
 *   id, hospital-id, department-id, doctor-id   gint64
 *   department-name, doctor-name                 string
 *   department-code, department-pinyin           string ("NK", "nk" for 内科)
 *   doctor-title                                 string code (see rd_doctor_title_to_string)
 *   clinic-type                                  string code (see rd_clinic_type_to_string)
 *   fee                                          gint64, fen
 *   date                                         string "YYYY-MM-DD" (hospital time zone)
 *   period                                       RdPeriod
 *   starts-at, ends-at                           string "HH:MM"
 *   status                                       RdSessionStatus
 *   policy                                       RdAllocationPolicy
 *   capacity                                     int, all slots
 *   free-window, free-online, free-phone         int, free slots per channel
 *   booked                                       int, slots with an active appointment
 *   free-total                                   int, read-only: the three free counts
 */
RdSession          *rd_session_new               (gint64 id);
gint64              rd_session_get_id            (RdSession *self);
gint64              rd_session_get_hospital_id   (RdSession *self);
gint64              rd_session_get_department_id (RdSession *self);
gint64              rd_session_get_doctor_id     (RdSession *self);
const char         *rd_session_get_department_name (RdSession *self);
const char         *rd_session_get_doctor_name   (RdSession *self);
const char         *rd_session_get_doctor_title  (RdSession *self);
const char         *rd_session_get_clinic_type   (RdSession *self);
gint64              rd_session_get_fee           (RdSession *self);
const char         *rd_session_get_date          (RdSession *self);
RdPeriod            rd_session_get_period        (RdSession *self);
const char         *rd_session_get_starts_at     (RdSession *self);
const char         *rd_session_get_ends_at       (RdSession *self);
RdSessionStatus     rd_session_get_status        (RdSession *self);
RdAllocationPolicy  rd_session_get_policy        (RdSession *self);
int                 rd_session_get_capacity      (RdSession *self);
int                 rd_session_get_free          (RdSession *self,
                                                  RdChannel  channel);
int                 rd_session_get_free_total    (RdSession *self);
int                 rd_session_get_booked        (RdSession *self);
const char         *rd_session_get_department_code   (RdSession *self);
const char         *rd_session_get_department_pinyin (RdSession *self);

void                rd_session_set_hospital_id   (RdSession          *self,
                                                  gint64              hospital_id);
void                rd_session_set_department_id (RdSession          *self,
                                                  gint64              department_id);
void                rd_session_set_doctor_id     (RdSession          *self,
                                                  gint64              doctor_id);
void                rd_session_set_department_name (RdSession        *self,
                                                    const char       *name);
void                rd_session_set_department_code (RdSession        *self,
                                                    const char       *code);
void                rd_session_set_department_pinyin (RdSession      *self,
                                                      const char     *pinyin);
void                rd_session_set_doctor_name   (RdSession          *self,
                                                  const char         *name);
void                rd_session_set_doctor_title  (RdSession          *self,
                                                  const char         *title);
void                rd_session_set_clinic_type   (RdSession          *self,
                                                  const char         *clinic_type);
void                rd_session_set_fee           (RdSession          *self,
                                                  gint64              fee);
void                rd_session_set_date          (RdSession          *self,
                                                  const char         *date);
void                rd_session_set_period        (RdSession          *self,
                                                  RdPeriod            period);
void                rd_session_set_starts_at     (RdSession          *self,
                                                  const char         *starts_at);
void                rd_session_set_ends_at       (RdSession          *self,
                                                  const char         *ends_at);
void                rd_session_set_status        (RdSession          *self,
                                                  RdSessionStatus     status);
void                rd_session_set_policy        (RdSession          *self,
                                                  RdAllocationPolicy  policy);
void                rd_session_set_capacity      (RdSession          *self,
                                                  int                 capacity);
void                rd_session_set_free          (RdSession          *self,
                                                  RdChannel           channel,
                                                  int                 n_free);
void                rd_session_set_booked        (RdSession          *self,
                                                  int                 booked);
/* Copies every property of @from (a session with the same id) into @self,
 * notifying only the properties whose value changed, after all are set. */
void                rd_session_update            (RdSession          *self,
                                                  RdSession          *from);

G_END_DECLS
