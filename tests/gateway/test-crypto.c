/* test-crypto.c: RSA, AES-GCM, digests, HMACs and helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "rd-crypto.h"
#include "rd-gateway-error.h"
#include "rd-gateway-test-util.h"

#define SOURCE "source"

static char *
sign_source (RdRsaKey *key)
{
  g_autoptr(GError) error = NULL;
  char *signature = rd_rsa_sign_sha256_base64 (key, (const guint8 *) SOURCE, strlen (SOURCE),
                                               &error);

  g_assert_no_error (error);
  g_assert_nonnull (signature);

  return signature;
}

/* The body of a PEM block as one base64 line, as vendors' consoles show it. */
static char *
pem_to_bare_base64 (const char *pem)
{
  g_auto(GStrv) lines = g_strsplit (pem, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (!g_str_has_prefix (lines[i], "-----"))
        g_string_append (out, lines[i]);
    }

  return g_string_free (out, FALSE);
}

static void
test_vector_wechatpay_rsa (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) pkcs8 = rd_test_gateway_wechatpay_key ();
  g_autoptr(RdRsaKey) pkcs1 = NULL;
  g_autoptr(RdRsaKey) bare8 = NULL;
  g_autoptr(RdRsaKey) bare1 = NULL;
  g_autofree char *pkcs1_pem = rd_test_gateway_data ("wechatpay-test-key-pkcs1.pem", NULL);
  g_autofree char *pkcs8_pem = rd_test_gateway_data ("wechatpay-test-key.pem", NULL);
  g_autofree char *bare8_text = pem_to_bare_base64 (pkcs8_pem);
  g_autofree char *bare1_text = pem_to_bare_base64 (pkcs1_pem);
  g_autofree char *sig8 = NULL;
  g_autofree char *sig1 = NULL;
  g_autofree char *sig_bare8 = NULL;
  g_autofree char *sig_bare1 = NULL;

  g_assert_cmpuint (rd_rsa_key_get_bits (pkcs8), ==, 2048);

  sig8 = sign_source (pkcs8);
  g_assert_cmpstr (sig8, ==, RD_TEST_WECHATPAY_SOURCE_SIGNATURE);

  g_assert_true (g_str_has_prefix (pkcs1_pem, "-----BEGIN RSA PRIVATE KEY-----"));
  pkcs1 = rd_rsa_key_new_from_pem (pkcs1_pem, -1, &error);
  g_assert_no_error (error);
  sig1 = sign_source (pkcs1);
  g_assert_cmpstr (sig1, ==, RD_TEST_WECHATPAY_SOURCE_SIGNATURE);

  bare8 = rd_rsa_key_new_from_pem (bare8_text, -1, &error);
  g_assert_no_error (error);
  sig_bare8 = sign_source (bare8);
  g_assert_cmpstr (sig_bare8, ==, RD_TEST_WECHATPAY_SOURCE_SIGNATURE);

  bare1 = rd_rsa_key_new_from_pem (bare1_text, strlen (bare1_text), &error);
  g_assert_no_error (error);
  sig_bare1 = sign_source (bare1);
  g_assert_cmpstr (sig_bare1, ==, RD_TEST_WECHATPAY_SOURCE_SIGNATURE);
}

static void
test_vector_wechatpay_shared_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) key = NULL;
  g_autofree char *copy = rd_test_gateway_data ("wechatpay-test-key.pem", NULL);
  g_autofree char *shared_path = NULL;
  g_autofree char *shared = NULL;
  g_autofree char *signature = NULL;
  const char *shared_dir = g_getenv ("REGDESK_SHARED_DIR");

  /* The copy must stay the published key; only checkable where shared/ is. */
  if (shared_dir == NULL)
    {
      g_test_skip ("REGDESK_SHARED_DIR is not set");
      return;
    }
  shared_path = g_build_filename (shared_dir, "testvectors", "wechatpay-test-key.pem", NULL);
  if (!g_file_get_contents (shared_path, &shared, NULL, NULL))
    {
      g_test_skip ("shared/testvectors is not available");
      return;
    }

  g_assert_cmpstr (copy, ==, shared);
  key = rd_rsa_key_new_from_pem (shared, -1, &error);
  g_assert_no_error (error);
  signature = sign_source (key);
  g_assert_cmpstr (signature, ==, RD_TEST_WECHATPAY_SOURCE_SIGNATURE);
}

