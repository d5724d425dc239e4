/* test-credentials.c: the merchant key file, refused unless private
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "rd-gateway-credentials.h"
#include "rd-gateway-error.h"
#include "rd-gateway-sim.h"
#include "rd-gateway-test-util.h"
#include "rd-wechatpay-sign.h"

#define APIV3_KEY "0123456789abcdefghijABCDEFGHIJ01"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("rd-credentials-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "gateways.conf", NULL);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static GKeyFile *
complete_key_file (void)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(RdRsaKey) merchant = rd_test_gateway_wechatpay_key ();
  g_autoptr(RdRsaKey) app = rd_test_gateway_generated_key ();
  g_autoptr(RdRsaPublicKey) alipay = rd_rsa_key_get_public_key (app);
  g_autofree char *cert = rd_test_gateway_data ("wechatpay-test-cert.pem", NULL);
  g_autofree char *merchant_pem = rd_rsa_key_to_pem (merchant, NULL);
  g_autofree char *app_pem = rd_rsa_key_to_pem (app, NULL);
  g_autofree char *alipay_pem = rd_rsa_public_key_to_pem (alipay, NULL);

  g_key_file_set_string (kf, "wechatpay", "mchid", RD_TEST_WECHATPAY_MCHID);
  g_key_file_set_string (kf, "wechatpay", "appid", "wxd678efh567hg6787");
  g_key_file_set_string (kf, "wechatpay", "serial_no", RD_TEST_WECHATPAY_SERIAL);
  g_key_file_set_string (kf, "wechatpay", "private_key", merchant_pem);
  g_key_file_set_string (kf, "wechatpay", "apiv3_key", APIV3_KEY);
  g_key_file_set_string (kf, "wechatpay", "platform_certificate", cert);
  g_key_file_set_double (kf, "wechatpay", "timeout", 2.5);

  g_key_file_set_string (kf, "alipay", "app_id", "2021000000000001");
  g_key_file_set_string (kf, "alipay", "private_key", app_pem);
  g_key_file_set_string (kf, "alipay", "alipay_public_key", alipay_pem);

  g_key_file_set_string (kf, "aliyun-sms", "access_key_id", "testId");
  g_key_file_set_string (kf, "aliyun-sms", "access_key_secret", "testSecret");
  g_key_file_set_string (kf, "aliyun-sms", "sign_name", "挂号台");

  return g_steal_pointer (&kf);
}

static void
write_key_file (GKeyFile   *kf,
                const char *path)
{
  g_autoptr(GError) error = NULL;

  rd_gateway_credentials_write_key_file (kf, path, &error);
  g_assert_no_error (error);
}

static void
test_load (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GKeyFile) kf = complete_key_file ();
  g_autoptr(RdGatewayCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;
  const RdWechatpayConfig *wechat;
  const RdAlipayConfig *alipay;
  const RdAliyunSmsConfig *aliyun;
  GStatBuf st;

  write_key_file (kf, f->path);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  creds = rd_gateway_credentials_new_from_file (f->path, &error);
  g_assert_no_error (error);

  wechat = rd_gateway_credentials_get_wechatpay (creds);
  g_assert_nonnull (wechat);
  g_assert_cmpstr (wechat->base_url, ==, RD_WECHATPAY_DEFAULT_BASE_URL);
  g_assert_cmpstr (wechat->mchid, ==, RD_TEST_WECHATPAY_MCHID);
  g_assert_cmpstr (wechat->apiv3_key, ==, APIV3_KEY);
  /* The serial comes from the platform certificate. */
  g_assert_cmpstr (wechat->platform_serial, ==, RD_TEST_WECHATPAY_SERIAL);
  g_assert_cmpuint (wechat->timeout_ms, ==, 2500);
  g_assert_cmpuint (rd_rsa_key_get_bits (wechat->merchant_key), ==, 2048);

  alipay = rd_gateway_credentials_get_alipay (creds);
  g_assert_nonnull (alipay);
  g_assert_cmpstr (alipay->gateway_url, ==, RD_ALIPAY_DEFAULT_GATEWAY_URL);
  g_assert_cmpuint (alipay->timeout_ms, ==, RD_GATEWAY_DEFAULT_TIMEOUT_MS);

  aliyun = rd_gateway_credentials_get_aliyun_sms (creds);
  g_assert_nonnull (aliyun);
  g_assert_cmpstr (aliyun->access_key_secret, ==, "testSecret");
  g_assert_null (rd_gateway_credentials_get_tencent_sms (creds));

  /* The key signs what the certificate verifies: they belong together. */
  {
    g_autofree char *sig = rd_rsa_sign_sha256_base64 (wechat->merchant_key,
                                                      (const guint8 *) "source", 6, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (sig, ==, RD_TEST_WECHATPAY_SOURCE_SIGNATURE);
  }
}

