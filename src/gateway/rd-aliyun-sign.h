/* rd-aliyun-sign.h: Alibaba Cloud request signatures (RPC v1 HMAC-SHA1 and
 * ACS3-HMAC-SHA256)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_ALIYUN_ACS3_ALGORITHM "ACS3-HMAC-SHA256"

/* RFC 3986 percent-encoding of the UTF-8 bytes: A-Za-z0-9-_.~ kept, all
 * else (space, "*", "/", "+") as %XX with uppercase hex. */
char *rd_aliyun_percent_encode        (const char   *text);
/* `enc(k)=enc(v)` joined by "&", keys in byte order; parameters are a
 * GHashTable of UTF-8 key → value. */
char *rd_aliyun_canonical_query       (GHashTable   *params);

/* RPC signature v1: `METHOD&%2F&enc(canonical query)` over every parameter
 * but "Signature". */
char *rd_aliyun_rpc_string_to_sign    (const char   *method,
                                       GHashTable   *params);
/* base64 (HMAC-SHA1 (secret + "&", string to sign)): the Signature value. */
char *rd_aliyun_rpc_sign              (const char   *access_key_secret,
                                       const char   *method,
                                       GHashTable   *params);

/* ACS3: the lowercase hex SHA-256 of the body (x-acs-content-sha256). */
char *rd_aliyun_acs3_hashed_payload   (const guint8 *body,
                                       gsize         len);
/* `METHOD\nURI\nquery\nheaders\nsigned headers\nhashed payload`, where the
 * signed headers are host, content-type and every x-acs-* header of headers
 * (names in any case; lowercased, values trimmed, sorted). query may be NULL.
 * signed_headers receives "host;x-acs-…". */
char *rd_aliyun_acs3_canonical_request (const char  *method,
                                        const char  *path,
                                        GHashTable  *query,
                                        GHashTable  *headers,
                                        const char  *hashed_payload,
                                        char       **signed_headers);
/* `ACS3-HMAC-SHA256\n<hex sha256 (canonical request)>`. */
char *rd_aliyun_acs3_string_to_sign   (const char   *canonical_request);
/* Lowercase hex HMAC-SHA256 (secret, string to sign). */
char *rd_aliyun_acs3_signature        (const char   *access_key_secret,
                                       const char   *string_to_sign);
/* Signs a request: adds x-acs-content-sha256 to headers (so send every
 * header of it) and returns the Authorization value
 * `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<…>,Signature=<hex>`.
 * headers must already hold host, x-acs-action, x-acs-version, x-acs-date
 * and x-acs-signature-nonce. */
char *rd_aliyun_acs3_sign             (const char   *access_key_id,
                                       const char   *access_key_secret,
                                       const char   *method,
                                       const char   *path,
                                       GHashTable   *query,
                                       GHashTable   *headers,
                                       const guint8 *body,
                                       gsize         body_len);

G_END_DECLS
