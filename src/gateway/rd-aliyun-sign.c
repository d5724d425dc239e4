/* rd-aliyun-sign.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rd-aliyun-sign.h"
#include "rd-crypto.h"

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static const char **
sorted_keys (GHashTable *table,
             guint      *n_keys)
{
  const char **keys = (const char **) g_hash_table_get_keys_as_array (table, n_keys);

  qsort (keys, *n_keys, sizeof *keys, compare_keys);

  return keys;
}

static void
append_encoded (GString    *out,
                const char *text)
{
  static const char hex[] = "0123456789ABCDEF";

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~')
        {
          g_string_append_c (out, *p);
        }
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[*p >> 4]);
          g_string_append_c (out, hex[*p & 0xf]);
        }
    }
}

char *
rd_aliyun_percent_encode (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text) * 3 + 1);
  append_encoded (out, text);

  return g_string_free (out, FALSE);
}

static char *
canonical_query (GHashTable *params,
                 const char *skip)
{
  g_autofree const char **keys = NULL;
  GString *out = g_string_new (NULL);
  guint n_keys;

  keys = sorted_keys (params, &n_keys);
  for (guint i = 0; i < n_keys; i++)
    {
      const char *value = g_hash_table_lookup (params, keys[i]);

      if (skip != NULL && g_str_equal (keys[i], skip))
        continue;

      if (out->len > 0)
        g_string_append_c (out, '&');
      append_encoded (out, keys[i]);
      g_string_append_c (out, '=');
      append_encoded (out, value != NULL ? value : "");
    }

  return g_string_free (out, FALSE);
}

char *
rd_aliyun_canonical_query (GHashTable *params)
{
  g_return_val_if_fail (params != NULL, NULL);

  return canonical_query (params, NULL);
}

char *
rd_aliyun_rpc_string_to_sign (const char *method,
                              GHashTable *params)
{
  g_autofree char *query = NULL;
  GString *out;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  query = canonical_query (params, "Signature");

  out = g_string_new (method);
  g_string_append (out, "&");
  append_encoded (out, "/");
  g_string_append (out, "&");
  append_encoded (out, query);

  return g_string_free (out, FALSE);
}

char *
rd_aliyun_rpc_sign (const char *access_key_secret,
                    const char *method,
                    GHashTable *params)
{
  g_autofree char *string_to_sign = NULL;
  guint8 digest[RD_SHA1_LEN];
  char *key;

  g_return_val_if_fail (access_key_secret != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  string_to_sign = rd_aliyun_rpc_string_to_sign (method, params);

  key = g_strconcat (access_key_secret, "&", NULL);
  rd_hmac_sha1 ((const guint8 *) key, strlen (key),
                (const guint8 *) string_to_sign, strlen (string_to_sign), digest);
  rd_crypto_free_secret (key);

  return rd_base64_encode (digest, sizeof digest);
}

char *
rd_aliyun_acs3_hashed_payload (const guint8 *body,
                               gsize         len)
{
  g_return_val_if_fail (body != NULL || len == 0, NULL);

  return rd_sha256_hex (body, len);
}

static gboolean
is_signed_header (const char *lower_name)
{
  return g_str_equal (lower_name, "host")
         || g_str_equal (lower_name, "content-type")
         || g_str_has_prefix (lower_name, "x-acs-");
}

char *
rd_aliyun_acs3_canonical_request (const char  *method,
                                  const char  *path,
                                  GHashTable  *query,
                                  GHashTable  *headers,
                                  const char  *hashed_payload,
                                  char       **signed_headers)
{
  g_autoptr(GHashTable) lower = NULL;
  g_autofree const char **names = NULL;
  g_autofree char *canonical_uri = NULL;
  g_autofree char *query_text = NULL;
  g_auto(GStrv) segments = NULL;
  GString *header_list;
  GString *out;
  GHashTableIter iter;
  gpointer name;
  gpointer value;
  guint n_names;

  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path != NULL && path[0] == '/', NULL);
  g_return_val_if_fail (headers != NULL, NULL);
  g_return_val_if_fail (hashed_payload != NULL, NULL);

  /* Each path segment encoded, the slashes between them kept. */
  segments = g_strsplit (path, "/", -1);
  for (guint i = 0; segments[i] != NULL; i++)
    {
      char *encoded = rd_aliyun_percent_encode (segments[i]);

      g_free (segments[i]);
      segments[i] = encoded;
    }
  canonical_uri = g_strjoinv ("/", segments);

  query_text = query != NULL ? canonical_query (query, NULL) : g_strdup ("");

  lower = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, headers);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      char *lower_name = g_ascii_strdown (name, -1);

      if (!is_signed_header (lower_name))
        {
          g_free (lower_name);
          continue;
        }
      g_hash_table_insert (lower, lower_name, g_strstrip (g_strdup (value != NULL ? value : "")));
    }

  out = g_string_new (method);
  g_string_append_printf (out, "\n%s\n%s\n", canonical_uri, query_text);

  header_list = g_string_new (NULL);
  names = sorted_keys (lower, &n_names);
  for (guint i = 0; i < n_names; i++)
    {
      g_string_append_printf (out, "%s:%s\n", names[i],
                              (const char *) g_hash_table_lookup (lower, names[i]));
      if (i > 0)
        g_string_append_c (header_list, ';');
      g_string_append (header_list, names[i]);
    }

  g_string_append_printf (out, "\n%s\n%s", header_list->str, hashed_payload);

  if (signed_headers != NULL)
    *signed_headers = g_string_free (header_list, FALSE);
  else
    g_string_free (header_list, TRUE);

  return g_string_free (out, FALSE);
}

