/* rd-patient-form.c: what the patient editor decides, as plain functions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-patient-form.h"
#include "rd-store-error.h"

/* The database refuses birth dates before this (patients_birth_date_check). */
#define OLDEST_YEAR 1880
#define MAX_NAME_CHARS 50

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;

  for (; *text != '\0'; text++)
    {
      if (!g_ascii_isspace (*text))
        return FALSE;
    }

  return TRUE;
}

static GDate *
today_or (const GDate *today)
{
  g_autoptr(GDateTime) now = NULL;

  if (today != NULL)
    return g_date_copy (today);

  now = g_date_time_new_now_local ();

  return g_date_new_dmy (g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                         g_date_time_get_year (now));
}

static gboolean
parse_number (const char *text,
              gsize       min_digits,
              gsize       max_digits,
              guint      *value)
{
  gsize len = strlen (text);
  guint64 parsed;

  if (len < min_digits || len > max_digits || strspn (text, "0123456789") != len)
    return FALSE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT16, &parsed, NULL))
    return FALSE;

  *value = (guint) parsed;

  return TRUE;
}

/* "1990-03-07", "1990/3/7" or "19900307"; NULL for anything else. */
static GDate *
parse_date (const char *text)
{
  g_autofree char *clean = g_strstrip (g_strdup (text));
  g_auto(GStrv) parts = NULL;
  guint year = 0, month = 0, day = 0;

  if (strlen (clean) == 8 && strspn (clean, "0123456789") == 8)
    {
      year = (clean[0] - '0') * 1000 + (clean[1] - '0') * 100 + (clean[2] - '0') * 10
             + (clean[3] - '0');
      month = (clean[4] - '0') * 10 + (clean[5] - '0');
      day = (clean[6] - '0') * 10 + (clean[7] - '0');
    }
  else
    {
      /* one kind of separator, not both */
      if (strchr (clean, '-') != NULL && strchr (clean, '/') != NULL)
        return NULL;
      parts = g_strsplit_set (clean, "-/", -1);
      if (g_strv_length (parts) != 3 || !parse_number (parts[0], 4, 4, &year) ||
          !parse_number (parts[1], 1, 2, &month) || !parse_number (parts[2], 1, 2, &day))
        return NULL;
    }

  if (!g_date_valid_dmy (day, month, year))
    return NULL;

  return g_date_new_dmy (day, month, year);
}

static char *
date_text (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

static void
check_name (const RdPatientFormInput *input,
            RdPatientFormResult      *result)
{
  g_autofree char *name = g_strstrip (g_strdup (input->name != NULL ? input->name : ""));

  if (*name == '\0')
    result->errors[RD_PATIENT_FIELD_NAME] = g_strdup (_("Enter the patient’s name"));
  else if (g_utf8_strlen (name, -1) > MAX_NAME_CHARS)
    result->errors[RD_PATIENT_FIELD_NAME] =
      g_strdup_printf (_("A name has at most %d characters"), MAX_NAME_CHARS);
  else
    result->name = g_steal_pointer (&name);
}

static void
check_document (const RdPatientFormInput *input,
                const GDate              *today,
                RdPatientFormResult      *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDate) born = NULL;
  g_autofree char *normalized = NULL;
  char sex = 0;

  if (input->id_type == RD_ID_TYPE_NONE)
    return;

  if (!rd_id_number_validate (input->id_type, input->id_number != NULL ? input->id_number : "",
                              &normalized, &error))
    {
      result->errors[RD_PATIENT_FIELD_ID_NUMBER] = g_strdup (error->message);
      return;
    }

  if (input->id_type == RD_ID_TYPE_RESIDENT_ID)
    {
      /* Already checked: this reads the birth date and sex it carries. */
      if (!rd_resident_id_parse (normalized, &born, &sex, &error))
        {
          result->errors[RD_PATIENT_FIELD_ID_NUMBER] = g_strdup (error->message);
          return;
        }
      if (g_date_compare (born, today) > 0)
        {
          result->errors[RD_PATIENT_FIELD_ID_NUMBER] =
            g_strdup (_("The birth date in this ID number is not a real date"));
          return;
        }
      result->derived = TRUE;
      result->birth_date = date_text (born);
      result->sex = g_strdup (sex == 'M' ? "M" : "F");
    }

  result->id_number = g_steal_pointer (&normalized);
}

