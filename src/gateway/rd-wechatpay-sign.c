/* rd-wechatpay-sign.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-gateway-error.h"
#include "rd-wechatpay-sign.h"

/* Unix seconds have 10 digits until 2286; more is garbage, not a time. */
#define MAX_TIMESTAMP_DIGITS 12

G_DEFINE_BOXED_TYPE (RdWechatpayAuthorization, rd_wechatpay_authorization,
                     rd_wechatpay_authorization_copy, rd_wechatpay_authorization_free)

static gboolean
is_ows (char c)
{
  return c == ' ' || c == '\t';
}

static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+-.^_`|~", c) != NULL);
}

/* A value that goes into a signed message line or a header: no line breaks
 * or other controls that would let it spill into the next line. */
static gboolean
is_line_safe (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return FALSE;
    }

  return TRUE;
}

static gboolean
parse_timestamp (const char *text,
                 gint64     *out)
{
  gsize len;
  guint64 value;

  if (text == NULL)
    return FALSE;

  len = strlen (text);
  if (len == 0 || len > MAX_TIMESTAMP_DIGITS)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
    }

  value = g_ascii_strtoull (text, NULL, 10);
  *out = (gint64) value;

  return TRUE;
}

static gboolean
check_clock_skew (gint64   timestamp,
                  gint64   now,
                  GError **error)
{
  gint64 skew = timestamp > now ? timestamp - now : now - timestamp;

  if (skew > RD_WECHATPAY_MAX_CLOCK_SKEW)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The signature’s time is %lld seconds away from "
                     "this computer’s clock; check the clock"), (long long) skew);
      return FALSE;
    }

  return TRUE;
}

static GBytes *
build_message (const char * const  *lines,
               const guint8        *body,
               gsize                body_len)
{
  GByteArray *message = g_byte_array_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_byte_array_append (message, (const guint8 *) lines[i], strlen (lines[i]));
      g_byte_array_append (message, (const guint8 *) "\n", 1);
    }
  if (body_len > 0)
    g_byte_array_append (message, body, body_len);
  g_byte_array_append (message, (const guint8 *) "\n", 1);

  return g_byte_array_free_to_bytes (message);
}

static gboolean
set_item (RdWechatpayAuthorization  *auth,
          gboolean                  *have_timestamp,
          const char                *name,
          gsize                      name_len,
          char                      *value,
          GError                   **error)
{
  struct {
    const char *name;
    char **field;
  } items[] = {
    { "mchid", &auth->mchid },
    { "nonce_str", &auth->nonce_str },
    { "signature", &auth->signature },
    { "serial_no", &auth->serial_no },
  };

  if (name_len == strlen ("timestamp") && strncmp (name, "timestamp", name_len) == 0)
    {
      if (*have_timestamp || !parse_timestamp (value, &auth->timestamp))
        goto bad_item;
      *have_timestamp = TRUE;
      g_free (value);
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      if (name_len != strlen (items[i].name) || strncmp (name, items[i].name, name_len) != 0)
        continue;
      if (*items[i].field != NULL || *value == '\0')
        goto bad_item;
      *items[i].field = value;
      return TRUE;
    }

  /* Unknown items: tolerated, as the gateway may add some. */
  g_free (value);
  return TRUE;

bad_item:
  g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
               _("The Authorization header has a repeated or invalid “%.*s”"),
               (int) name_len, name);
  g_free (value);
  return FALSE;
}

RdWechatpayAuthorization *
rd_wechatpay_authorization_parse (const char  *header,
                                  GError     **error)
{
  g_autoptr(RdWechatpayAuthorization) auth = NULL;
  gboolean have_timestamp = FALSE;
  const char *p;
  gsize schema_len = strlen (RD_WECHATPAY_AUTH_SCHEMA);

  g_return_val_if_fail (header != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p = header;
  while (is_ows (*p))
    p++;

  /* Authentication schemes are case-insensitive (RFC 9110). */
  if (g_ascii_strncasecmp (p, RD_WECHATPAY_AUTH_SCHEMA, schema_len) != 0
      || !is_ows (p[schema_len]))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The Authorization header does not use %s"), RD_WECHATPAY_AUTH_SCHEMA);
      return NULL;
    }
  p += schema_len;

  auth = g_new0 (RdWechatpayAuthorization, 1);

  for (;;)
    {
      const char *name;
      gsize name_len;
      GString *value;

      while (is_ows (*p))
        p++;

      name = p;
      while (is_token_char (*p) && *p != '=')
        p++;
      name_len = p - name;
      if (name_len == 0)
        goto malformed;

      while (is_ows (*p))
        p++;
      if (*p++ != '=')
        goto malformed;
      while (is_ows (*p))
        p++;

      value = g_string_new (NULL);
      if (*p == '"')
        {
          for (p++; *p != '"'; p++)
            {
              if (*p == '\\')
                p++;
              if (*p == '\0' || ((guchar) *p < 0x20 && *p != '\t') || *p == 0x7f)
                {
                  g_string_free (value, TRUE);
                  goto malformed;
                }
              g_string_append_c (value, *p);
            }
          p++;
        }
      else
        {
          while (is_token_char (*p))
            g_string_append_c (value, *p++);
        }

      if (!set_item (auth, &have_timestamp, name, name_len, g_string_free (value, FALSE), error))
        return NULL;

      while (is_ows (*p))
        p++;
      if (*p == '\0')
        break;
      if (*p++ != ',')
        goto malformed;
    }

  if (auth->mchid == NULL || auth->nonce_str == NULL || auth->signature == NULL
      || auth->serial_no == NULL || !have_timestamp)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The Authorization header lacks one of mchid, nonce_str, timestamp, "
                     "serial_no and signature"));
      return NULL;
    }

  return g_steal_pointer (&auth);

malformed:
  g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
               _("The Authorization header is malformed at byte %d"),
               (int) (p - header));
  return NULL;
}

RdWechatpayAuthorization *
rd_wechatpay_authorization_copy (const RdWechatpayAuthorization *auth)
{
  RdWechatpayAuthorization *copy;

  g_return_val_if_fail (auth != NULL, NULL);

  copy = g_new0 (RdWechatpayAuthorization, 1);
  copy->mchid = g_strdup (auth->mchid);
  copy->nonce_str = g_strdup (auth->nonce_str);
  copy->signature = g_strdup (auth->signature);
  copy->serial_no = g_strdup (auth->serial_no);
  copy->timestamp = auth->timestamp;

  return copy;
}

void
rd_wechatpay_authorization_free (RdWechatpayAuthorization *auth)
{
  if (auth == NULL)
    return;

  g_free (auth->mchid);
  g_free (auth->nonce_str);
  g_free (auth->signature);
  g_free (auth->serial_no);
  g_free (auth);
}

static void
append_quoted (GString    *out,
               const char *name,
               const char *value)
{
  g_string_append_printf (out, "%s=\"", name);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

char *
rd_wechatpay_authorization_to_string (const RdWechatpayAuthorization *auth)
{
  g_autofree char *timestamp = NULL;
  GString *out;

  g_return_val_if_fail (auth != NULL, NULL);
  g_return_val_if_fail (auth->mchid != NULL, NULL);
  g_return_val_if_fail (auth->nonce_str != NULL, NULL);
  g_return_val_if_fail (auth->signature != NULL, NULL);
  g_return_val_if_fail (auth->serial_no != NULL, NULL);

  timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, auth->timestamp);

  /* The order of WeChat Pay's own SDKs; the gateway accepts any. */
  out = g_string_new (RD_WECHATPAY_AUTH_SCHEMA " ");
  append_quoted (out, "mchid", auth->mchid);
  g_string_append_c (out, ',');
  append_quoted (out, "nonce_str", auth->nonce_str);
  g_string_append_c (out, ',');
  append_quoted (out, "timestamp", timestamp);
  g_string_append_c (out, ',');
  append_quoted (out, "serial_no", auth->serial_no);
  g_string_append_c (out, ',');
  append_quoted (out, "signature", auth->signature);

  return g_string_free (out, FALSE);
}

gboolean
rd_wechatpay_authorization_verify (const RdWechatpayAuthorization  *auth,
                                   RdRsaPublicKey                  *merchant_key,
                                   const char                      *method,
                                   const char                      *url,
                                   const guint8                    *body,
                                   gsize                            body_len,
                                   gint64                           now,
                                   GError                         **error)
{
  g_autoptr(GBytes) message = NULL;
  const char *key_serial;

  g_return_val_if_fail (auth != NULL, FALSE);
  g_return_val_if_fail (merchant_key != NULL, FALSE);
  g_return_val_if_fail (method != NULL, FALSE);
  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (body != NULL || body_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  key_serial = rd_rsa_public_key_get_serial (merchant_key);
  if (key_serial != NULL && g_ascii_strcasecmp (key_serial, auth->serial_no) != 0)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The request names certificate %s, not %s"), auth->serial_no, key_serial);
      return FALSE;
    }

  if (!is_line_safe (auth->nonce_str))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The request’s nonce is invalid"));
      return FALSE;
    }

  if (!check_clock_skew (auth->timestamp, now, error))
    return FALSE;

  message = rd_wechatpay_request_message (method, url, auth->timestamp, auth->nonce_str,
                                          body, body_len);

  return rd_rsa_verify_sha256_base64 (merchant_key,
                                      g_bytes_get_data (message, NULL),
                                      g_bytes_get_size (message),
                                      auth->signature, error);
}

GBytes *
rd_wechatpay_request_message (const char   *method,
                              const char   *url,
                              gint64        timestamp,
                              const char   *nonce,
                              const guint8 *body,
                              gsize         body_len)
{
  g_autofree char *ts = NULL;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (body != NULL || body_len == 0, NULL);

  ts = g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);

  return build_message ((const char *[]) { method, url, ts, nonce, NULL }, body, body_len);
}

char *
rd_wechatpay_sign_request (RdRsaKey      *merchant_key,
                           const char    *mchid,
                           const char    *serial_no,
                           const char    *method,
                           const char    *url,
                           const guint8  *body,
                           gsize          body_len,
                           gint64         timestamp,
                           const char    *nonce,
                           GError       **error)
{
  g_autoptr(GBytes) message = NULL;
  g_autofree char *fresh_nonce = NULL;
  g_autofree char *signature = NULL;
  RdWechatpayAuthorization auth;

  g_return_val_if_fail (merchant_key != NULL, NULL);
  g_return_val_if_fail (mchid != NULL, NULL);
  g_return_val_if_fail (serial_no != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (body != NULL || body_len == 0, NULL);
  g_return_val_if_fail (timestamp > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* A line break in any of them would forge another message layout. */
  if (!is_line_safe (mchid) || !is_line_safe (serial_no) || !is_line_safe (method)
      || !is_line_safe (url) || url[0] != '/' || (nonce != NULL && !is_line_safe (nonce)))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                   _("The WeChat Pay request has an invalid merchant number, serial, "
                     "method, URL or nonce"));
      return NULL;
    }

  if (nonce == NULL)
    nonce = fresh_nonce = rd_crypto_nonce ();

  message = rd_wechatpay_request_message (method, url, timestamp, nonce, body, body_len);
  signature = rd_rsa_sign_sha256_base64 (merchant_key,
                                         g_bytes_get_data (message, NULL),
                                         g_bytes_get_size (message),
                                         error);
  if (signature == NULL)
    return NULL;

  auth.mchid = (char *) mchid;
  auth.nonce_str = (char *) nonce;
  auth.signature = signature;
  auth.serial_no = (char *) serial_no;
  auth.timestamp = timestamp;

  return rd_wechatpay_authorization_to_string (&auth);
}

GBytes *
rd_wechatpay_response_message (const char   *timestamp,
                               const char   *nonce,
                               const guint8 *body,
                               gsize         body_len)
{
  g_return_val_if_fail (timestamp != NULL, NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (body != NULL || body_len == 0, NULL);

  return build_message ((const char *[]) { timestamp, nonce, NULL }, body, body_len);
}

gboolean
rd_wechatpay_verify_response (RdRsaPublicKey  *platform_key,
                              const char      *timestamp,
                              const char      *nonce,
                              const char      *signature,
                              const char      *serial,
                              const guint8    *body,
                              gsize            body_len,
                              gint64           now,
                              GError         **error)
{
  g_autoptr(GBytes) message = NULL;
  const char *key_serial;
  gint64 ts;

  g_return_val_if_fail (platform_key != NULL, FALSE);
  g_return_val_if_fail (body != NULL || body_len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (timestamp == NULL || nonce == NULL || signature == NULL || serial == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The answer lacks WeChat Pay’s signature headers"));
      return FALSE;
    }

  if (!parse_timestamp (timestamp, &ts) || !is_line_safe (nonce))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The answer’s signature timestamp or nonce is invalid"));
      return FALSE;
    }

  key_serial = rd_rsa_public_key_get_serial (platform_key);
  if (key_serial != NULL && g_ascii_strcasecmp (key_serial, serial) != 0)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The answer was signed with platform certificate %s, not %s"),
                   serial, key_serial);
      return FALSE;
    }

  /* The signature first: a forged old answer should say it is forged. */
  message = rd_wechatpay_response_message (timestamp, nonce, body, body_len);
  if (!rd_rsa_verify_sha256_base64 (platform_key,
                                    g_bytes_get_data (message, NULL),
                                    g_bytes_get_size (message),
                                    signature, error))
    return FALSE;

  return check_clock_skew (ts, now, error);
}

char *
rd_wechatpay_sign_response (RdRsaKey      *platform_key,
                            gint64         timestamp,
                            const char    *nonce,
                            const guint8  *body,
                            gsize          body_len,
                            GError       **error)
{
  g_autoptr(GBytes) message = NULL;
  g_autofree char *ts = NULL;

  g_return_val_if_fail (platform_key != NULL, NULL);
  g_return_val_if_fail (is_line_safe (nonce), NULL);
  g_return_val_if_fail (body != NULL || body_len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ts = g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);
  message = rd_wechatpay_response_message (ts, nonce, body, body_len);

  return rd_rsa_sign_sha256_base64 (platform_key,
                                    g_bytes_get_data (message, NULL),
                                    g_bytes_get_size (message),
                                    error);
}

static gboolean
check_apiv3_key (const char  *apiv3_key,
                 GError     **error)
{
  if (strlen (apiv3_key) != RD_WECHATPAY_APIV3_KEY_LEN)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The WeChat Pay APIv3 key must have %d characters"),
                   RD_WECHATPAY_APIV3_KEY_LEN);
      return FALSE;
    }

  return TRUE;
}

GBytes *
rd_wechatpay_decrypt_resource (const char  *apiv3_key,
                               const char  *algorithm,
                               const char  *nonce,
                               const char  *associated_data,
                               const char  *ciphertext,
                               GError     **error)
{
  g_return_val_if_fail (apiv3_key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_strcmp0 (algorithm, "AEAD_AES_256_GCM") != 0 || nonce == NULL || ciphertext == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                   _("The notification’s resource is not AEAD_AES_256_GCM data"));
      return NULL;
    }

  if (!check_apiv3_key (apiv3_key, error))
    return NULL;

  return rd_aead_aes_gcm_decrypt ((const guint8 *) apiv3_key, RD_WECHATPAY_APIV3_KEY_LEN,
                                  nonce, associated_data, ciphertext, error);
}

char *
rd_wechatpay_encrypt_resource (const char    *apiv3_key,
                               const char    *nonce,
                               const char    *associated_data,
                               const guint8  *plaintext,
                               gsize          len,
                               GError       **error)
{
  g_return_val_if_fail (apiv3_key != NULL, NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_apiv3_key (apiv3_key, error))
    return NULL;

  return rd_aead_aes_gcm_encrypt ((const guint8 *) apiv3_key, RD_WECHATPAY_APIV3_KEY_LEN,
                                  nonce, associated_data, plaintext, len, error);
}
