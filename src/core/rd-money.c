/* rd-money.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include <string.h>

#include "rd-money.h"

/* Both the yen sign U+00A5 and the full-width U+FFE5 that Chinese input
 * methods type. */
#define YEN_SIGN "\xc2\xa5"
#define FULLWIDTH_YEN_SIGN "\xef\xbf\xa5"

/* The magnitude as unsigned, so G_MININT64 has one too. */
static guint64
magnitude (gint64 fen)
{
  return fen < 0 ? (guint64) -(fen + 1) + 1 : (guint64) fen;
}

char *
rd_money_format (gint64 fen)
{
  guint64 abs = magnitude (fen);

  return g_strdup_printf ("%s" YEN_SIGN "%" G_GUINT64_FORMAT ".%02u",
                          fen < 0 ? "-" : "",
                          abs / 100,
                          (guint) (abs % 100));
}

char *
rd_money_to_yuan (gint64 fen)
{
  guint64 abs = magnitude (fen);

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u",
                          fen < 0 ? "-" : "",
                          abs / 100,
                          (guint) (abs % 100));
}

gboolean
rd_money_parse (const char *text,
                gint64     *fen)
{
  const char *p;
  guint64 yuan = 0;
  guint64 cents = 0;
  guint64 total;
  guint n_int_digits = 0;

  g_return_val_if_fail (fen != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  p = text;
  if (g_str_has_prefix (p, YEN_SIGN))
    p += strlen (YEN_SIGN);
  else if (g_str_has_prefix (p, FULLWIDTH_YEN_SIGN))
    p += strlen (FULLWIDTH_YEN_SIGN);

  for (; g_ascii_isdigit (*p); p++, n_int_digits++)
    {
      guint digit = *p - '0';

      if (yuan > (G_MAXUINT64 - digit) / 10)
        return FALSE;
      yuan = yuan * 10 + digit;
    }

  if (n_int_digits == 0)
    return FALSE;

  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (p[0]))
        return FALSE;
      cents = (p[0] - '0') * 10;
      p++;
      if (g_ascii_isdigit (p[0]))
        {
          cents += p[0] - '0';
          p++;
        }
    }

  /* Trailing text, a third decimal, a sign, spaces: never guess. */
  if (*p != '\0')
    return FALSE;

  if (yuan > (guint64) G_MAXINT64 / 100)
    return FALSE;
  total = yuan * 100 + cents;
  if (total > (guint64) G_MAXINT64)
    return FALSE;

  *fen = (gint64) total;

  return TRUE;
}