char *
rd_aliyun_acs3_string_to_sign (const char *canonical_request)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (canonical_request != NULL, NULL);

  hash = rd_sha256_hex ((const guint8 *) canonical_request, strlen (canonical_request));

  return g_strconcat (RD_ALIYUN_ACS3_ALGORITHM "\n", hash, NULL);
}

char *
rd_aliyun_acs3_signature (const char *access_key_secret,
                          const char *string_to_sign)
{
  guint8 digest[RD_SHA256_LEN];

  g_return_val_if_fail (access_key_secret != NULL, NULL);
  g_return_val_if_fail (string_to_sign != NULL, NULL);

  rd_hmac_sha256 ((const guint8 *) access_key_secret, strlen (access_key_secret),
                  (const guint8 *) string_to_sign, strlen (string_to_sign), digest);

  return rd_hex_encode (digest, sizeof digest);
}

char *
rd_aliyun_acs3_sign (const char   *access_key_id,
                     const char   *access_key_secret,
                     const char   *method,
                     const char   *path,
                     GHashTable   *query,
                     GHashTable   *headers,
                     const guint8 *body,
                     gsize         body_len)
{
  g_autofree char *hashed_payload = NULL;
  g_autofree char *canonical_request = NULL;
  g_autofree char *signed_headers = NULL;
  g_autofree char *string_to_sign = NULL;
  g_autofree char *signature = NULL;

  g_return_val_if_fail (access_key_id != NULL, NULL);
  g_return_val_if_fail (access_key_secret != NULL, NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (headers != NULL, NULL);
  g_return_val_if_fail (body != NULL || body_len == 0, NULL);

  hashed_payload = rd_aliyun_acs3_hashed_payload (body, body_len);
  g_hash_table_replace (headers, g_strdup ("x-acs-content-sha256"), g_strdup (hashed_payload));

  canonical_request = rd_aliyun_acs3_canonical_request (method, path, query, headers,
                                                        hashed_payload, &signed_headers);
  string_to_sign = rd_aliyun_acs3_string_to_sign (canonical_request);
  signature = rd_aliyun_acs3_signature (access_key_secret, string_to_sign);

  return g_strdup_printf (RD_ALIYUN_ACS3_ALGORITHM " Credential=%s,SignedHeaders=%s,Signature=%s",
                          access_key_id, signed_headers, signature);
}