static void
test_refuse_exposed (Fixture       *f,
                     gconstpointer  data)
{
  static const guint modes[] = { 0640, 0604, 0660, 0602, 0644 };
  g_autoptr(GKeyFile) kf = complete_key_file ();

  write_key_file (kf, f->path);

  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      g_autoptr(RdGatewayCredentials) creds = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_chmod (f->path, modes[i]), ==, 0);
      creds = rd_gateway_credentials_new_from_file (f->path, &error);
      g_assert_null (creds);
      g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
      g_assert_nonnull (strstr (error->message, "chmod 600"));
    }

  /* Not a regular file. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RdGatewayCredentials) creds = rd_gateway_credentials_new_from_file (f->dir, &error);

    g_assert_null (creds);
    g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  }
}

static void
expect_refused (Fixture    *f,
                GKeyFile   *kf,
                const char *word)
{
  g_autoptr(RdGatewayCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;

  write_key_file (kf, f->path);
  creds = rd_gateway_credentials_new_from_file (f->path, &error);
  g_assert_null (creds);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  if (word != NULL)
    g_assert_nonnull (strstr (error->message, word));
  /* Never a key in a message. */
  g_assert_null (strstr (error->message, "MII"));
}

static void
test_incomplete (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GKeyFile) kf = NULL;

  kf = complete_key_file ();
  g_key_file_remove_key (kf, "wechatpay", "mchid", NULL);
  expect_refused (f, kf, "mchid");
  g_key_file_unref (kf);

  kf = complete_key_file ();
  g_key_file_remove_key (kf, "wechatpay", "platform_certificate", NULL);
  expect_refused (f, kf, "platform_certificate");
  g_key_file_unref (kf);

  kf = complete_key_file ();
  g_key_file_set_string (kf, "wechatpay", "apiv3_key", "short");
  expect_refused (f, kf, "APIv3");
  g_key_file_unref (kf);

  kf = complete_key_file ();
  g_key_file_set_string (kf, "alipay", "private_key", "MIIBroken==");
  expect_refused (f, kf, NULL);
  g_key_file_unref (kf);

  kf = complete_key_file ();
  g_key_file_remove_key (kf, "aliyun-sms", "access_key_secret", NULL);
  expect_refused (f, kf, "access_key_secret");
  g_key_file_unref (kf);

  kf = NULL;
}

static void
test_key_files (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GKeyFile) kf = complete_key_file ();
  g_autofree char *pem = g_key_file_get_string (kf, "wechatpay", "private_key", NULL);
  g_autofree char *key_path = g_build_filename (f->dir, "apiclient_key.pem", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdGatewayCredentials) creds = NULL;

  g_key_file_remove_key (kf, "wechatpay", "private_key", NULL);
  g_key_file_set_string (kf, "wechatpay", "private_key_file", "apiclient_key.pem");
  write_key_file (kf, f->path);

  /* A key file next to it, readable by others: refused like ssh does. */
  g_file_set_contents_full (key_path, pem, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
  creds = rd_gateway_credentials_new_from_file (f->path, &error);
  g_assert_null (creds);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  g_clear_error (&error);

  g_assert_cmpint (g_chmod (key_path, 0600), ==, 0);
  creds = rd_gateway_credentials_new_from_file (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rd_gateway_credentials_get_wechatpay (creds)->merchant_key);
}

static void
test_sim_file (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(RdGatewaySim) sim = NULL;
  g_autoptr(RdGatewaySim) again = NULL;
  g_autoptr(RdGatewayCredentials) creds = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sig = NULL;
  const RdWechatpayConfig *wechat;

  sim = rd_gateway_sim_new (&error);
  g_assert_no_error (error);
  rd_gateway_sim_write_credentials (sim, f->path, &error);
  g_assert_no_error (error);

  creds = rd_gateway_credentials_new_from_file (f->path, &error);
  g_assert_no_error (error);
  wechat = rd_gateway_credentials_get_wechatpay (creds);
  g_assert_nonnull (wechat);
  g_assert_nonnull (rd_gateway_credentials_get_alipay (creds));
  g_assert_nonnull (rd_rsa_public_key_get_serial (wechat->platform_key));

  again = rd_gateway_sim_new_from_file (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (again);

  g_assert_cmpint (g_chmod (f->path, 0644), ==, 0);
  g_clear_object (&again);
  again = rd_gateway_sim_new_from_file (f->path, &error);
  g_assert_null (again);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/gateway/credentials/load", Fixture, NULL,
              fixture_setup, test_load, fixture_teardown);
  g_test_add ("/gateway/credentials/refuse-exposed", Fixture, NULL,
              fixture_setup, test_refuse_exposed, fixture_teardown);
  g_test_add ("/gateway/credentials/incomplete", Fixture, NULL,
              fixture_setup, test_incomplete, fixture_teardown);
  g_test_add ("/gateway/credentials/key-files", Fixture, NULL,
              fixture_setup, test_key_files, fixture_teardown);
  g_test_add ("/gateway/credentials/simulator-file", Fixture, NULL,
              fixture_setup, test_sim_file, fixture_teardown);

  return g_test_run ();
}
