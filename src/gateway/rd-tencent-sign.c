/* rd-tencent-sign.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <string.h>

#include "rd-crypto.h"
#include "rd-tencent-sign.h"

static char *
header_value (const char *value)
{
  char *lower = g_ascii_strdown (value, -1);

  return g_strstrip (lower);
}

char *
rd_tencent_tc3_canonical_request (const char   *method,
                                  const char   *path,
                                  const char   *query,
                                  const char   *content_type,
                                  const char   *host,
                                  const guint8 *payload,
                                  gsize         payload_len)
{
  g_autofree char *payload_hash = NULL;
  g_autofree char *ct = NULL;
  g_autofree char *h = NULL;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (content_type != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (payload != NULL || payload_len == 0, NULL);

  payload_hash = rd_sha256_hex (payload, payload_len);
  ct = header_value (content_type);
  h = header_value (host);

  return g_strdup_printf ("%s\n%s\n%s\ncontent-type:%s\nhost:%s\n\n"
                          RD_TENCENT_TC3_SIGNED_HEADERS "\n%s",
                          method, path, query != NULL ? query : "", ct, h, payload_hash);
}

char *
rd_tencent_tc3_date (gint64 timestamp)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (timestamp);

  g_return_val_if_fail (time != NULL, NULL);

  return g_date_time_format (time, "%Y-%m-%d");
}

char *
rd_tencent_tc3_string_to_sign (gint64      timestamp,
                               const char *service,
                               const char *canonical_request)
{
  g_autofree char *date = NULL;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (service != NULL, NULL);
  g_return_val_if_fail (canonical_request != NULL, NULL);

  date = rd_tencent_tc3_date (timestamp);
  hash = rd_sha256_hex ((const guint8 *) canonical_request, strlen (canonical_request));

  return g_strdup_printf (RD_TENCENT_TC3_ALGORITHM "\n%" G_GINT64_FORMAT "\n%s/%s/tc3_request\n%s",
                          timestamp, date, service, hash);
}

char *
rd_tencent_tc3_signature (const char *secret_key,
                          gint64      timestamp,
                          const char *service,
                          const char *string_to_sign)
{
  g_autofree char *date = NULL;
  guint8 k_date[RD_SHA256_LEN];
  guint8 k_service[RD_SHA256_LEN];
  guint8 k_signing[RD_SHA256_LEN];
  guint8 signature[RD_SHA256_LEN];
  char *key;

  g_return_val_if_fail (secret_key != NULL, NULL);
  g_return_val_if_fail (service != NULL, NULL);
  g_return_val_if_fail (string_to_sign != NULL, NULL);

  date = rd_tencent_tc3_date (timestamp);

  key = g_strconcat ("TC3", secret_key, NULL);
  rd_hmac_sha256 ((const guint8 *) key, strlen (key),
                  (const guint8 *) date, strlen (date), k_date);
  rd_crypto_free_secret (key);
  rd_hmac_sha256 (k_date, sizeof k_date,
                  (const guint8 *) service, strlen (service), k_service);
  rd_hmac_sha256 (k_service, sizeof k_service,
                  (const guint8 *) "tc3_request", strlen ("tc3_request"), k_signing);
  rd_hmac_sha256 (k_signing, sizeof k_signing,
                  (const guint8 *) string_to_sign, strlen (string_to_sign), signature);

  /* The derived keys sign anything for this service all day. */
  rd_crypto_clear (k_date, sizeof k_date);
  rd_crypto_clear (k_service, sizeof k_service);
  rd_crypto_clear (k_signing, sizeof k_signing);

  return rd_hex_encode (signature, sizeof signature);
}

char *
rd_tencent_tc3_authorization (const char   *secret_id,
                              const char   *secret_key,
                              const char   *service,
                              const char   *method,
                              const char   *host,
                              const char   *content_type,
                              gint64        timestamp,
                              const guint8 *payload,
                              gsize         payload_len)
{
  g_autofree char *canonical_request = NULL;
  g_autofree char *string_to_sign = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *date = NULL;

  g_return_val_if_fail (secret_id != NULL, NULL);
  g_return_val_if_fail (secret_key != NULL, NULL);
  g_return_val_if_fail (service != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (content_type != NULL, NULL);
  g_return_val_if_fail (payload != NULL || payload_len == 0, NULL);

  canonical_request = rd_tencent_tc3_canonical_request (method, "/", NULL, content_type, host,
                                                        payload, payload_len);
  string_to_sign = rd_tencent_tc3_string_to_sign (timestamp, service, canonical_request);
  signature = rd_tencent_tc3_signature (secret_key, timestamp, service, string_to_sign);
  date = rd_tencent_tc3_date (timestamp);

  return g_strdup_printf (RD_TENCENT_TC3_ALGORITHM " Credential=%s/%s/%s/tc3_request, "
                          "SignedHeaders=" RD_TENCENT_TC3_SIGNED_HEADERS ", Signature=%s",
                          secret_id, date, service, signature);
}
