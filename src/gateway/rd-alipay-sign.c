/* rd-alipay-sign.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-alipay-sign.h"
#include "rd-gateway-error.h"
#include "rd-money.h"

/* Deeper nesting than any real answer: refuse it rather than recurse on. */
#define MAX_JSON_DEPTH 64

typedef struct
{
  const char *p;
  const char *end;
  guint       depth;
} Scanner;

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  /* strcmp() compares as unsigned char: byte order, as Alipay sorts. */
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
string_to_sign (GHashTable *params,
                gboolean    with_sign_type)
{
  g_autofree const char **keys = NULL;
  GString *out = g_string_new (NULL);
  guint n_keys;

  keys = (const char **) g_hash_table_get_keys_as_array (params, &n_keys);
  qsort (keys, n_keys, sizeof *keys, compare_keys);

  for (guint i = 0; i < n_keys; i++)
    {
      const char *value = g_hash_table_lookup (params, keys[i]);

      if (g_str_equal (keys[i], "sign") || (!with_sign_type && g_str_equal (keys[i], "sign_type")))
        continue;
      if (value == NULL || *value == '\0')
        continue;

      if (out->len > 0)
        g_string_append_c (out, '&');
      g_string_append_printf (out, "%s=%s", keys[i], value);
    }

  return g_string_free (out, FALSE);
}

char *
rd_alipay_request_string_to_sign (GHashTable *params)
{
  g_return_val_if_fail (params != NULL, NULL);

  return string_to_sign (params, TRUE);
}

char *
rd_alipay_notification_string_to_sign (GHashTable *params)
{
  g_return_val_if_fail (params != NULL, NULL);

  return string_to_sign (params, FALSE);
}

static char *
sign_text (RdRsaKey    *key,
           const char  *text,
           GError     **error)
{
  return rd_rsa_sign_sha256_base64 (key, (const guint8 *) text, strlen (text), error);
}

static gboolean
verify_text (RdRsaPublicKey  *key,
             const char      *text,
             const char      *sign,
             GError         **error)
{
  if (sign == NULL || *sign == '\0')
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The Alipay message is not signed"));
      return FALSE;
    }

  return rd_rsa_verify_sha256_base64 (key, (const guint8 *) text, strlen (text), sign, error);
}

char *
rd_alipay_sign_request (RdRsaKey    *app_key,
                        GHashTable  *params,
                        GError     **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (app_key != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  text = rd_alipay_request_string_to_sign (params);

  return sign_text (app_key, text, error);
}

gboolean
rd_alipay_verify_request (RdRsaPublicKey  *app_public_key,
                          GHashTable      *params,
                          GError         **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (app_public_key != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_strcmp0 (g_hash_table_lookup (params, "sign_type"), RD_ALIPAY_SIGN_TYPE) != 0)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The Alipay request is not signed with %s"), RD_ALIPAY_SIGN_TYPE);
      return FALSE;
    }

  text = rd_alipay_request_string_to_sign (params);

  return verify_text (app_public_key, text, g_hash_table_lookup (params, "sign"), error);
}

gboolean
rd_alipay_verify_notification (RdRsaPublicKey  *alipay_key,
                               GHashTable      *params,
                               GError         **error)
{
  g_autofree char *text = NULL;
  const char *sign_type;

  g_return_val_if_fail (alipay_key != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* sign_type is not signed, so it decides nothing; still, RSA (SHA-1)
   * notifications are not ours. */
  sign_type = g_hash_table_lookup (params, "sign_type");
  if (sign_type != NULL && *sign_type != '\0' && !g_str_equal (sign_type, RD_ALIPAY_SIGN_TYPE))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The Alipay notification is not signed with %s"), RD_ALIPAY_SIGN_TYPE);
      return FALSE;
    }

  text = rd_alipay_notification_string_to_sign (params);

  return verify_text (alipay_key, text, g_hash_table_lookup (params, "sign"), error);
}