static void
test_vector_aes_128_gcm (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autofree char *ciphertext = NULL;
  const char *key = "testAPIv3Key0000";

  plaintext = rd_aead_aes_gcm_decrypt ((const guint8 *) key, strlen (key),
                                       "wCq51qZv4Yfg", "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8",
                                       "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plaintext, NULL), g_bytes_get_size (plaintext),
                   "Hello World", 11);

  ciphertext = rd_aead_aes_gcm_encrypt ((const guint8 *) key, strlen (key),
                                        "wCq51qZv4Yfg", "Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8",
                                        (const guint8 *) "Hello World", 11, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ciphertext, ==, "FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC");
}

static void
assert_verify_fails (RdRsaPublicKey *key,
                     const char     *data,
                     const char     *signature)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (rd_rsa_verify_sha256_base64 (key, (const guint8 *) data, strlen (data),
                                               signature, &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
}

static void
test_rsa_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) key = rd_test_gateway_wechatpay_key ();
  g_autoptr(RdRsaKey) other = rd_test_gateway_generated_key ();
  g_autoptr(RdRsaPublicKey) from_key = rd_rsa_key_get_public_key (key);
  g_autoptr(RdRsaPublicKey) from_cert = rd_test_gateway_wechatpay_cert ();
  g_autoptr(RdRsaPublicKey) from_other = rd_rsa_key_get_public_key (other);
  g_autofree char *spki_pem = rd_test_gateway_data ("wechatpay-test-pubkey.pem", NULL);
  g_autofree char *spki_bare = pem_to_bare_base64 (spki_pem);
  g_autofree char *cert_pem = rd_test_gateway_data ("wechatpay-test-cert.pem", NULL);
  g_autofree char *cert_bare = pem_to_bare_base64 (cert_pem);
  g_autofree char *tampered = rd_test_gateway_tamper_base64 (RD_TEST_WECHATPAY_SOURCE_SIGNATURE,
                                                             100);
  g_autofree char *truncated = g_strndup (RD_TEST_WECHATPAY_SOURCE_SIGNATURE, 340);
  RdRsaPublicKey *keys[5] = { from_key, from_cert, NULL, NULL, NULL };

  keys[2] = rd_rsa_public_key_new_from_pem (spki_pem, -1, &error);
  g_assert_no_error (error);
  keys[3] = rd_rsa_public_key_new_from_pem (spki_bare, -1, &error);
  g_assert_no_error (error);
  keys[4] = rd_rsa_public_key_new_from_pem (cert_bare, -1, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_assert_true (rd_rsa_verify_sha256_base64 (keys[i], (const guint8 *) SOURCE,
                                                  strlen (SOURCE),
                                                  RD_TEST_WECHATPAY_SOURCE_SIGNATURE, &error));
      g_assert_no_error (error);

      assert_verify_fails (keys[i], "sourcf", RD_TEST_WECHATPAY_SOURCE_SIGNATURE);
      assert_verify_fails (keys[i], "source\n", RD_TEST_WECHATPAY_SOURCE_SIGNATURE);
      assert_verify_fails (keys[i], SOURCE, tampered);
      assert_verify_fails (keys[i], SOURCE, truncated);
      assert_verify_fails (keys[i], SOURCE, "");
      assert_verify_fails (keys[i], SOURCE, "not base64 at all!");
    }

  g_assert_null (rd_rsa_public_key_get_serial (keys[3]));
  g_assert_cmpstr (rd_rsa_public_key_get_serial (keys[4]), ==, RD_TEST_WECHATPAY_SERIAL);

  assert_verify_fails (from_other, SOURCE, RD_TEST_WECHATPAY_SOURCE_SIGNATURE);

  for (guint i = 2; i < G_N_ELEMENTS (keys); i++)
    rd_rsa_public_key_unref (keys[i]);
}

