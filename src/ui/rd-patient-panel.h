/* rd-patient-panel.h: finding the patient at the window, and their history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "rd-db.h"
#include "rd-patient.h"
#include "rd-patients.h"

G_BEGIN_DECLS

#define RD_TYPE_PATIENT_PANEL (rd_patient_panel_get_type ())
G_DECLARE_FINAL_TYPE (RdPatientPanel, rd_patient_panel, RD, PATIENT_PANEL, AdwBin)

/* A search entry (debounced; each keystroke cancels the search before it),
 * the patients found, and the chosen patient's registration history,
 * no-shows and unpaid orders, kept current by the database's change
 * notifications. Down in the entry moves into the results, Enter picks
 * one; Ctrl+N registers a new patient, Ctrl+E edits the chosen one
 * (actions "patient-panel.new" and "patient-panel.edit").
 *
 * Property "patient" (RdPatient, may be NULL): the patient whose details
 * show. Signal ::patient-activated (RdPatient *patient): the clerk pressed
 * Enter on a result, or registered a patient (or chose the registered one
 * a duplicate named). */
RdPatientPanel *rd_patient_panel_new            (void);
void            rd_patient_panel_set_db         (RdPatientPanel *self,
                                                 RdDb           *db);
RdDb           *rd_patient_panel_get_db         (RdPatientPanel *self);
RdPatient      *rd_patient_panel_get_patient    (RdPatientPanel *self);
/* Shows @patient's details (reloaded from the database). */
void            rd_patient_panel_set_patient    (RdPatientPanel *self,
                                                 RdPatient      *patient);
void            rd_patient_panel_focus_search   (RdPatientPanel *self);
/* Reloads the chosen patient and their details. */
void            rd_patient_panel_refresh        (RdPatientPanel *self);

/* What the panel shows, for tests and for the page holding it. */
GListModel     *rd_patient_panel_get_results    (RdPatientPanel *self);
GListModel     *rd_patient_panel_get_history    (RdPatientPanel *self);
/* TRUE while a search or a details load runs or waits for its debounce. */
gboolean        rd_patient_panel_get_busy       (RdPatientPanel *self);
/* The chosen patient's counts; zeros before they are loaded. */
void            rd_patient_panel_get_summary    (RdPatientPanel   *self,
                                                 RdPatientSummary *summary);

G_END_DECLS
