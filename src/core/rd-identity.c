/* rd-identity.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-identity.h"

G_DEFINE_QUARK (rd-validation-error-quark, rd_validation_error)

static const char *id_type_db[] = {
  [RD_ID_TYPE_RESIDENT_ID] = "resident_id",
  [RD_ID_TYPE_PASSPORT] = "passport",
  [RD_ID_TYPE_HK_MACAU_PERMIT] = "hk_macau_permit",
  [RD_ID_TYPE_TAIWAN_PERMIT] = "taiwan_permit",
  [RD_ID_TYPE_FOREIGN_PERMANENT] = "foreign_permanent",
  [RD_ID_TYPE_NONE] = "none",
};

const char *
rd_id_type_to_db (RdIdType type)
{
  g_return_val_if_fail (type <= RD_ID_TYPE_NONE, NULL);

  return id_type_db[type];
}

int
rd_id_type_from_db (const char *text)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (id_type_db); i++)
    {
      if (g_str_equal (text, id_type_db[i]))
        return i;
    }

  return -1;
}

const char *
rd_id_type_to_string (RdIdType type)
{
  switch (type)
    {
    case RD_ID_TYPE_RESIDENT_ID:
      return _("Resident ID card");
    case RD_ID_TYPE_PASSPORT:
      return _("Passport");
    case RD_ID_TYPE_HK_MACAU_PERMIT:
      return _("Mainland travel permit for Hong Kong and Macau residents");
    case RD_ID_TYPE_TAIWAN_PERMIT:
      return _("Mainland travel permit for Taiwan residents");
    case RD_ID_TYPE_FOREIGN_PERMANENT:
      return _("Foreigner's permanent residence ID card");
    case RD_ID_TYPE_NONE:
      return _("No document");
    default:
      g_return_val_if_reached (NULL);
    }
}

char
rd_resident_id_check_char (const char *first17)
{
  static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
  static const char check[] = "10X98765432";
  int sum = 0;

  if (first17 == NULL)
    return 0;

  for (guint i = 0; i < 17; i++)
    {
      if (!g_ascii_isdigit (first17[i]))
        return 0;
      sum += (first17[i] - '0') * weights[i];
    }

  return check[sum % 11];
}

static gboolean
all_digits (const char *text,
            gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
    }

  return TRUE;
}

gboolean
rd_resident_id_parse (const char  *id,
                      GDate      **birth_date,
                      char        *sex,
                      GError     **error)
{
  g_autoptr(GDate) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  int year, month, day;
  char expected;
  char last;

  g_return_val_if_fail (id != NULL, FALSE);

  if (*id == '\0')
    {
      g_set_error_literal (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_EMPTY,
                           _("Enter the ID number"));
      return FALSE;
    }

  if (strlen (id) != 18)
    {
      g_set_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_LENGTH,
                   _("A resident ID number has 18 characters, this one has %d"),
                   (int) g_utf8_strlen (id, -1));
      return FALSE;
    }

  last = g_ascii_toupper (id[17]);
  if (!all_digits (id, 17) || !(g_ascii_isdigit (last) || last == 'X'))
    {
      g_set_error_literal (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_CHARACTERS,
                           _("A resident ID number has 17 digits and then a digit or X"));
      return FALSE;
    }

  /* Province codes run from 11 (Beijing) to 82 (Macau); 9x are not issued. */
  if (id[0] < '1' || id[0] > '8')
    {
      g_set_error_literal (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_REGION,
                           _("The first digits of this ID number are not a region of China"));
      return FALSE;
    }

  year = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
  month = (id[10] - '0') * 10 + (id[11] - '0');
  day = (id[12] - '0') * 10 + (id[13] - '0');
  now = g_date_time_new_now_local ();

  if (year < 1900 || !g_date_valid_dmy (day, month, year)
      || year > g_date_time_get_year (now)
      || (year == g_date_time_get_year (now)
          && (month > g_date_time_get_month (now)
              || (month == g_date_time_get_month (now)
                  && day > g_date_time_get_day_of_month (now)))))
    {
      g_set_error_literal (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_DATE,
                           _("The birth date in this ID number is not a real date"));
      return FALSE;
    }

  expected = rd_resident_id_check_char (id);
  if (expected != last)
    {
      g_set_error_literal (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_CHECKSUM,
                           _("This ID number is mistyped: its last character does not match"));
      return FALSE;
    }

  date = g_date_new_dmy (day, month, year);
  if (birth_date != NULL)
    *birth_date = g_steal_pointer (&date);
  if (sex != NULL)
    *sex = ((id[16] - '0') % 2 == 1) ? 'M' : 'F';

  return TRUE;
}

static gboolean
matches (const char *text,
         const char *pattern)
{
  /* pattern: 'A' an upper-case letter, '9' a digit, anything else itself */
  for (; *pattern != '\0'; pattern++, text++)
    {
      if (*text == '\0')
        return FALSE;
      if (*pattern == 'A' && !g_ascii_isupper (*text))
        return FALSE;
      if (*pattern == '9' && !g_ascii_isdigit (*text))
        return FALSE;
      if (*pattern != 'A' && *pattern != '9' && *pattern != *text)
        return FALSE;
    }

  return *text == '\0';
}

