/* rd-tencent-sign.h: Tencent Cloud API 3.0 signatures (TC3-HMAC-SHA256)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_TENCENT_TC3_ALGORITHM      "TC3-HMAC-SHA256"
#define RD_TENCENT_TC3_SIGNED_HEADERS "content-type;host"

/* `METHOD\npath\nquery\ncontent-type:<ct>\nhost:<host>\n\ncontent-type;host\n
 * <hex sha256 (payload)>`, header values lowercased and trimmed. query is
 * the canonical query string (NULL or "" for POST). */
char *rd_tencent_tc3_canonical_request (const char   *method,
                                        const char   *path,
                                        const char   *query,
                                        const char   *content_type,
                                        const char   *host,
                                        const guint8 *payload,
                                        gsize         payload_len);
/* "2019-02-25": the UTC date of a unix timestamp, as the credential scope
 * wants it. */
char *rd_tencent_tc3_date              (gint64        timestamp);
/* `TC3-HMAC-SHA256\n<ts>\n<date>/<service>/tc3_request\n<hex sha256 (cr)>`. */
char *rd_tencent_tc3_string_to_sign    (gint64        timestamp,
                                        const char   *service,
                                        const char   *canonical_request);
/* Lowercase hex HMAC-SHA256 with the key derived from "TC3" + secret_key,
 * the date, the service and "tc3_request". */
char *rd_tencent_tc3_signature         (const char   *secret_key,
                                        gint64        timestamp,
                                        const char   *service,
                                        const char   *string_to_sign);
/* The Authorization value for a request to "/" without a query string (how
 * every API 3.0 call is made): `TC3-HMAC-SHA256
 * Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=content-type;host,
 * Signature=<hex>`. */
char *rd_tencent_tc3_authorization     (const char   *secret_id,
                                        const char   *secret_key,
                                        const char   *service,
                                        const char   *method,
                                        const char   *host,
                                        const char   *content_type,
                                        gint64        timestamp,
                                        const guint8 *payload,
                                        gsize         payload_len);

G_END_DECLS
