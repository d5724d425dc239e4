/* rd-patient-form.h: what the patient editor decides, as plain functions
 * tests call without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rd-identity.h"
#include "rd-patient.h"

G_BEGIN_DECLS

/* The fields a clerk fills in, in the order the editor shows them. */
typedef enum
{
  RD_PATIENT_FIELD_NAME,
  RD_PATIENT_FIELD_ID_NUMBER,
  RD_PATIENT_FIELD_SEX,
  RD_PATIENT_FIELD_BIRTH_DATE,
  RD_PATIENT_FIELD_PHONE,
  RD_PATIENT_FIELD_CARD_NO,
  RD_PATIENT_N_FIELDS,
} RdPatientField;

/* What the fields hold, as typed. */
typedef struct
{
  const char *name;
  RdIdType    id_type;
  const char *id_number;
  const char *sex;          /* "M", "F", or NULL/"" when not chosen */
  const char *birth_date;   /* ignored for a resident ID, which carries it */
  const char *phone;        /* optional */
  const char *card_no;      /* optional */
} RdPatientFormInput;

typedef struct
{
  /* Plain words for each field, NULL when the field is fine. */
  char     *errors[RD_PATIENT_N_FIELDS];
  /* TRUE when sex and birth date were read from a valid resident ID. */
  gboolean  derived;
  /* The values as the database takes them (NULL when empty or wrong). */
  char     *name;
  char     *id_number;
  char     *sex;
  char     *birth_date;     /* "YYYY-MM-DD" */
  char     *phone;          /* 11 digits */
  char     *card_no;        /* upper case */
} RdPatientFormResult;

/* Checks every field of @input as of @today (NULL: today, local time) and
 * fills @result (clear it with rd_patient_form_result_clear()). TRUE when
 * nothing is wrong and the patient may be saved. */
gboolean        rd_patient_form_check               (const RdPatientFormInput *input,
                                                     const GDate              *today,
                                                     RdPatientFormResult      *result);
void            rd_patient_form_result_clear        (RdPatientFormResult      *result);

/* A new RdPatient from a valid @result (empty pinyin: the store derives
 * it from the name). */
RdPatient      *rd_patient_form_result_to_patient   (const RdPatientFormResult *result,
                                                     RdIdType                  id_type,
                                                     gint64                    id,
                                                     gboolean                  disabled,
                                                     gboolean                  military);

/* Which field a search text belongs in when a clerk registers the patient
 * they did not find: digits of a mobile number, an ID or card number, or a
 * name. RD_PATIENT_N_FIELDS when it fits nowhere (pinyin initials). */
RdPatientField  rd_patient_form_field_for_query     (const char               *query);

/* The field a refusal of api.patient_create/update is about, and plain
 * words for it; RD_PATIENT_N_FIELDS for refusals of no single field
 * (duplicates, connection, permission). */
RdPatientField  rd_patient_form_describe_error      (const GError             *error,
                                                     char                    **message);

/* "Male · 38 years" ("女 · 8 个月" for a baby); the parts known. */
char           *rd_patient_form_describe_sex_age    (const char               *sex,
                                                     const char               *birth_date,
                                                     const GDate              *today);

G_END_DECLS
