/* rd-alipay-sign.h: Alipay OpenAPI RSA2 signatures, raw response nodes,
 * notifications, request bodies and yuan amounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rd-crypto.h"

G_BEGIN_DECLS

#define RD_ALIPAY_SIGN_TYPE       "RSA2"
#define RD_ALIPAY_ERROR_RESPONSE  "error_response"

/* Parameters are GHashTables of UTF-8 key → raw (decoded) value. */

/* Every parameter but "sign", "sign_type" included, empty values dropped,
 * keys in byte order, `k=v` joined by "&" with raw values. */
char       *rd_alipay_request_string_to_sign       (GHashTable      *params);
/* The same without "sign_type": what Alipay signs in a notification. */
char       *rd_alipay_notification_string_to_sign  (GHashTable      *params);
/* The "sign" value (base64 RSA2) for a request's parameters. */
char       *rd_alipay_sign_request                 (RdRsaKey        *app_key,
                                                    GHashTable      *params,
                                                    GError         **error);
/* Checks the "sign" among a request's parameters with the application's
 * public key (for the simulator). */
gboolean    rd_alipay_verify_request               (RdRsaPublicKey  *app_public_key,
                                                    GHashTable      *params,
                                                    GError         **error);
/* Checks an asynchronous notification's parameters (URL-decoded, as
 * rd_alipay_parse_form() gives them) with Alipay's public key. */
gboolean    rd_alipay_verify_notification          (RdRsaPublicKey  *alipay_key,
                                                    GHashTable      *params,
                                                    GError         **error);
/* The "sign" of a notification (for the simulator). */
char       *rd_alipay_sign_notification            (RdRsaKey        *alipay_key,
                                                    GHashTable      *params,
                                                    GError         **error);

/* application/x-www-form-urlencoded: keys in byte order, empty values
 * dropped, everything but A-Za-z0-9-_.~ percent-encoded from UTF-8. */
char       *rd_alipay_build_form                   (GHashTable      *params);
/* Decodes a form body ("+" is a space); values must be UTF-8. A repeated
 * key is RD_GATEWAY_ERROR_BAD_RESPONSE. */
GHashTable *rd_alipay_parse_form                   (const char      *body,
                                                    gssize           len,
                                                    GError         **error);

/* "alipay.trade.pay" → "alipay_trade_pay_response". */
char       *rd_alipay_response_node_name           (const char      *method);
/* Finds the response node of method (or "error_response" when the gateway
 * answered that instead) in the raw response bytes and returns its exact
 * text from "{" to the matching "}", never re-serialised: that text is what
 * Alipay signed. sign receives the top-level "sign" value, or NULL when
 * the answer has none; node_name receives the name of the node found. A
 * document that is not one well-formed JSON object, or has no (or a
 * repeated) node is RD_GATEWAY_ERROR_BAD_RESPONSE. */
char       *rd_alipay_extract_response             (const guint8    *raw,
                                                    gsize            len,
                                                    const char      *method,
                                                    char           **node_name,
                                                    char           **sign,
                                                    GError         **error);
/* Extracts and verifies with Alipay's public key: the node text, or NULL
 * with RD_GATEWAY_ERROR_SIGNATURE when the sign is missing or wrong. Read an
 * unsigned answer with rd_alipay_extract_response(), and only to show it. */
char       *rd_alipay_open_response                (RdRsaPublicKey  *alipay_key,
                                                    const guint8    *raw,
                                                    gsize            len,
                                                    const char      *method,
                                                    gboolean        *is_error,
                                                    GError         **error);
/* The simulator's side: `{"<node>":<node_text>,"sign":"…"}` with node_text
 * signed exactly as given. */
char       *rd_alipay_build_response               (RdRsaKey        *alipay_key,
                                                    const char      *method,
                                                    const char      *node_text,
                                                    gboolean         is_error,
                                                    GError         **error);

/* "yyyy-MM-dd HH:mm:ss" in GMT+8, whatever the zone of time. */
char       *rd_alipay_format_timestamp             (GDateTime       *time);
/* Amounts cross this edge only: fen to the wire's "12.50" and back. The
 * parser takes "12", "12.5", "12.50" and a leading "-" (bill refunds); any
 * other text is RD_GATEWAY_ERROR_BAD_RESPONSE. */
char       *rd_alipay_amount_from_fen              (gint64           fen);
gboolean    rd_alipay_amount_to_fen                (const char      *yuan,
                                                    gint64          *fen,
                                                    GError         **error);

G_END_DECLS