char *
rd_alipay_sign_notification (RdRsaKey    *alipay_key,
                             GHashTable  *params,
                             GError     **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (alipay_key != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  text = rd_alipay_notification_string_to_sign (params);

  return sign_text (alipay_key, text, error);
}

char *
rd_alipay_build_form (GHashTable *params)
{
  g_autofree const char **keys = NULL;
  GString *out;
  guint n_keys;

  g_return_val_if_fail (params != NULL, NULL);

  keys = (const char **) g_hash_table_get_keys_as_array (params, &n_keys);
  qsort (keys, n_keys, sizeof *keys, compare_keys);

  out = g_string_new (NULL);
  for (guint i = 0; i < n_keys; i++)
    {
      const char *value = g_hash_table_lookup (params, keys[i]);

      if (value == NULL || *value == '\0')
        continue;

      if (out->len > 0)
        g_string_append_c (out, '&');
      /* Escapes all but the RFC 3986 unreserved set, with uppercase hex. */
      g_string_append_uri_escaped (out, keys[i], NULL, FALSE);
      g_string_append_c (out, '=');
      g_string_append_uri_escaped (out, value, NULL, FALSE);
    }

  return g_string_free (out, FALSE);
}

GHashTable *
rd_alipay_parse_form (const char  *body,
                      gssize       len,
                      GError     **error)
{
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GError) local_error = NULL;
  GUriParamsIter iter;
  char *key;
  char *value;

  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_uri_params_iter_init (&iter, body, len, "&", G_URI_PARAMS_WWW_FORM);
  while (g_uri_params_iter_next (&iter, &key, &value, &local_error))
    {
      if (!g_utf8_validate (key, -1, NULL) || !g_utf8_validate (value, -1, NULL)
          || g_hash_table_contains (params, key))
        {
          g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                       _("The form has a repeated or non-UTF-8 field"));
          g_free (key);
          g_free (value);
          return NULL;
        }
      g_hash_table_insert (params, key, value);
    }

  if (local_error != NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                   _("The form cannot be decoded: %s"), local_error->message);
      return NULL;
    }

  return g_steal_pointer (&params);
}

char *
rd_alipay_response_node_name (const char *method)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (method != NULL && *method != '\0', NULL);

  name = g_strdup (method);
  g_strdelimit (name, ".", '_');

  return g_strconcat (name, "_response", NULL);
}