static void
check_sex_and_birth (const RdPatientFormInput *input,
                     const GDate              *today,
                     RdPatientFormResult      *result)
{
  g_autoptr(GDate) born = NULL;

  /* A resident ID says both (the editor shows them locked); while it is
   * wrong its own error is the one to fix. */
  if (input->id_type == RD_ID_TYPE_RESIDENT_ID)
    return;

  if (g_strcmp0 (input->sex, "M") == 0 || g_strcmp0 (input->sex, "F") == 0)
    result->sex = g_strdup (input->sex);
  else
    result->errors[RD_PATIENT_FIELD_SEX] = g_strdup (_("Choose female or male"));

  if (is_blank (input->birth_date))
    {
      result->errors[RD_PATIENT_FIELD_BIRTH_DATE] =
        g_strdup (_("Enter the birth date, for example 1990-03-07"));
      return;
    }

  born = parse_date (input->birth_date);
  if (born == NULL)
    result->errors[RD_PATIENT_FIELD_BIRTH_DATE] =
      g_strdup (_("This is not a date: write it as 1990-03-07"));
  else if (g_date_compare (born, today) > 0)
    result->errors[RD_PATIENT_FIELD_BIRTH_DATE] =
      g_strdup (_("The birth date cannot be in the future"));
  else if (g_date_get_year (born) < OLDEST_YEAR)
    result->errors[RD_PATIENT_FIELD_BIRTH_DATE] =
      g_strdup_printf (_("The birth date cannot be before %d"), OLDEST_YEAR);
  else
    result->birth_date = date_text (born);
}

static void
check_contact (const RdPatientFormInput *input,
               RdPatientFormResult      *result)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *card = NULL;

  if (!is_blank (input->phone) && !rd_mobile_validate (input->phone, &result->phone, &error))
    result->errors[RD_PATIENT_FIELD_PHONE] = g_strdup (error->message);

  if (is_blank (input->card_no))
    return;

  card = g_ascii_strup (input->card_no, -1);
  g_strstrip (card);
  if (strlen (card) < 4 || strlen (card) > 32 ||
      strspn (card, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen (card))
    result->errors[RD_PATIENT_FIELD_CARD_NO] =
      g_strdup (_("A medical card number has 4 to 32 letters and digits"));
  else
    result->card_no = g_steal_pointer (&card);
}

gboolean
rd_patient_form_check (const RdPatientFormInput *input,
                       const GDate              *today,
                       RdPatientFormResult      *result)
{
  g_autoptr(GDate) day = NULL;

  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (input->id_type <= RD_ID_TYPE_NONE, FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  memset (result, 0, sizeof *result);
  day = today_or (today);

  check_name (input, result);
  check_document (input, day, result);
  check_sex_and_birth (input, day, result);
  check_contact (input, result);

  for (guint i = 0; i < RD_PATIENT_N_FIELDS; i++)
    {
      if (result->errors[i] != NULL)
        return FALSE;
    }

  return TRUE;
}

void
rd_patient_form_result_clear (RdPatientFormResult *result)
{
  g_return_if_fail (result != NULL);

  for (guint i = 0; i < RD_PATIENT_N_FIELDS; i++)
    g_clear_pointer (&result->errors[i], g_free);
  g_clear_pointer (&result->name, g_free);
  g_clear_pointer (&result->id_number, g_free);
  g_clear_pointer (&result->sex, g_free);
  g_clear_pointer (&result->birth_date, g_free);
  g_clear_pointer (&result->phone, g_free);
  g_clear_pointer (&result->card_no, g_free);
  result->derived = FALSE;
}

RdPatient *
rd_patient_form_result_to_patient (const RdPatientFormResult *result,
                                   RdIdType                   id_type,
                                   gint64                     id,
                                   gboolean                   disabled,
                                   gboolean                   military)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (id_type <= RD_ID_TYPE_NONE, NULL);

  return g_object_new (RD_TYPE_PATIENT,
                       "id", id,
                       "name", result->name,
                       "pinyin", "",
                       "sex", result->sex,
                       "birth-date", result->birth_date,
                       "id-type", rd_id_type_to_db (id_type),
                       "id-number", id_type == RD_ID_TYPE_NONE ? NULL : result->id_number,
                       "phone", result->phone,
                       "card-no", result->card_no,
                       "disabled", disabled,
                       "military", military,
                       NULL);
}