static void
test_rsa_certificate_serial (void)
{
  g_autoptr(RdRsaPublicKey) cert = rd_test_gateway_wechatpay_cert ();
  g_autoptr(RdRsaKey) key = rd_test_gateway_generated_key ();
  g_autoptr(RdRsaPublicKey) bare = rd_rsa_key_get_public_key (key);
  g_autoptr(GDateTime) not_before = g_date_time_new_utc (2024, 1, 1, 0, 0, 0);
  g_autoptr(GDateTime) not_after = g_date_time_new_utc (2029, 12, 31, 0, 0, 0);
  struct {
    const char *serial;
    const char *read_back;
  } serials[] = {
    { "5157F09EFDC096DE15EBE81A47057A7232F1B8E1", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1" },
    { "F5765756002FDD77", "F5765756002FDD77" },
    { "abcdef0123", "ABCDEF0123" },
    { "0A", "0A" },
    { "7F", "7F" },
    { "80", "80" },
    { "123", "0123" },
  };
  const char *bad_serials[] = {
    "", "XYZ", "12 34", "0x1234", "5157F09EFDC096DE15EBE81A47057A7232F1B8E10",
  };

  /* Top bit set: DER stores 00 F5 76 …, the gateways show F5765756…. */
  g_assert_cmpstr (rd_rsa_public_key_get_serial (cert), ==, RD_TEST_WECHATPAY_SERIAL);
  g_assert_nonnull (rd_rsa_public_key_get_not_after (cert));
  g_assert_cmpint (g_date_time_get_year (rd_rsa_public_key_get_not_after (cert)), >, 2100);

  g_assert_null (rd_rsa_public_key_get_serial (bare));
  g_assert_null (rd_rsa_public_key_get_not_after (bare));

  for (guint i = 0; i < G_N_ELEMENTS (serials); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RdRsaPublicKey) read = NULL;
      g_autofree char *pem = NULL;

      pem = rd_rsa_key_create_certificate (key, serials[i].serial, "Regdesk test platform",
                                           not_before, not_after, &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (pem, "-----BEGIN CERTIFICATE-----"));

      read = rd_rsa_public_key_new_from_pem (pem, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (rd_rsa_public_key_get_serial (read), ==, serials[i].read_back);
      g_assert_cmpint (g_date_time_to_unix (rd_rsa_public_key_get_not_after (read)), ==,
                       g_date_time_to_unix (not_after));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_serials); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *pem = NULL;

      pem = rd_rsa_key_create_certificate (key, bad_serials[i], "Regdesk test platform",
                                           not_before, not_after, &error);
      g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
      g_assert_null (pem);
    }
}

static char *
export_gnutls_key (gnutls_pk_algorithm_t algorithm,
                   unsigned int          bits)
{
  gnutls_x509_privkey_t key;
  gnutls_datum_t out;
  char *pem;

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, algorithm, bits, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL,
                                                      GNUTLS_PKCS_PLAIN, &out), ==, 0);
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  gnutls_x509_privkey_deinit (key);

  return pem;
}

static char *
export_gnutls_public (const char *private_pem)
{
  gnutls_privkey_t privkey;
  gnutls_pubkey_t pubkey;
  gnutls_datum_t in = { (unsigned char *) private_pem, strlen (private_pem) };
  gnutls_datum_t out;
  char *pem;

  g_assert_cmpint (gnutls_privkey_init (&privkey), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509_raw (privkey, &in, GNUTLS_X509_FMT_PEM,
                                                   NULL, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&pubkey), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_privkey (pubkey, privkey, 0, 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_export2 (pubkey, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  gnutls_pubkey_deinit (pubkey);
  gnutls_privkey_deinit (privkey);

  return pem;
}

static void
assert_bad_private_key (const char *data,
                        gssize      len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) key = rd_rsa_key_new_from_pem (data, len, &error);

  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  g_assert_null (key);
}

static void
assert_bad_public_key (const char *data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaPublicKey) key = rd_rsa_public_key_new_from_pem (data, -1, &error);

  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  g_assert_null (key);
}

static void
test_rsa_bad_keys (void)
{
  g_autofree char *pem = rd_test_gateway_data ("wechatpay-test-key.pem", NULL);
  g_autofree char *truncated = g_strndup (pem, strlen (pem) / 2);
  g_autofree char *ec = export_gnutls_key (GNUTLS_PK_ECDSA,
                                           GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1));
  g_autofree char *ec_public = export_gnutls_public (ec);
  g_autofree char *small = export_gnutls_key (GNUTLS_PK_RSA, 1024);
  g_autofree char *cert = rd_test_gateway_data ("wechatpay-test-cert.pem", NULL);
  g_autofree char *public = rd_test_gateway_data ("wechatpay-test-pubkey.pem", NULL);

  assert_bad_private_key ("", -1);
  assert_bad_private_key ("garbage", -1);
  assert_bad_private_key ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", -1);
  assert_bad_private_key ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
                          "-----END ENCRYPTED PRIVATE KEY-----\n", -1);
  assert_bad_private_key (truncated, -1);
  /* Only a prefix of a good key counts when a length is given. */
  assert_bad_private_key (pem, 100);
  assert_bad_private_key (ec, -1);
  assert_bad_private_key (small, -1);
  assert_bad_private_key (cert, -1);
  assert_bad_private_key (public, -1);

  assert_bad_public_key ("");
  assert_bad_public_key ("garbage!");
  assert_bad_public_key ("AAAA");
  assert_bad_public_key (pem);
  assert_bad_public_key (ec_public);
}

