/* rd-patient.h: one patient as the desk finds and registers them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RD_TYPE_PATIENT (rd_patient_get_type ())
G_DECLARE_FINAL_TYPE (RdPatient, rd_patient, RD, PATIENT, GObject)

/* Properties (readable and writable; notify only on change):
 *   id                      gint64, 0 for a patient not registered yet
 *   name, pinyin            string ("张三", "zs")
 *   sex                     string 'F' or 'M'
 *   birth-date              string "YYYY-MM-DD"
 *   id-type                 string code: 'resident_id', 'passport', 'hk_macau_permit',
 *                           'taiwan_permit', 'foreign_permanent', 'none'
 *   id-number, phone,
 *   card-no                 string or NULL
 *   disabled, military      gboolean
 */
RdPatient    *rd_patient_new             (void);
gint64        rd_patient_get_id          (RdPatient *self);
const char   *rd_patient_get_name        (RdPatient *self);
const char   *rd_patient_get_pinyin      (RdPatient *self);
const char   *rd_patient_get_sex         (RdPatient *self);
const char   *rd_patient_get_birth_date  (RdPatient *self);
const char   *rd_patient_get_id_type     (RdPatient *self);
const char   *rd_patient_get_id_number   (RdPatient *self);
const char   *rd_patient_get_phone       (RdPatient *self);
const char   *rd_patient_get_card_no     (RdPatient *self);
gboolean      rd_patient_get_disabled    (RdPatient *self);
gboolean      rd_patient_get_military    (RdPatient *self);

G_END_DECLS