RdPatientField
rd_patient_form_field_for_query (const char *query)
{
  g_autofree char *clean = NULL;
  gsize len;

  if (is_blank (query))
    return RD_PATIENT_N_FIELDS;

  clean = g_strstrip (g_strdup (query));
  len = strlen (clean);

  if (strspn (clean, "0123456789") == len)
    {
      if (len == 11 && clean[0] == '1')
        return RD_PATIENT_FIELD_PHONE;
      if (len == 18 || len == 15)
        return RD_PATIENT_FIELD_ID_NUMBER;
      return RD_PATIENT_FIELD_CARD_NO;
    }

  if (len == 18 && strspn (clean, "0123456789") == 17 && (clean[17] == 'X' || clean[17] == 'x'))
    return RD_PATIENT_FIELD_ID_NUMBER;

  /* Latin letters alone are pinyin initials, not a name to keep. */
  if (strspn (clean, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == len)
    return RD_PATIENT_N_FIELDS;

  for (const char *p = clean; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        return RD_PATIENT_N_FIELDS;
    }

  return RD_PATIENT_FIELD_NAME;
}

RdPatientField
rd_patient_form_describe_error (const GError  *error,
                                char         **message)
{
  const char *state;

  g_return_val_if_fail (error != NULL, RD_PATIENT_N_FIELDS);
  g_return_val_if_fail (message != NULL, RD_PATIENT_N_FIELDS);

  state = rd_store_error_get_sqlstate (error);
  if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED) && state != NULL)
    {
      static const struct
      {
        const char     *sqlstate;
        RdPatientField  field;
        const char     *words;
      } refusals[] = {
        { "RD201", RD_PATIENT_FIELD_NAME, N_("Enter the patient’s name") },
        { "RD202", RD_PATIENT_FIELD_SEX, N_("Choose female or male") },
        { "RD203", RD_PATIENT_FIELD_ID_NUMBER, N_("This document number is not valid") },
        { "RD204", RD_PATIENT_FIELD_ID_NUMBER,
          N_("This ID number is mistyped: its last character does not match") },
        { "RD205", RD_PATIENT_FIELD_ID_NUMBER,
          N_("This ID number belongs to someone of another birth date or sex") },
        { "RD206", RD_PATIENT_FIELD_PHONE,
          N_("A mobile number has 11 digits and starts with 13 to 19") },
        { "RD209", RD_PATIENT_FIELD_BIRTH_DATE, N_("This birth date is not possible") },
        { "RD210", RD_PATIENT_FIELD_CARD_NO,
          N_("A medical card number has 4 to 32 letters and digits") },
        { "RD212", RD_PATIENT_FIELD_CARD_NO,
          N_("This medical card already belongs to another patient") },
      };

      for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
        {
          if (g_str_equal (state, refusals[i].sqlstate))
            {
              *message = g_strdup (_(refusals[i].words));
              return refusals[i].field;
            }
        }

      if (g_str_equal (state, "RD207"))
        *message = g_strdup (_("This patient is already registered"));
      else if (g_str_equal (state, "RD208"))
        *message = g_strdup (_("This patient is no longer registered"));
      else
        *message = g_strdup_printf (_("The database refused: %s"), error->message);
      return RD_PATIENT_N_FIELDS;
    }

  if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION))
    *message = g_strdup (_("Your login may not register or change patients"));
  else if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION))
    *message = g_strdup (_("The database cannot be reached: try again in a moment"));
  else
    *message = g_strdup_printf (_("Could not save the patient: %s"), error->message);

  return RD_PATIENT_N_FIELDS;
}

char *
rd_patient_form_describe_sex_age (const char  *sex,
                                  const char  *birth_date,
                                  const GDate *today)
{
  g_autoptr(GDate) day = today_or (today);
  g_autoptr(GDate) born = NULL;
  GPtrArray *parts = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) strv = NULL;

  if (g_strcmp0 (sex, "M") == 0)
    g_ptr_array_add (parts, g_strdup (_("Male")));
  else if (g_strcmp0 (sex, "F") == 0)
    g_ptr_array_add (parts, g_strdup (_("Female")));

  born = birth_date != NULL ? parse_date (birth_date) : NULL;
  if (born != NULL && g_date_compare (born, day) <= 0)
    {
      int years = g_date_get_year (day) - g_date_get_year (born);
      int months;

      if (g_date_get_month (day) < g_date_get_month (born)
          || (g_date_get_month (day) == g_date_get_month (born)
              && g_date_get_day (day) < g_date_get_day (born)))
        years--;

      if (years >= 1)
        {
          g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d year",
                                                                "%d years", years),
                                                   years));
        }
      else
        {
          months = (g_date_get_year (day) - g_date_get_year (born)) * 12
                   + (int) g_date_get_month (day) - (int) g_date_get_month (born);
          if (g_date_get_day (day) < g_date_get_day (born))
            months--;
          months = MAX (months, 0);
          g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d month",
                                                                "%d months", months),
                                                   months));
        }
    }

  g_ptr_array_add (parts, NULL);
  strv = (GStrv) g_ptr_array_free (parts, FALSE);

  return g_strjoinv (" · ", strv);
}