static void
test_rsa_key_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) key = NULL;
  g_autoptr(RdRsaPublicKey) public_key = NULL;
  g_autofree char *dir = g_dir_make_tmp ("rd-gateway-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *pem = rd_test_gateway_data ("wechatpay-test-key.pem", NULL);
  g_autofree char *cert_path = rd_test_gateway_data_path ("wechatpay-test-cert.pem");
  g_autofree char *signature = NULL;

  g_assert_no_error (error);
  path = g_build_filename (dir, "apiclient_key.pem", NULL);
  missing = g_build_filename (dir, "missing.pem", NULL);

  g_file_set_contents_full (path, pem, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
  key = rd_rsa_key_new_from_file (path, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  g_assert_null (key);
  g_clear_error (&error);

  g_assert_cmpint (g_chmod (path, 0640), ==, 0);
  key = rd_rsa_key_new_from_file (path, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  g_clear_error (&error);

  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  key = rd_rsa_key_new_from_file (path, &error);
  g_assert_no_error (error);
  signature = sign_source (key);
  g_assert_cmpstr (signature, ==, RD_TEST_WECHATPAY_SOURCE_SIGNATURE);
  g_clear_pointer (&key, rd_rsa_key_unref);

  key = rd_rsa_key_new_from_file (missing, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  g_clear_error (&error);

  g_assert_cmpint (g_chmod (dir, 0700), ==, 0);
  key = rd_rsa_key_new_from_file (dir, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  g_clear_error (&error);

  public_key = rd_rsa_public_key_new_from_file (cert_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rd_rsa_public_key_get_serial (public_key), ==, RD_TEST_WECHATPAY_SERIAL);
  g_clear_pointer (&public_key, rd_rsa_public_key_unref);

  public_key = rd_rsa_public_key_new_from_file (missing, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  g_assert_null (public_key);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_rsa_generated_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) key = rd_test_gateway_generated_key ();
  g_autoptr(RdRsaKey) reloaded = NULL;
  g_autoptr(RdRsaPublicKey) public_key = rd_rsa_key_get_public_key (key);
  g_autoptr(RdRsaPublicKey) public_reloaded = NULL;
  g_autofree char *private_pem = NULL;
  g_autofree char *public_pem = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *signature_reloaded = NULL;
  guint8 data[1000];

  g_assert_cmpuint (rd_rsa_key_get_bits (key), ==, 2048);

  for (guint i = 0; i < sizeof data; i++)
    data[i] = g_test_rand_int_range (0, 256);

  signature = rd_rsa_sign_sha256_base64 (key, data, sizeof data, &error);
  g_assert_no_error (error);
  g_assert_true (rd_rsa_verify_sha256_base64 (public_key, data, sizeof data, signature, &error));
  g_assert_no_error (error);

  data[999] ^= 0x80;
  g_assert_false (rd_rsa_verify_sha256_base64 (public_key, data, sizeof data, signature,
                                               &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_clear_error (&error);
  data[999] ^= 0x80;

  private_pem = rd_rsa_key_to_pem (key, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (private_pem, "-----BEGIN PRIVATE KEY-----"));
  reloaded = rd_rsa_key_new_from_pem (private_pem, -1, &error);
  g_assert_no_error (error);
  /* PKCS#1 v1.5 signatures are deterministic: same key, same signature. */
  signature_reloaded = rd_rsa_sign_sha256_base64 (reloaded, data, sizeof data, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (signature_reloaded, ==, signature);
  rd_crypto_free_secret (g_steal_pointer (&private_pem));

  public_pem = rd_rsa_public_key_to_pem (public_key, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (public_pem, "-----BEGIN PUBLIC KEY-----"));
  public_reloaded = rd_rsa_public_key_new_from_pem (public_pem, -1, &error);
  g_assert_no_error (error);
  g_assert_true (rd_rsa_verify_sha256_base64 (public_reloaded, data, sizeof data, signature,
                                              &error));
  g_assert_no_error (error);

  /* The empty message is a message too. */
  g_clear_pointer (&signature, g_free);
  signature = rd_rsa_sign_sha256_base64 (key, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (rd_rsa_verify_sha256_base64 (public_key, NULL, 0, signature, &error));
  g_assert_no_error (error);
}

static gpointer
sign_in_thread (gpointer data)
{
  RdRsaKey *key = data;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *signature = sign_source (key);

      if (g_strcmp0 (signature, RD_TEST_WECHATPAY_SOURCE_SIGNATURE) != 0)
        return GINT_TO_POINTER (FALSE);
    }

  return GINT_TO_POINTER (TRUE);
}

static void
test_rsa_threads (void)
{
  g_autoptr(RdRsaKey) key = rd_test_gateway_wechatpay_key ();
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("signer", sign_in_thread, key);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

static void
assert_decrypt_fails (const guint8 *key,
                      gsize         key_len,
                      const char   *nonce,
                      const char   *aad,
                      const char   *ciphertext,
                      int           code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plaintext = NULL;

  plaintext = rd_aead_aes_gcm_decrypt (key, key_len, nonce, aad, ciphertext, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, code);
  g_assert_null (plaintext);
}

static void
test_aes_gcm_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  const guint8 *key = (const guint8 *) "0123456789abcdef0123456789ABCDEF";
  const guint8 *other_key = (const guint8 *) "0123456789abcdef0123456789ABCDEg";
  const char *text = "{\"id\":\"EV-2018022511223320873\",\"summary\":\"支付成功\"}";
  g_autofree char *ciphertext = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *tampered_tag = NULL;
  g_autofree char *no_aad = NULL;
  g_autofree char *empty_aad = NULL;
  g_autofree char *empty = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GBytes) empty_plaintext = NULL;
  gsize text_len = strlen (text);

  ciphertext = rd_aead_aes_gcm_encrypt (key, 32, "a1b2c3d4e5f6", "transaction",
                                        (const guint8 *) text, text_len, &error);
  g_assert_no_error (error);

  plaintext = rd_aead_aes_gcm_decrypt (key, 32, "a1b2c3d4e5f6", "transaction", ciphertext,
                                       &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (plaintext, NULL), g_bytes_get_size (plaintext),
                   text, text_len);

  tampered = rd_test_gateway_tamper_base64 (ciphertext, 3);
  tampered_tag = rd_test_gateway_tamper_base64 (ciphertext, text_len + 15);
  assert_decrypt_fails (key, 32, "a1b2c3d4e5f6", "transaction", tampered,
                        RD_GATEWAY_ERROR_SIGNATURE);
  assert_decrypt_fails (key, 32, "a1b2c3d4e5f6", "transaction", tampered_tag,
                        RD_GATEWAY_ERROR_SIGNATURE);
  assert_decrypt_fails (key, 32, "a1b2c3d4e5f6", "refund", ciphertext,
                        RD_GATEWAY_ERROR_SIGNATURE);
  assert_decrypt_fails (key, 32, "a1b2c3d4e5f7", "transaction", ciphertext,
                        RD_GATEWAY_ERROR_SIGNATURE);
  assert_decrypt_fails (other_key, 32, "a1b2c3d4e5f6", "transaction", ciphertext,
                        RD_GATEWAY_ERROR_SIGNATURE);
  assert_decrypt_fails (key, 24, "a1b2c3d4e5f6", "transaction", ciphertext,
                        RD_GATEWAY_ERROR_KEY);
  assert_decrypt_fails (key, 32, "a1b2c3d4e5", "transaction", ciphertext,
                        RD_GATEWAY_ERROR_BAD_RESPONSE);
  assert_decrypt_fails (key, 32, "a1b2c3d4e5f6", "transaction", "AAAA",
                        RD_GATEWAY_ERROR_BAD_RESPONSE);
  assert_decrypt_fails (key, 32, "a1b2c3d4e5f6", "transaction", "not base64",
                        RD_GATEWAY_ERROR_BAD_RESPONSE);

  /* No associated data and empty associated data are the same thing. */
  no_aad = rd_aead_aes_gcm_encrypt (key, 32, "a1b2c3d4e5f6", NULL,
                                    (const guint8 *) text, text_len, &error);
  g_assert_no_error (error);
  empty_aad = rd_aead_aes_gcm_encrypt (key, 32, "a1b2c3d4e5f6", "",
                                       (const guint8 *) text, text_len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (no_aad, ==, empty_aad);
  g_assert_cmpstr (no_aad, !=, ciphertext);

  empty = rd_aead_aes_gcm_encrypt (key, 32, "a1b2c3d4e5f6", NULL, NULL, 0, &error);
  g_assert_no_error (error);
  empty_plaintext = rd_aead_aes_gcm_decrypt (key, 32, "a1b2c3d4e5f6", NULL, empty, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (empty_plaintext), ==, 0);
}

static void
test_digests (void)
{
  g_autofree char *sha1 = rd_sha1_hex ((const guint8 *) "abc", 3);
  g_autofree char *sha256 = rd_sha256_hex ((const guint8 *) "abc", 3);
  g_autofree char *sha256_empty = rd_sha256_hex (NULL, 0);
  g_autofree char *raw_hex = NULL;
  g_autofree char *hmac1_hex = NULL;
  g_autofree char *hmac256_hex = NULL;
  g_autofree char *hmac256_long_hex = NULL;
  const char *jefe = "what do ya want for nothing?";
  const char *long_data = "Test Using Larger Than Block-Size Key - Hash Key First";
  guint8 raw[RD_SHA256_LEN];
  guint8 hmac1[RD_SHA1_LEN];
  guint8 hmac256[RD_SHA256_LEN];
  guint8 long_key[131];

  g_assert_cmpstr (sha1, ==, "a9993e364706816aba3e25717850c26c9cd0d89d");
  g_assert_cmpstr (sha256, ==,
                   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  g_assert_cmpstr (sha256_empty, ==,
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  rd_sha256 ((const guint8 *) "abc", 3, raw);
  raw_hex = rd_hex_encode (raw, sizeof raw);
  g_assert_cmpstr (raw_hex, ==, sha256);

  /* RFC 2202 and RFC 4231, test cases 2 (and 6: a key longer than a block). */
  rd_hmac_sha1 ((const guint8 *) "Jefe", 4, (const guint8 *) jefe, strlen (jefe), hmac1);
  hmac1_hex = rd_hex_encode (hmac1, sizeof hmac1);
  g_assert_cmpstr (hmac1_hex, ==, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");

  rd_hmac_sha256 ((const guint8 *) "Jefe", 4, (const guint8 *) jefe, strlen (jefe), hmac256);
  hmac256_hex = rd_hex_encode (hmac256, sizeof hmac256);
  g_assert_cmpstr (hmac256_hex, ==,
                   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

  memset (long_key, 0xaa, sizeof long_key);
  rd_hmac_sha256 (long_key, sizeof long_key, (const guint8 *) long_data, strlen (long_data),
                  hmac256);
  hmac256_long_hex = rd_hex_encode (hmac256, sizeof hmac256);
  g_assert_cmpstr (hmac256_long_hex, ==,
                   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void
test_base64 (void)
{
  struct {
    const char *text;
    const char *decoded;
  } good[] = {
    { "", "" },
    { "Zg==", "f" },
    { "Zm8=", "fo" },
    { "Zm9v", "foo" },
    { "Zm9vYg==", "foob" },
    { "5oyC5Y+3", "挂号" },
    { "Pz8/", "???" },
  };
  const char *bad[] = {
    "Zm9", "Zm9v\n", " Zm9v", "Zm=v", "Z===", "====", "Zm9v!A==", "Zg=a", "Zm9-", "Zm9_",
  };
  guint8 binary[256];
  g_autofree char *encoded = NULL;
  g_autoptr(GBytes) round_trip = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GBytes) bytes = rd_base64_decode (good[i].text, &error);

      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                       good[i].decoded, strlen (good[i].decoded));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) bytes = rd_base64_decode (bad[i], &error);

      g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
      g_assert_null (bytes);
      g_clear_error (&error);
    }

  for (guint i = 0; i < sizeof binary; i++)
    binary[i] = i;
  encoded = rd_base64_encode (binary, sizeof binary);
  round_trip = rd_base64_decode (encoded, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (round_trip, NULL), g_bytes_get_size (round_trip),
                   binary, sizeof binary);
}

static void
test_nonce (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean used[128] = { FALSE };
  guint n_used = 0;

  for (guint i = 0; i < 1000; i++)
    {
      char *nonce = rd_crypto_nonce ();

      g_assert_cmpuint (strlen (nonce), ==, RD_NONCE_LEN);
      for (guint j = 0; j < RD_NONCE_LEN; j++)
        {
          g_assert_true (g_ascii_isalnum (nonce[j]));
          if (!used[(guchar) nonce[j]])
            n_used++;
          used[(guchar) nonce[j]] = TRUE;
        }
      g_assert_false (g_hash_table_contains (seen, nonce));
      g_hash_table_add (seen, nonce);
    }

  /* 32 000 draws over 62 characters: all of them show up. */
  g_assert_cmpuint (n_used, ==, 62);
}

static void
test_helpers (void)
{
  g_autofree char *hex = rd_hex_encode ((const guint8 *) "\x00\x0f\xf0\xff", 4);
  g_autofree char *empty_hex = rd_hex_encode (NULL, 0);
  char buffer[] = "secret";
  char *secret = g_strdup ("secret");

  g_assert_cmpstr (hex, ==, "000ff0ff");
  g_assert_cmpstr (empty_hex, ==, "");

  g_assert_true (rd_crypto_str_equal ("", ""));
  g_assert_true (rd_crypto_str_equal ("abc", "abc"));
  g_assert_false (rd_crypto_str_equal ("abc", "abd"));
  g_assert_false (rd_crypto_str_equal ("abc", "ab"));
  g_assert_false (rd_crypto_str_equal ("ab", "abc"));
  g_assert_false (rd_crypto_str_equal ("", "a"));
  g_assert_false (rd_crypto_str_equal ("a", ""));

  rd_crypto_clear (buffer, strlen (buffer));
  for (guint i = 0; i < sizeof buffer; i++)
    g_assert_cmpint (buffer[i], ==, 0);
  rd_crypto_free_secret (secret);
  rd_crypto_free_secret (NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gateway/crypto/vector/wechatpay-rsa", test_vector_wechatpay_rsa);
  g_test_add_func ("/gateway/crypto/vector/wechatpay-shared-key",
                   test_vector_wechatpay_shared_key);
  g_test_add_func ("/gateway/crypto/vector/aes-128-gcm", test_vector_aes_128_gcm);
  g_test_add_func ("/gateway/crypto/rsa/verify", test_rsa_verify);
  g_test_add_func ("/gateway/crypto/rsa/certificate-serial", test_rsa_certificate_serial);
  g_test_add_func ("/gateway/crypto/rsa/bad-keys", test_rsa_bad_keys);
  g_test_add_func ("/gateway/crypto/rsa/key-file", test_rsa_key_file);
  g_test_add_func ("/gateway/crypto/rsa/generated-round-trip", test_rsa_generated_round_trip);
  g_test_add_func ("/gateway/crypto/rsa/threads", test_rsa_threads);
  g_test_add_func ("/gateway/crypto/aes-gcm/round-trip", test_aes_gcm_round_trip);
  g_test_add_func ("/gateway/crypto/digests", test_digests);
  g_test_add_func ("/gateway/crypto/base64", test_base64);
  g_test_add_func ("/gateway/crypto/nonce", test_nonce);
  g_test_add_func ("/gateway/crypto/helpers", test_helpers);

  return g_test_run ();
}