gboolean
rd_id_number_validate (RdIdType     type,
                       const char  *number,
                       char       **normalized,
                       GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *clean = NULL;
  gboolean ok = FALSE;
  const char *hint = NULL;

  g_return_val_if_fail (number != NULL, FALSE);

  trimmed = g_strstrip (g_strdup (number));
  clean = g_ascii_strup (trimmed, -1);

  if (type == RD_ID_TYPE_NONE)
    {
      if (normalized != NULL)
        *normalized = g_strdup ("");
      return TRUE;
    }

  if (*clean == '\0')
    {
      g_set_error_literal (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_EMPTY,
                           _("Enter the document number"));
      return FALSE;
    }

  switch (type)
    {
    case RD_ID_TYPE_RESIDENT_ID:
      if (!rd_resident_id_parse (clean, NULL, NULL, error))
        return FALSE;
      ok = TRUE;
      break;

    case RD_ID_TYPE_PASSPORT:
      /* ICAO 9303 allows 5 to 9 letters and digits in the number field. */
      ok = strlen (clean) >= 5 && strlen (clean) <= 9;
      for (const char *p = clean; ok && *p; p++)
        ok = g_ascii_isalnum (*p);
      hint = _("A passport number has 5 to 9 letters and digits");
      break;

    case RD_ID_TYPE_HK_MACAU_PERMIT:
      /* 回乡证: H or M and 8 digits (10 on older cards) */
      ok = matches (clean, "A99999999") || matches (clean, "A9999999999");
      ok = ok && (clean[0] == 'H' || clean[0] == 'M');
      hint = _("A Hong Kong or Macau permit number is H or M and 8 or 10 digits");
      break;

    case RD_ID_TYPE_TAIWAN_PERMIT:
      /* 台胞证: 8 digits (10 with the issue count in brackets on old cards) */
      ok = matches (clean, "99999999") || matches (clean, "9999999999");
      hint = _("A Taiwan permit number has 8 or 10 digits");
      break;

    case RD_ID_TYPE_FOREIGN_PERMANENT:
      /* The 2017 card is 18 characters starting with 9 (GB 11643 checked);
       * the older one is 3 letters and 12 digits. */
      if (strlen (clean) == 18 && clean[0] == '9')
        ok = all_digits (clean, 17)
             && rd_resident_id_check_char (clean) == clean[17];
      else
        ok = matches (clean, "AAA999999999999");
      hint = _("A permanent residence ID is 18 characters starting with 9, "
               "or 3 letters and 12 digits");
      break;

    case RD_ID_TYPE_NONE:
    default:
      g_assert_not_reached ();
    }

  if (!ok)
    {
      g_set_error_literal (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_CHARACTERS, hint);
      return FALSE;
    }

  if (normalized != NULL)
    *normalized = g_steal_pointer (&clean);

  return TRUE;
}

gboolean
rd_mobile_validate (const char  *phone,
                    char       **normalized,
                    GError     **error)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  const char *p;

  g_return_val_if_fail (phone != NULL, FALSE);

  p = phone;
  while (g_ascii_isspace (*p))
    p++;
  if (g_str_has_prefix (p, "+86"))
    p += 3;
  else if (g_str_has_prefix (p, "0086"))
    p += 4;

  for (; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        g_string_append_c (digits, *p);
      else if (*p != ' ' && *p != '-')
        {
          g_set_error_literal (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_CHARACTERS,
                               _("A mobile number has only digits"));
          return FALSE;
        }
    }

  if (digits->len == 0)
    {
      g_set_error_literal (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_EMPTY,
                           _("Enter the mobile number"));
      return FALSE;
    }

  if (digits->len != 11 || digits->str[0] != '1' || digits->str[1] < '3')
    {
      g_set_error_literal (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_LENGTH,
                           _("A mobile number has 11 digits and starts with 13 to 19"));
      return FALSE;
    }

  if (normalized != NULL)
    *normalized = g_strdup (digits->str);

  return TRUE;
}

char *
rd_id_number_mask (const char *number)
{
  gsize len;
  GString *out;

  g_return_val_if_fail (number != NULL, NULL);

  len = strlen (number);
  if (len <= 4)
    return g_strnfill (len, '*');
  if (len <= 10)
    {
      out = g_string_new_len (number, 2);
      for (gsize i = 2; i < len - 2; i++)
        g_string_append_c (out, '*');
      g_string_append (out, number + len - 2);
      return g_string_free (out, FALSE);
    }

  out = g_string_new_len (number, 6);
  for (gsize i = 6; i < len - 4; i++)
    g_string_append_c (out, '*');
  g_string_append (out, number + len - 4);

  return g_string_free (out, FALSE);
}
