/* rd-wechatpay-sign.h: WeChat Pay APIv3 request signatures, response and
 * callback verification, callback resource encryption
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rd-crypto.h"

G_BEGIN_DECLS

#define RD_WECHATPAY_AUTH_SCHEMA      "WECHATPAY2-SHA256-RSA2048"
/* How far a response's or request's timestamp may be from our clock. */
#define RD_WECHATPAY_MAX_CLOCK_SKEW   (5 * 60)
#define RD_WECHATPAY_APIV3_KEY_LEN    32
#define RD_WECHATPAY_PUBLIC_KEY_PREFIX "PUB_KEY_ID_"

/* The items of an Authorization header. */
typedef struct
{
  char   *mchid;
  char   *nonce_str;
  char   *signature;
  char   *serial_no;
  gint64  timestamp;
} RdWechatpayAuthorization;

#define RD_TYPE_WECHATPAY_AUTHORIZATION (rd_wechatpay_authorization_get_type ())

GType
rd_wechatpay_authorization_get_type (void) G_GNUC_CONST;

/* Parses `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",…` with the items
 * in any order and optional blanks around them. Each of mchid, nonce_str,
 * timestamp, serial_no and signature must appear exactly once; unknown items
 * are ignored. Anything malformed is RD_GATEWAY_ERROR_SIGNATURE. */
RdWechatpayAuthorization *
rd_wechatpay_authorization_parse (const char  *header,
                                  GError     **error);

RdWechatpayAuthorization *
rd_wechatpay_authorization_copy (const RdWechatpayAuthorization *auth);

void
rd_wechatpay_authorization_free (RdWechatpayAuthorization *auth);

/* The header value (without "Authorization: ") for these items. */
char *
rd_wechatpay_authorization_to_string (const RdWechatpayAuthorization *auth);

/* Checks a request the way the gateway does (for the simulator): the
 * signature over `METHOD\nURL\nts\nnonce\nbody\n` with the merchant's
 * certificate key, and the timestamp within RD_WECHATPAY_MAX_CLOCK_SKEW of
 * now (unix seconds). */
gboolean
rd_wechatpay_authorization_verify (const RdWechatpayAuthorization  *auth,
                                   RdRsaPublicKey                  *merchant_key,
                                   const char                      *method,
                                   const char                      *url,
                                   const guint8                    *body,
                                   gsize                            body_len,
                                   gint64                           now,
                                   GError                         **error);

/* `METHOD\nURL\ntimestamp\nnonce\nbody\n`: url is the path with its ?query and
 * no host; body is byte-identical to what is sent (empty for GET). */
GBytes *
rd_wechatpay_request_message (const char   *method,
                              const char   *url,
                              gint64        timestamp,
                              const char   *nonce,
                              const guint8 *body,
                              gsize         body_len);

/* The Authorization header value for a request, signed with the merchant's
 * API certificate key. nonce may be NULL for a fresh random one. */
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
                           GError       **error);

/* `timestamp\nnonce\nbody\n` over the raw body bytes. */
GBytes *
rd_wechatpay_response_message (const char   *timestamp,
                               const char   *nonce,
                               const guint8 *body,
                               gsize         body_len);

/* Verifies a response or callback from its Wechatpay-Timestamp, -Nonce,
 * -Signature and -Serial headers (any may be NULL when missing: that is
 * RD_GATEWAY_ERROR_SIGNATURE) and the raw body, against the platform
 * certificate or WeChat Pay public key the caller chose by serial. When the
 * key came from a certificate, its serial must equal the header's. A
 * timestamp further than RD_WECHATPAY_MAX_CLOCK_SKEW from now (unix seconds)
 * is refused. */
gboolean
rd_wechatpay_verify_response (RdRsaPublicKey  *platform_key,
                              const char      *timestamp,
                              const char      *nonce,
                              const char      *signature,
                              const char      *serial,
                              const guint8    *body,
                              gsize            body_len,
                              gint64           now,
                              GError         **error);

/* The platform side (the simulator): the Wechatpay-Signature value for a
 * response or callback body. */
char *
rd_wechatpay_sign_response (RdRsaKey      *platform_key,
                            gint64         timestamp,
                            const char    *nonce,
                            const guint8  *body,
                            gsize          body_len,
                            GError       **error);

/* Decrypts a callback's resource: algorithm must be "AEAD_AES_256_GCM", the
 * key is the 32 ASCII bytes of the APIv3 key, associated_data may be NULL
 * or empty. */
GBytes *
rd_wechatpay_decrypt_resource (const char  *apiv3_key,
                               const char  *algorithm,
                               const char  *nonce,
                               const char  *associated_data,
                               const char  *ciphertext,
                               GError     **error);

/* The simulator's counterpart: the base64 ciphertext of a resource. */
char *
rd_wechatpay_encrypt_resource (const char    *apiv3_key,
                               const char    *nonce,
                               const char    *associated_data,
                               const guint8  *plaintext,
                               gsize          len,
                               GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdWechatpayAuthorization, rd_wechatpay_authorization_free)

G_END_DECLS
