/* rd-crypto.h: RSA signatures, AES-GCM, digests and HMACs the gateways need
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RD_SHA1_LEN   20
#define RD_SHA256_LEN 32
#define RD_NONCE_LEN  32

/* RSA private key (merchant key, or the simulator's platform key). Reference
 * counted and safe to share between threads. */
typedef struct _RdRsaKey RdRsaKey;

/* RSA public key, alone or taken from an X.509 certificate (then it knows the
 * certificate's serial number). */
typedef struct _RdRsaPublicKey RdRsaPublicKey;

#define RD_TYPE_RSA_KEY        (rd_rsa_key_get_type ())
#define RD_TYPE_RSA_PUBLIC_KEY (rd_rsa_public_key_get_type ())

GType           rd_rsa_key_get_type                (void) G_GNUC_CONST;
GType           rd_rsa_public_key_get_type         (void) G_GNUC_CONST;

/* Accepts PEM "PRIVATE KEY" (PKCS#8, unencrypted) or "RSA PRIVATE KEY"
 * (PKCS#1), or the bare base64 DER of either (how the Alipay key tool hands
 * keys out). len may be -1 for a NUL-terminated text. RSA of at least 2048
 * bits only. */
RdRsaKey       *rd_rsa_key_new_from_pem            (const char      *data,
                                                    gssize           len,
                                                    GError         **error);
/* Like rd_rsa_key_new_from_pem(), but refuses a file that anyone but its
 * owner may read or write. */
RdRsaKey       *rd_rsa_key_new_from_file           (const char      *path,
                                                    GError         **error);
/* A fresh key pair (tests and the gateway simulator). */
RdRsaKey       *rd_rsa_key_generate                (guint            bits,
                                                    GError         **error);
RdRsaKey       *rd_rsa_key_ref                     (RdRsaKey        *key);
void            rd_rsa_key_unref                   (RdRsaKey        *key);
guint           rd_rsa_key_get_bits                (RdRsaKey        *key);
RdRsaPublicKey *rd_rsa_key_get_public_key          (RdRsaKey        *key);
/* PEM "PRIVATE KEY" (PKCS#8). Clear and free it with rd_crypto_free_secret(). */
char           *rd_rsa_key_to_pem                  (RdRsaKey        *key,
                                                    GError         **error);
/* A self-signed X.509 certificate for this key, PEM. serial_hex is the serial
 * number in hex (at most 40 digits), as rd_rsa_public_key_get_serial() will
 * read it back. For the gateway simulator and tests. */
char           *rd_rsa_key_create_certificate      (RdRsaKey        *key,
                                                    const char      *serial_hex,
                                                    const char      *common_name,
                                                    GDateTime       *not_before,
                                                    GDateTime       *not_after,
                                                    GError         **error);
/* SHA256withRSA, PKCS#1 v1.5, base64. */
char           *rd_rsa_sign_sha256_base64          (RdRsaKey        *key,
                                                    const guint8    *data,
                                                    gsize            len,
                                                    GError         **error);

/* Accepts PEM "PUBLIC KEY" (SubjectPublicKeyInfo) or "CERTIFICATE", or the
 * bare base64 DER of either (how Alipay hands its public key out). RSA only. */
RdRsaPublicKey *rd_rsa_public_key_new_from_pem     (const char      *data,
                                                    gssize           len,
                                                    GError         **error);
RdRsaPublicKey *rd_rsa_public_key_new_from_file    (const char      *path,
                                                    GError         **error);
RdRsaPublicKey *rd_rsa_public_key_ref              (RdRsaPublicKey  *key);
void            rd_rsa_public_key_unref            (RdRsaPublicKey  *key);
/* The certificate's serial number, uppercase hex without the sign padding
 * ("F5765756002FDD77"); NULL when the key did not come from a certificate. */