static void
skip_ws (Scanner *s)
{
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean
peek (Scanner *s,
      char     c)
{
  return s->p < s->end && *s->p == c;
}

static gboolean
scan_hex4 (const char *p,
           const char *end,
           gunichar   *out)
{
  gunichar c = 0;

  if (end - p < 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return FALSE;
      c = c << 4 | g_ascii_xdigit_value (p[i]);
    }
  *out = c;

  return TRUE;
}

/* At a '"': moves past the closing quote, checking escapes and controls. */
static gboolean
scan_string (Scanner *s)
{
  if (!peek (s, '"'))
    return FALSE;

  for (s->p++; s->p < s->end; s->p++)
    {
      guchar c = *s->p;

      if (c == '"')
        {
          s->p++;
          return TRUE;
        }
      if (c < 0x20)
        return FALSE;
      if (c == '\\')
        {
          s->p++;
          if (s->p >= s->end)
            return FALSE;
          if (*s->p == 'u')
            {
              gunichar unit;

              if (!scan_hex4 (s->p + 1, s->end, &unit))
                return FALSE;
              s->p += 4;

              /* A lone surrogate is no character: JSON-GLib refuses it too. */
              if (unit >= 0xdc00 && unit <= 0xdfff)
                return FALSE;
              if (unit >= 0xd800 && unit <= 0xdbff)
                {
                  gunichar low;

                  if (s->end - s->p < 7 || s->p[1] != '\\' || s->p[2] != 'u'
                      || !scan_hex4 (s->p + 3, s->end, &low)
                      || low < 0xdc00 || low > 0xdfff)
                    return FALSE;
                  s->p += 6;
                }
            }
          else if (strchr ("\"\\/bfnrt", *s->p) == NULL || *s->p == '\0')
            return FALSE;
        }
    }

  return FALSE;
}

static gboolean
scan_digits (Scanner *s)
{
  const char *start = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;

  return s->p > start;
}

static gboolean
scan_number (Scanner *s)
{
  if (peek (s, '-'))
    s->p++;
  if (peek (s, '0'))
    s->p++;
  else if (!scan_digits (s))
    return FALSE;
  if (peek (s, '.'))
    {
      s->p++;
      if (!scan_digits (s))
        return FALSE;
    }
  if (peek (s, 'e') || peek (s, 'E'))
    {
      s->p++;
      if (peek (s, '+') || peek (s, '-'))
        s->p++;
      if (!scan_digits (s))
        return FALSE;
    }

  return TRUE;
}

static gboolean
scan_literal (Scanner    *s,
              const char *word)
{
  gsize len = strlen (word);

  if ((gsize) (s->end - s->p) < len || memcmp (s->p, word, len) != 0)
    return FALSE;
  s->p += len;

  return TRUE;
}

static gboolean scan_value (Scanner *s);

/* At '{' or '[': moves past the matching closer. */
static gboolean
scan_container (Scanner *s,
                char     closer)
{
  gboolean first = TRUE;

  if (++s->depth > MAX_JSON_DEPTH)
    return FALSE;

  s->p++;
  for (;;)
    {
      skip_ws (s);
      if (peek (s, closer))
        {
          s->p++;
          s->depth--;
          return TRUE;
        }
      if (!first)
        {
          if (!peek (s, ','))
            return FALSE;
          s->p++;
          skip_ws (s);
        }
      if (closer == '}')
        {
          if (!scan_string (s))
            return FALSE;
          skip_ws (s);
          if (!peek (s, ':'))
            return FALSE;
          s->p++;
          skip_ws (s);
        }
      if (!scan_value (s))
        return FALSE;
      first = FALSE;
    }
}

static gboolean
scan_value (Scanner *s)
{
  if (s->p >= s->end)
    return FALSE;

  switch (*s->p)
    {
    case '{':
      return scan_container (s, '}');
    case '[':
      return scan_container (s, ']');
    case '"':
      return scan_string (s);
    case 't':
      return scan_literal (s, "true");
    case 'f':
      return scan_literal (s, "false");
    case 'n':
      return scan_literal (s, "null");
    default:
      return scan_number (s);
    }
}

/* Decodes a string token that scan_string() accepted to UTF-8; NULL for
 * "\u0000", which would cut a C string short and make "sign\u0000x" read as
 * "sign". */
static char *
decode_string (const char *start,
               const char *end)
{
  GString *out = g_string_sized_new (end - start);
  const char *p = start + 1;

  end--;
  while (p < end)
    {
      gunichar c;

      if (*p != '\\')
        {
          g_string_append_c (out, *p++);
          continue;
        }

      p++;
      switch (*p)
        {
        case 'b': g_string_append_c (out, '\b'); p++; continue;
        case 'f': g_string_append_c (out, '\f'); p++; continue;
        case 'n': g_string_append_c (out, '\n'); p++; continue;
        case 'r': g_string_append_c (out, '\r'); p++; continue;
        case 't': g_string_append_c (out, '\t'); p++; continue;
        case 'u': break;
        default: g_string_append_c (out, *p++); continue;
        }

      if (!scan_hex4 (p + 1, end, &c))
        goto invalid;
      p += 5;

      /* scan_string() let only whole surrogate pairs through. */
      if (c >= 0xd800 && c <= 0xdbff)
        {
          gunichar low;

          if (!scan_hex4 (p + 2, end, &low))
            goto invalid;
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          p += 6;
        }

      if (c == 0)
        goto invalid;

      g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);

invalid:
  g_string_free (out, TRUE);
  return NULL;
}

char *
rd_alipay_extract_response (const guint8  *raw,
                            gsize          len,
                            const char    *method,
                            char         **node_name,
                            char         **sign,
                            GError       **error)
{
  g_autofree char *method_node = NULL;
  g_autofree char *found_sign = NULL;
  const char *found_name = NULL;
  const char *node_start = NULL;
  const char *node_end = NULL;
  gboolean have_sign = FALSE;
  Scanner s;

  g_return_val_if_fail (raw != NULL || len == 0, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  method_node = rd_alipay_response_node_name (method);

  if (!g_utf8_validate ((const char *) raw, len, NULL))
    goto malformed;

  s.p = (const char *) raw;
  s.end = s.p + len;
  s.depth = 1;

  skip_ws (&s);
  if (!peek (&s, '{'))
    goto malformed;
  s.p++;

  for (gboolean first = TRUE; ; first = FALSE)
    {
      g_autofree char *key = NULL;
      const char *key_start;
      const char *value_start;

      skip_ws (&s);
      if (peek (&s, '}') && first)
        {
          s.p++;
          break;
        }
      if (!first)
        {
          if (peek (&s, '}'))
            {
              s.p++;
              break;
            }
          if (!peek (&s, ','))
            goto malformed;
          s.p++;
          skip_ws (&s);
        }

      key_start = s.p;
      if (!scan_string (&s))
        goto malformed;
      key = decode_string (key_start, s.p);
      if (key == NULL)
        goto malformed;

      skip_ws (&s);
      if (!peek (&s, ':'))
        goto malformed;
      s.p++;
      skip_ws (&s);

      value_start = s.p;
      if (!scan_value (&s))
        goto malformed;

      if (g_str_equal (key, method_node) || g_str_equal (key, RD_ALIPAY_ERROR_RESPONSE))
        {
          if (found_name != NULL)
            {
              g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                           _("The Alipay answer has more than one response node"));
              return NULL;
            }
          if (*value_start != '{')
            goto malformed;
          found_name = g_str_equal (key, method_node) ? method_node : RD_ALIPAY_ERROR_RESPONSE;
          node_start = value_start;
          node_end = s.p;
        }
      else if (g_str_equal (key, "sign"))
        {
          if (have_sign || *value_start != '"')
            goto malformed;
          found_sign = decode_string (value_start, s.p);
          if (found_sign == NULL)
            goto malformed;
          have_sign = TRUE;
        }
    }

  skip_ws (&s);
  if (s.p != s.end)
    goto malformed;

  if (found_name == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                   _("The Alipay answer has no “%s”"), method_node);
      return NULL;
    }

  if (node_name != NULL)
    *node_name = g_strdup (found_name);
  if (sign != NULL)
    *sign = g_steal_pointer (&found_sign);

  return g_strndup (node_start, node_end - node_start);

malformed:
  g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
               _("The Alipay answer is not a well-formed JSON object"));
  return NULL;
}

