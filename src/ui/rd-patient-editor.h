/* rd-patient-editor.h: registering a patient, or correcting one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-db.h"
#include "rd-patient-form.h"
#include "rd-patient.h"

G_BEGIN_DECLS

#define RD_TYPE_PATIENT_EDITOR (rd_patient_editor_get_type ())
G_DECLARE_FINAL_TYPE (RdPatientEditor, rd_patient_editor, RD, PATIENT_EDITOR, AdwWindow)

/* A modal dialog over @parent (may be NULL). @patient NULL registers a new
 * patient, otherwise changes that registered one. Every change is checked
 * at once and the problem shown under its field; Save (and Enter in the
 * last field) only writes a valid patient.
 *
 * Properties: "db" (RdDb, construct-only), "patient" (RdPatient being
 * edited or NULL, construct-only), "valid" and "busy" (gboolean, read-only).
 * Signals:
 *   ::saved (RdPatient *patient): written; @patient holds the values as
 *     saved and its id. The dialog closes itself afterwards.
 *   ::existing-chosen (RdPatient *patient): the clerk chose the registered
 *     patient the database named as a duplicate instead; closes too. */
RdPatientEditor *rd_patient_editor_new              (GtkWindow       *parent,
                                                     RdDb            *db,
                                                     RdPatient       *patient);
RdPatient       *rd_patient_editor_get_patient      (RdPatientEditor *self);
gboolean         rd_patient_editor_get_valid        (RdPatientEditor *self);
gboolean         rd_patient_editor_get_busy         (RdPatientEditor *self);
/* Puts a search text that found nobody in the field it belongs to (see
 * rd_patient_form_field_for_query()). */
void             rd_patient_editor_prefill          (RdPatientEditor *self,
                                                     const char      *query);
/* The words shown under @field, or NULL. */
const char      *rd_patient_editor_get_field_error  (RdPatientEditor *self,
                                                     RdPatientField   field);
/* What Save does; nothing when the form is not valid or a save runs. */
void             rd_patient_editor_save             (RdPatientEditor *self);

G_END_DECLS