const char     *rd_rsa_public_key_get_serial       (RdRsaPublicKey  *key);
/* The certificate's validity, or NULL without a certificate. */
GDateTime      *rd_rsa_public_key_get_not_after    (RdRsaPublicKey  *key);
/* PEM "PUBLIC KEY" (SubjectPublicKeyInfo). */
char           *rd_rsa_public_key_to_pem           (RdRsaPublicKey  *key,
                                                    GError         **error);
/* TRUE when signature_b64 is a valid SHA256withRSA (PKCS#1 v1.5) signature
 * of data; otherwise RD_GATEWAY_ERROR_SIGNATURE. */
gboolean        rd_rsa_verify_sha256_base64        (RdRsaPublicKey  *key,
                                                    const guint8    *data,
                                                    gsize            len,
                                                    const char      *signature_b64,
                                                    GError         **error);

/* AES-GCM with a 16-byte tag; key_len 16 or 32 (AES-128 or AES-256); the
 * nonce is the 12 bytes of a string (WeChat Pay's layout); aad may be NULL.
 * ciphertext_b64 is base64 of the ciphertext followed by the tag. A tag that
 * does not match is RD_GATEWAY_ERROR_SIGNATURE. */
GBytes         *rd_aead_aes_gcm_decrypt            (const guint8    *key,
                                                    gsize            key_len,
                                                    const char      *nonce,
                                                    const char      *aad,
                                                    const char      *ciphertext_b64,
                                                    GError         **error);
/* The counterpart: base64 of ciphertext followed by the tag. */
char           *rd_aead_aes_gcm_encrypt            (const guint8    *key,
                                                    gsize            key_len,
                                                    const char      *nonce,
                                                    const char      *aad,
                                                    const guint8    *plaintext,
                                                    gsize            len,
                                                    GError         **error);

/* Lowercase hex digests. */
char           *rd_sha1_hex                        (const guint8    *data,
                                                    gsize            len);
char           *rd_sha256_hex                      (const guint8    *data,
                                                    gsize            len);
void            rd_sha256                          (const guint8    *data,
                                                    gsize            len,
                                                    guint8           out[RD_SHA256_LEN]);
/* Raw HMACs. */
void            rd_hmac_sha1                       (const guint8    *key,
                                                    gsize            key_len,
                                                    const guint8    *data,
                                                    gsize            len,
                                                    guint8           out[RD_SHA1_LEN]);
void            rd_hmac_sha256                     (const guint8    *key,
                                                    gsize            key_len,
                                                    const guint8    *data,
                                                    gsize            len,
                                                    guint8           out[RD_SHA256_LEN]);

/* Lowercase hex of raw bytes. */
char           *rd_hex_encode                      (const guint8    *data,
                                                    gsize            len);
char           *rd_base64_encode                   (const guint8    *data,
                                                    gsize            len);
/* Strict standard base64 (RFC 4648 alphabet, padding required, no
 * whitespace): unlike g_base64_decode(), garbage is an error
 * (RD_GATEWAY_ERROR_BAD_RESPONSE). */
GBytes         *rd_base64_decode                   (const char      *text,
                                                    GError         **error);

/* RD_NONCE_LEN random characters of [0-9A-Za-z] from the system CSPRNG. */
char           *rd_crypto_nonce                    (void);
/* Compares in time independent of where the strings differ (for the
 * simulator, which checks HMAC signatures). */
gboolean        rd_crypto_str_equal                (const char      *a,
                                                    const char      *b);
/* Overwrites len bytes in a way the compiler may not optimise away. */
void            rd_crypto_clear                    (gpointer         data,
                                                    gsize            len);
/* Clears a NUL-terminated secret, then frees it. NULL is fine. */
void            rd_crypto_free_secret              (char            *secret);
/* The contents of a file that only its owner may read or write (a regular
 * file of at most 1 MiB); otherwise RD_GATEWAY_ERROR_KEY. Clear the bytes
 * with rd_crypto_clear() when done. */
GBytes         *rd_crypto_read_private_file        (const char      *path,
                                                    GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdRsaKey, rd_rsa_key_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdRsaPublicKey, rd_rsa_public_key_unref)

G_END_DECLS