char *
rd_alipay_open_response (RdRsaPublicKey  *alipay_key,
                         const guint8    *raw,
                         gsize            len,
                         const char      *method,
                         gboolean        *is_error,
                         GError         **error)
{
  g_autofree char *node_name = NULL;
  g_autofree char *sign = NULL;
  g_autofree char *node = NULL;

  g_return_val_if_fail (alipay_key != NULL, NULL);
  g_return_val_if_fail (raw != NULL || len == 0, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  node = rd_alipay_extract_response (raw, len, method, &node_name, &sign, error);
  if (node == NULL)
    return NULL;

  if (!verify_text (alipay_key, node, sign, error))
    return NULL;

  if (is_error != NULL)
    *is_error = g_str_equal (node_name, RD_ALIPAY_ERROR_RESPONSE);

  return g_steal_pointer (&node);
}

char *
rd_alipay_build_response (RdRsaKey    *alipay_key,
                          const char  *method,
                          const char  *node_text,
                          gboolean     is_error,
                          GError     **error)
{
  g_autofree char *node_name = NULL;
  g_autofree char *sign = NULL;

  g_return_val_if_fail (alipay_key != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (node_text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  sign = sign_text (alipay_key, node_text, error);
  if (sign == NULL)
    return NULL;

  node_name = is_error ? g_strdup (RD_ALIPAY_ERROR_RESPONSE)
                       : rd_alipay_response_node_name (method);

  /* base64 needs no JSON escaping. */
  return g_strdup_printf ("{\"%s\":%s,\"sign\":\"%s\"}", node_name, node_text, sign);
}

char *
rd_alipay_format_timestamp (GDateTime *time)
{
  g_autoptr(GTimeZone) zone = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (time != NULL, NULL);

  /* Alipay reads its timestamps in Beijing time, not the desk's zone. */
  zone = g_time_zone_new_offset (8 * 3600);
  local = g_date_time_to_timezone (time, zone);

  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

char *
rd_alipay_amount_from_fen (gint64 fen)
{
  return rd_money_to_yuan (fen);
}

gboolean
rd_alipay_amount_to_fen (const char  *yuan,
                         gint64      *fen,
                         GError     **error)
{
  const char *digits;
  const char *p;
  gint64 value;

  g_return_val_if_fail (fen != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (yuan == NULL)
    goto invalid;

  /* Only the wire form: rd_money_parse() also takes "¥" and the like. */
  digits = yuan[0] == '-' ? yuan + 1 : yuan;
  p = digits;
  while (g_ascii_isdigit (*p))
    p++;
  if (p == digits)
    goto invalid;
  if (*p == '.')
    {
      const char *decimals = ++p;

      while (g_ascii_isdigit (*p))
        p++;
      if (p - decimals < 1 || p - decimals > 2)
        goto invalid;
    }
  if (*p != '\0')
    goto invalid;

  if (!rd_money_parse (digits, &value))
    goto invalid;

  *fen = digits == yuan ? value : -value;

  return TRUE;

invalid:
  g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
               _("“%s” is not an amount in yuan"), yuan != NULL ? yuan : "");
  return FALSE;
}
