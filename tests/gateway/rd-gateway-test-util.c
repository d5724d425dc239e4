/* rd-gateway-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-gateway-test-util.h"

char *
rd_test_gateway_data_path (const char *name)
{
  g_autofree char *copy = g_test_build_filename (G_TEST_DIST, "gateway", "data", name, NULL);
  const char *shared_dir;
  char *shared;

  if (g_file_test (copy, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&copy);

  shared_dir = g_getenv ("REGDESK_SHARED_DIR");
  g_assert_nonnull (shared_dir);
  shared = g_build_filename (shared_dir, "testvectors", name, NULL);
  g_assert_true (g_file_test (shared, G_FILE_TEST_IS_REGULAR));

  return shared;
}

char *
rd_test_gateway_data (const char *name,
                      gsize      *len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = rd_test_gateway_data_path (name);
  char *contents = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);

  return contents;
}

RdRsaKey *
rd_test_gateway_wechatpay_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = rd_test_gateway_data ("wechatpay-test-key.pem", NULL);
  RdRsaKey *key = rd_rsa_key_new_from_pem (pem, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (key);

  return key;
}

RdRsaPublicKey *
rd_test_gateway_wechatpay_cert (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pem = rd_test_gateway_data ("wechatpay-test-cert.pem", NULL);
  RdRsaPublicKey *key = rd_rsa_public_key_new_from_pem (pem, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (key);

  return key;
}

RdRsaKey *
rd_test_gateway_generated_key (void)
{
  static RdRsaKey *key;

  if (key == NULL)
    {
      g_autoptr(GError) error = NULL;

      key = rd_rsa_key_generate (2048, &error);
      g_assert_no_error (error);
      g_assert_nonnull (key);
    }

  return rd_rsa_key_ref (key);
}

char *
rd_test_gateway_tamper_base64 (const char *b64,
                               gsize       byte)
{
  g_autofree guchar *raw = NULL;
  gsize len;

  raw = g_base64_decode (b64, &len);
  g_assert_cmpuint (byte, <, len);
  raw[byte] ^= 0x01;

  return g_base64_encode (raw, len);
}
