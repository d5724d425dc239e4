/* test-wechatpay-sign.c: WeChat Pay APIv3 signatures, verification and
 * callback resources
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-gateway-error.h"
#include "rd-gateway-test-util.h"
#include "rd-wechatpay-sign.h"

#define QUERY_URL    "/v3/pay/transactions/out-trade-no/1217752501201407033233368018" \
                     "?mchid=1230000109"
#define NATIVE_URL   "/v3/pay/transactions/native"
#define NATIVE_BODY  "{\"appid\":\"wxd678efh567hg6787\",\"mchid\":\"1230000109\"," \
                     "\"description\":\"挂号费\"," \
                     "\"amount\":{\"total\":1250,\"currency\":\"CNY\"}}"
#define TIMESTAMP    G_GINT64_CONSTANT (1554208460)
#define NONCE        "593BEC0C930BF1AFEB40B4A08C8FB242"

/* Signatures of these requests with the SDK test key, computed independently
 * with `openssl dgst -sha256 -sign wechatpay-test-key.pem | base64`. */
#define QUERY_SIGNATURE \
  "Mi6/vU9oV2sHqOtO5LZDQBvzCU+Hti+oFJOfyB0oyR0kxDgmeHmTqczM3gzb5jNY/uFYvtMBOke1DxYDEK6rSE3l7Y0X" \
  "p3WrgX7gZgRTHJAz/qFRze1qVxK1kWx1wcXs9jqWHy3BApmDEFO+2oBGfde4qmTG9oAMYmJZ3QTWVjNOKTaJ3lH5HbAd" \
  "X+gFAO1PIOUmL8HnMlLWVNyW7BJzFFYiBvJmsSp5lgdW0Jw76oMZ0LCiPqe5FlzovlZQXx4uup7PMpGcUVzFQ69APJeB" \
  "VQqAMuQJDiCbl5/XCi3eteFKVj0ZpQrcpJa+kynM0Z8TE/CwPMVR0c5b2xN1s7ofUQ=="
#define NATIVE_SIGNATURE \
  "w343co83xC1eveq/nl3D0oJdGzWOG9esr/OWuKHGTbzzo2zhFHaJR+90bcEcNnVf0858RVTl54Ce74Jzyqcn87qxb2HZ" \
  "d59muvgxNuRjfHZkqFuSEeDV08tZnYDMgnZc/NCYeSrI5F8/coB2zv6ar+4UeIPjx5rGiSetNtch9rWv9rA4VcmRH/8E" \
  "ttSOjlFiWBIe9DacWvqL1mtzs832cs8m8T884yDHwJJ831YNfVOF3xrWTdUdylq3DfpiHDt8+3xevIh4EoNstGGuijbR" \
  "KZywalSjf8uenkCset5WXXJ1WCAvB4gsPms7HB2gps8P3yDZKxO97kWvrSgC2we0yw=="

#define APIV3_KEY      "a7cde1ZVb3WeCi8Ofpvo5vfvGJNHxBTt"
#define RESOURCE_PLAIN "{\"out_trade_no\":\"RD20240101000001\",\"trade_state\":\"SUCCESS\"," \
                       "\"payer\":\"张三\"}"
/* AES-256-GCM of RESOURCE_PLAIN, computed independently with Python's
 * cryptography package (nonce "fdasflkja484", associated data "transaction"). */
#define RESOURCE_CIPHER \
  "mK0jN85a5w7ZwNuzBAOeK8yZAid4aPd3yypmL9Yp6yyunxFgecJS8YhgTEqtHqXiw6jF2EDHg5LU+qMoBEGCZTFMwRu9" \
  "H1VOtdGHTtC3micCLuFGKF1GYB55hS4="

static void
assert_bytes_str (GBytes     *bytes,
                  const char *expected)
{
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, strlen (expected));
}

static void
test_message_layout (void)
{
  g_autoptr(GBytes) get = NULL;
  g_autoptr(GBytes) post = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GBytes) empty_response = NULL;

  get = rd_wechatpay_request_message ("GET", QUERY_URL, TIMESTAMP, NONCE, NULL, 0);
  assert_bytes_str (get, "GET\n" QUERY_URL "\n1554208460\n" NONCE "\n\n");

  post = rd_wechatpay_request_message ("POST", NATIVE_URL, TIMESTAMP, NONCE,
                                       (const guint8 *) NATIVE_BODY, strlen (NATIVE_BODY));
  assert_bytes_str (post, "POST\n" NATIVE_URL "\n1554208460\n" NONCE "\n" NATIVE_BODY "\n");

  response = rd_wechatpay_response_message ("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c",
                                            (const guint8 *) "{\"data\":[]}", 11);
  assert_bytes_str (response, "1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{\"data\":[]}\n");

  empty_response = rd_wechatpay_response_message ("1554209980", "n", NULL, 0);
  assert_bytes_str (empty_response, "1554209980\nn\n\n");
}

static void
test_sign_request_vector (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) key = rd_test_gateway_wechatpay_key ();
  g_autofree char *query = NULL;
  g_autofree char *native = NULL;

  query = rd_wechatpay_sign_request (key, RD_TEST_WECHATPAY_MCHID, RD_TEST_WECHATPAY_SERIAL,
                                     "GET", QUERY_URL, NULL, 0, TIMESTAMP, NONCE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (query, ==,
                   "WECHATPAY2-SHA256-RSA2048 mchid=\"1234567890\","
                   "nonce_str=\"" NONCE "\",timestamp=\"1554208460\","
                   "serial_no=\"F5765756002FDD77\",signature=\"" QUERY_SIGNATURE "\"");

  native = rd_wechatpay_sign_request (key, RD_TEST_WECHATPAY_MCHID, RD_TEST_WECHATPAY_SERIAL,
                                      "POST", NATIVE_URL, (const guint8 *) NATIVE_BODY,
                                      strlen (NATIVE_BODY), TIMESTAMP, NONCE, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (native, "signature=\"" NATIVE_SIGNATURE "\""));
}

static void
test_sign_request_invalid (void)
{
  g_autoptr(RdRsaKey) key = rd_test_gateway_wechatpay_key ();
  struct {
    const char *mchid;
    const char *method;
    const char *url;
    const char *nonce;
  } cases[] = {
    { "1234567890\n", "GET", QUERY_URL, NONCE },
    { "1234567890", "GET\n/forged", QUERY_URL, NONCE },
    { "1234567890", "GET", "https://api.mch.weixin.qq.com" QUERY_URL, NONCE },
    { "1234567890", "GET", QUERY_URL "\n", NONCE },
    { "1234567890", "GET", QUERY_URL, "abc\ndef" },
    { "1234567890", "GET", QUERY_URL, "" },
    { "", "GET", QUERY_URL, NONCE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *header = NULL;

      header = rd_wechatpay_sign_request (key, cases[i].mchid, RD_TEST_WECHATPAY_SERIAL,
                                          cases[i].method, cases[i].url, NULL, 0,
                                          TIMESTAMP, cases[i].nonce, &error);
      g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED);
      g_assert_null (header);
    }
}

static void
test_sign_request_fresh_nonce (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) key = rd_test_gateway_wechatpay_key ();
  g_autoptr(RdRsaPublicKey) cert = rd_test_gateway_wechatpay_cert ();
  g_autoptr(RdWechatpayAuthorization) first = NULL;
  g_autoptr(RdWechatpayAuthorization) second = NULL;
  g_autofree char *header1 = NULL;
  g_autofree char *header2 = NULL;

  header1 = rd_wechatpay_sign_request (key, RD_TEST_WECHATPAY_MCHID, RD_TEST_WECHATPAY_SERIAL,
                                       "GET", QUERY_URL, NULL, 0, TIMESTAMP, NULL, &error);
  g_assert_no_error (error);
  header2 = rd_wechatpay_sign_request (key, RD_TEST_WECHATPAY_MCHID, RD_TEST_WECHATPAY_SERIAL,
                                       "GET", QUERY_URL, NULL, 0, TIMESTAMP, NULL, &error);
  g_assert_no_error (error);

  first = rd_wechatpay_authorization_parse (header1, &error);
  g_assert_no_error (error);
  second = rd_wechatpay_authorization_parse (header2, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (strlen (first->nonce_str), ==, RD_NONCE_LEN);
  g_assert_cmpstr (first->nonce_str, !=, second->nonce_str);
  g_assert_cmpstr (first->signature, !=, second->signature);

  g_assert_true (rd_wechatpay_authorization_verify (first, cert, "GET", QUERY_URL, NULL, 0,
                                                    TIMESTAMP + 10, &error));
  g_assert_no_error (error);
}

static void
test_authorization_parse (void)
{
  const char *headers[] = {
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"abc\",timestamp=\"1554208460\","
    "serial_no=\"1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C\",signature=\"c2ln\"",
    /* Reordered, blanks around items and "=", a tab, the scheme in lower case. */
    "  wechatpay2-sha256-rsa2048\tsignature = \"c2ln\" , serial_no=\"1DDE55AD98ED71D6EDD4A4A16996D"
    "E7B47773A8C\",\ttimestamp=\"1554208460\",nonce_str=\"abc\", mchid=\"1900009191\"  ",
    /* Unquoted token values and an unknown item. */
    "WECHATPAY2-SHA256-RSA2048 timestamp=1554208460,mchid=1900009191,future=\"x\",nonce_str=abc,"
    "serial_no=1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C,signature=\"c2ln\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RdWechatpayAuthorization) auth = NULL;
      g_autoptr(RdWechatpayAuthorization) copy = NULL;

      auth = rd_wechatpay_authorization_parse (headers[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (auth->mchid, ==, "1900009191");
      g_assert_cmpstr (auth->nonce_str, ==, "abc");
      g_assert_cmpint (auth->timestamp, ==, 1554208460);
      g_assert_cmpstr (auth->serial_no, ==, "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C");
      g_assert_cmpstr (auth->signature, ==, "c2ln");

      copy = rd_wechatpay_authorization_copy (auth);
      g_assert_cmpstr (copy->signature, ==, auth->signature);
      g_assert_cmpint (copy->timestamp, ==, auth->timestamp);
    }
}

static void
test_authorization_escapes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdWechatpayAuthorization) parsed = NULL;
  g_autoptr(RdWechatpayAuthorization) reparsed = NULL;
  g_autofree char *text = NULL;
  RdWechatpayAuthorization auth = {
    .mchid = (char *) "19\"00",
    .nonce_str = (char *) "a\\b",
    .signature = (char *) "c2ln",
    .serial_no = (char *) "ABC",
    .timestamp = 42,
  };

  text = rd_wechatpay_authorization_to_string (&auth);
  g_assert_cmpstr (text, ==,
                   "WECHATPAY2-SHA256-RSA2048 mchid=\"19\\\"00\",nonce_str=\"a\\\\b\","
                   "timestamp=\"42\",serial_no=\"ABC\",signature=\"c2ln\"");
  reparsed = rd_wechatpay_authorization_parse (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (reparsed->mchid, ==, auth.mchid);
  g_assert_cmpstr (reparsed->nonce_str, ==, auth.nonce_str);

  parsed = rd_wechatpay_authorization_parse ("WECHATPAY2-SHA256-RSA2048 "
                                             "mchid=\"1\",nonce_str=\"n\","
                                             "timestamp=\"1\",serial_no=\"S\","
                                             "signature=\"a,b=c\"", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (parsed->signature, ==, "a,b=c");
}

static void
test_authorization_garbage (void)
{
  const char *headers[] = {
    "",
    "   ",
    "Bearer abc",
    "WECHATPAY2-SHA256-RSA2048",
    "WECHATPAY2-SHA256-RSA2048 ",
    "WECHATPAY2-SHA256-RSA2048mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"",
    "WECHATPAY2-SHA256-RSA1024 mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"",
    /* Missing item. */
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\"",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",serial_no=\"S\",signature=\"s\"",
    /* Repeated item: which one was meant? */
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",mchid=\"2\",nonce_str=\"n\",timestamp=\"1\","
    "serial_no=\"S\",signature=\"s\"",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",timestamp=\"1\","
    "serial_no=\"S\",signature=\"s\"",
    /* Unterminated quote, missing "=", empty values. */
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"",
    "WECHATPAY2-SHA256-RSA2048 mchid=,nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"",
    /* Separators out of place. */
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\",",
    "WECHATPAY2-SHA256-RSA2048 ,mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",,nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\" nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\"x,nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"",
    /* Timestamps that are no unix seconds. */
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"-1\",serial_no=\"S\","
    "signature=\"s\"",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"155420846O\","
    "serial_no=\"S\",signature=\"s\"",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"1554208460000000\","
    "serial_no=\"S\",signature=\"s\"",
    /* Control characters, a dangling escape, bytes that are not ASCII. */
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\nx\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\\",
    "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"S\","
    "signature=\"s\"\xe6\x8c\x82",
    "WECHATPAY2-SHA256-RSA2048 \xe6\x8c\x82=\"1\",mchid=\"1\",nonce_str=\"n\",timestamp=\"1\","
    "serial_no=\"S\",signature=\"s\"",
  };

  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RdWechatpayAuthorization) auth = NULL;

      auth = rd_wechatpay_authorization_parse (headers[i], &error);
      if (auth != NULL)
        g_error ("Accepted garbage header %u: %s", i, headers[i]);
      g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
    }
}

/* Random damage to a good header: refused cleanly, or parsed into items that
 * print and parse back the same. */
static void
test_authorization_mutations (void)
{
  const char *header = "WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"abc\","
                       "timestamp=\"1554208460\",serial_no=\"1DDE55AD98ED\",signature=\"c2ln\"";
  const char alphabet[] = "\"\\=, \t\nma1_";
  gsize len = strlen (header);

  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RdWechatpayAuthorization) auth = NULL;
      g_autoptr(RdWechatpayAuthorization) again = NULL;
      g_autofree char *raw = g_strdup (header);
      g_autofree char *printed = NULL;
      guint n_changes = g_test_rand_int_range (1, 4);

      for (guint i = 0; i < n_changes; i++)
        {
          int pos = g_test_rand_int_range (0, len);

          raw[pos] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
        }

      auth = rd_wechatpay_authorization_parse (raw, &error);
      if (auth == NULL)
        {
          g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
          continue;
        }

      printed = rd_wechatpay_authorization_to_string (auth);
      again = rd_wechatpay_authorization_parse (printed, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (again->mchid, ==, auth->mchid);
      g_assert_cmpstr (again->nonce_str, ==, auth->nonce_str);
      g_assert_cmpstr (again->serial_no, ==, auth->serial_no);
      g_assert_cmpstr (again->signature, ==, auth->signature);
      g_assert_cmpint (again->timestamp, ==, auth->timestamp);
    }
}

static void
assert_request_fails (const RdWechatpayAuthorization *auth,
                      RdRsaPublicKey                 *key,
                      const char                     *method,
                      const char                     *url,
                      const char                     *body,
                      gint64                          now)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (rd_wechatpay_authorization_verify (auth, key, method, url,
                                                     (const guint8 *) body, strlen (body),
                                                     now, &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
}

static void
test_authorization_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) key = rd_test_gateway_wechatpay_key ();
  g_autoptr(RdRsaKey) other_key = rd_test_gateway_generated_key ();
  g_autoptr(RdRsaPublicKey) cert = rd_test_gateway_wechatpay_cert ();
  g_autoptr(RdRsaPublicKey) bare = rd_rsa_key_get_public_key (key);
  g_autoptr(RdRsaPublicKey) other = rd_rsa_key_get_public_key (other_key);
  g_autoptr(RdWechatpayAuthorization) auth = NULL;
  g_autofree char *header = NULL;
  g_autofree char *real_signature = NULL;

  header = rd_wechatpay_sign_request (key, RD_TEST_WECHATPAY_MCHID, RD_TEST_WECHATPAY_SERIAL,
                                      "POST", NATIVE_URL, (const guint8 *) NATIVE_BODY,
                                      strlen (NATIVE_BODY), TIMESTAMP, NONCE, &error);
  g_assert_no_error (error);
  auth = rd_wechatpay_authorization_parse (header, &error);
  g_assert_no_error (error);

  g_assert_true (rd_wechatpay_authorization_verify (auth, cert, "POST", NATIVE_URL,
                                                    (const guint8 *) NATIVE_BODY,
                                                    strlen (NATIVE_BODY), TIMESTAMP, &error));
  g_assert_no_error (error);
  g_assert_true (rd_wechatpay_authorization_verify (auth, bare, "POST", NATIVE_URL,
                                                    (const guint8 *) NATIVE_BODY,
                                                    strlen (NATIVE_BODY),
                                                    TIMESTAMP - RD_WECHATPAY_MAX_CLOCK_SKEW,
                                                    &error));
  g_assert_no_error (error);

  assert_request_fails (auth, cert, "POST", NATIVE_URL, NATIVE_BODY " ", TIMESTAMP);
  assert_request_fails (auth, cert, "POST", NATIVE_URL, "", TIMESTAMP);
  assert_request_fails (auth, cert, "PUT", NATIVE_URL, NATIVE_BODY, TIMESTAMP);
  assert_request_fails (auth, cert, "POST", NATIVE_URL "?x=1", NATIVE_BODY, TIMESTAMP);
  assert_request_fails (auth, other, "POST", NATIVE_URL, NATIVE_BODY, TIMESTAMP);
  assert_request_fails (auth, cert, "POST", NATIVE_URL, NATIVE_BODY,
                        TIMESTAMP + RD_WECHATPAY_MAX_CLOCK_SKEW + 1);
  assert_request_fails (auth, cert, "POST", NATIVE_URL, NATIVE_BODY,
                        TIMESTAMP - RD_WECHATPAY_MAX_CLOCK_SKEW - 1);

  /* Another certificate's serial, another timestamp, a tampered signature. */
  g_free (auth->serial_no);
  auth->serial_no = g_strdup ("5157F09EFDC096DE15EBE81A47057A7232F1B8E1");
  assert_request_fails (auth, cert, "POST", NATIVE_URL, NATIVE_BODY, TIMESTAMP);
  g_free (auth->serial_no);
  auth->serial_no = g_strdup (RD_TEST_WECHATPAY_SERIAL);

  auth->timestamp++;
  assert_request_fails (auth, cert, "POST", NATIVE_URL, NATIVE_BODY, TIMESTAMP);
  auth->timestamp--;

  real_signature = g_steal_pointer (&auth->signature);
  auth->signature = rd_test_gateway_tamper_base64 (real_signature, 0);
  assert_request_fails (auth, cert, "POST", NATIVE_URL, NATIVE_BODY, TIMESTAMP);
}

static void
assert_response_fails (RdRsaPublicKey *key,
                       const char     *timestamp,
                       const char     *nonce,
                       const char     *signature,
                       const char     *serial,
                       const char     *body,
                       gint64          now)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (rd_wechatpay_verify_response (key, timestamp, nonce, signature, serial,
                                                (const guint8 *) body, strlen (body), now,
                                                &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
}

static void
test_response_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) platform = rd_test_gateway_generated_key ();
  g_autoptr(RdRsaPublicKey) cert = NULL;
  g_autoptr(RdRsaPublicKey) merchant_cert = rd_test_gateway_wechatpay_cert ();
  g_autoptr(GDateTime) not_before = g_date_time_new_utc (2019, 1, 1, 0, 0, 0);
  g_autoptr(GDateTime) not_after = g_date_time_new_utc (2029, 1, 1, 0, 0, 0);
  g_autofree char *cert_pem = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *tampered = NULL;
  const char *serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
  const char *body = "{\"trade_state\":\"SUCCESS\","
                     "\"payer\":{\"openid\":\"oUpF8uMuAJO_M2pxb1Q\"}}";
  const char *nonce = "c5ac7061fccab6bf3e254dcf98995b8c";
  gint64 ts = 1554209980;

  cert_pem = rd_rsa_key_create_certificate (platform, serial, "WeChat Pay simulator",
                                            not_before, not_after, &error);
  g_assert_no_error (error);
  cert = rd_rsa_public_key_new_from_pem (cert_pem, -1, &error);
  g_assert_no_error (error);

  signature = rd_wechatpay_sign_response (platform, ts, nonce, (const guint8 *) body,
                                          strlen (body), &error);
  g_assert_no_error (error);

  g_assert_true (rd_wechatpay_verify_response (cert, "1554209980", nonce, signature, serial,
                                               (const guint8 *) body, strlen (body), ts + 299,
                                               &error));
  g_assert_no_error (error);
  /* Serials are hex: their case does not matter. */
  g_assert_true (rd_wechatpay_verify_response (cert, "1554209980", nonce, signature,
                                               "5157f09efdc096de15ebe81a47057a7232f1b8e1",
                                               (const guint8 *) body, strlen (body), ts,
                                               &error));
  g_assert_no_error (error);

  /* Tampered body, nonce, signature; the timestamp string is signed as sent. */
  assert_response_fails (cert, "1554209980", nonce, signature, serial,
                         "{\"trade_state\":\"NOTPAY\","
                         "\"payer\":{\"openid\":\"oUpF8uMuAJO_M2pxb1Q\"}}",
                         ts);
  assert_response_fails (cert, "1554209980", nonce, signature, serial, "", ts);
  assert_response_fails (cert, "1554209981", nonce, signature, serial, body, ts);
  assert_response_fails (cert, "01554209980", nonce, signature, serial, body, ts);
  assert_response_fails (cert, "1554209980", "c5ac7061fccab6bf3e254dcf98995b8d", signature,
                         serial, body, ts);
  tampered = rd_test_gateway_tamper_base64 (signature, 255);
  assert_response_fails (cert, "1554209980", nonce, tampered, serial, body, ts);
  assert_response_fails (cert, "1554209980", nonce, "", serial, body, ts);
  assert_response_fails (merchant_cert, "1554209980", nonce, signature,
                         RD_TEST_WECHATPAY_SERIAL, body, ts);

  /* Another platform certificate's serial. */
  assert_response_fails (cert, "1554209980", nonce, signature, RD_TEST_WECHATPAY_SERIAL, body, ts);

  /* Missing headers and unreadable timestamps. */
  assert_response_fails (cert, NULL, nonce, signature, serial, body, ts);
  assert_response_fails (cert, "1554209980", NULL, signature, serial, body, ts);
  assert_response_fails (cert, "1554209980", nonce, NULL, serial, body, ts);
  assert_response_fails (cert, "1554209980", nonce, signature, NULL, body, ts);
  assert_response_fails (cert, "", nonce, signature, serial, body, ts);
  assert_response_fails (cert, " 1554209980", nonce, signature, serial, body, ts);
  assert_response_fails (cert, "1554209980", "", signature, serial, body, ts);

  /* Replayed or from a wrong clock. */
  assert_response_fails (cert, "1554209980", nonce, signature, serial, body,
                         ts + RD_WECHATPAY_MAX_CLOCK_SKEW + 1);
  assert_response_fails (cert, "1554209980", nonce, signature, serial, body,
                         ts - RD_WECHATPAY_MAX_CLOCK_SKEW - 1);
  g_assert_true (rd_wechatpay_verify_response (cert, "1554209980", nonce, signature, serial,
                                               (const guint8 *) body, strlen (body),
                                               ts - RD_WECHATPAY_MAX_CLOCK_SKEW, &error));
  g_assert_no_error (error);
}

static void
test_response_public_key_id (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) platform = rd_test_gateway_generated_key ();
  g_autoptr(RdRsaPublicKey) derived = rd_rsa_key_get_public_key (platform);
  g_autoptr(RdRsaPublicKey) public_key = NULL;
  g_autofree char *public_pem = NULL;
  g_autofree char *signature = NULL;
  const char *serial = RD_WECHATPAY_PUBLIC_KEY_PREFIX "01142321349124100000000000000000";
  gint64 ts = 1700000000;

  /* The WeChat Pay public key mode: a bare key, picked by its id. */
  public_pem = rd_rsa_public_key_to_pem (derived, &error);
  g_assert_no_error (error);
  public_key = rd_rsa_public_key_new_from_pem (public_pem, -1, &error);
  g_assert_no_error (error);

  /* An empty body (204 No Content) is signed too. */
  signature = rd_wechatpay_sign_response (platform, ts, "nonce", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_true (rd_wechatpay_verify_response (public_key, "1700000000", "nonce", signature,
                                               serial, NULL, 0, ts, &error));
  g_assert_no_error (error);
  assert_response_fails (public_key, "1700000000", "nonce", signature, serial, "{}", ts);
}

static void
test_resource (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  g_autoptr(GBytes) round_trip = NULL;
  g_autoptr(GBytes) refused = NULL;
  g_autofree char *ciphertext = NULL;
  g_autofree char *no_aad = NULL;
  g_autofree char *tampered = NULL;

  plaintext = rd_wechatpay_decrypt_resource (APIV3_KEY, "AEAD_AES_256_GCM", "fdasflkja484",
                                             "transaction", RESOURCE_CIPHER, &error);
  g_assert_no_error (error);
  assert_bytes_str (plaintext, RESOURCE_PLAIN);

  ciphertext = rd_wechatpay_encrypt_resource (APIV3_KEY, "fdasflkja484", "transaction",
                                              (const guint8 *) RESOURCE_PLAIN,
                                              strlen (RESOURCE_PLAIN), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ciphertext, ==, RESOURCE_CIPHER);

  /* Associated data may be absent (NULL) or empty: the same thing. */
  no_aad = rd_wechatpay_encrypt_resource (APIV3_KEY, "fdasflkja484", NULL,
                                          (const guint8 *) RESOURCE_PLAIN,
                                          strlen (RESOURCE_PLAIN), &error);
  g_assert_no_error (error);
  round_trip = rd_wechatpay_decrypt_resource (APIV3_KEY, "AEAD_AES_256_GCM", "fdasflkja484",
                                              "", no_aad, &error);
  g_assert_no_error (error);
  assert_bytes_str (round_trip, RESOURCE_PLAIN);

  refused = rd_wechatpay_decrypt_resource (APIV3_KEY, "AEAD_AES_128_GCM", "fdasflkja484",
                                           "transaction", RESOURCE_CIPHER, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  g_assert_null (refused);
  g_clear_error (&error);

  refused = rd_wechatpay_decrypt_resource (APIV3_KEY, NULL, "fdasflkja484",
                                           "transaction", RESOURCE_CIPHER, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  g_clear_error (&error);

  refused = rd_wechatpay_decrypt_resource ("testAPIv3Key0000", "AEAD_AES_256_GCM",
                                           "fdasflkja484", "transaction", RESOURCE_CIPHER,
                                           &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  g_clear_error (&error);

  refused = rd_wechatpay_decrypt_resource (APIV3_KEY, "AEAD_AES_256_GCM", "fdasflkja484",
                                           "refund", RESOURCE_CIPHER, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_clear_error (&error);

  tampered = rd_test_gateway_tamper_base64 (RESOURCE_CIPHER, 10);
  refused = rd_wechatpay_decrypt_resource (APIV3_KEY, "AEAD_AES_256_GCM", "fdasflkja484",
                                           "transaction", tampered, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_assert_null (refused);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gateway/wechatpay/message-layout", test_message_layout);
  g_test_add_func ("/gateway/wechatpay/sign-request/vector", test_sign_request_vector);
  g_test_add_func ("/gateway/wechatpay/sign-request/invalid", test_sign_request_invalid);
  g_test_add_func ("/gateway/wechatpay/sign-request/fresh-nonce", test_sign_request_fresh_nonce);
  g_test_add_func ("/gateway/wechatpay/authorization/parse", test_authorization_parse);
  g_test_add_func ("/gateway/wechatpay/authorization/escapes", test_authorization_escapes);
  g_test_add_func ("/gateway/wechatpay/authorization/garbage", test_authorization_garbage);
  g_test_add_func ("/gateway/wechatpay/authorization/mutations", test_authorization_mutations);
  g_test_add_func ("/gateway/wechatpay/authorization/verify", test_authorization_verify);
  g_test_add_func ("/gateway/wechatpay/response/verify", test_response_verify);
  g_test_add_func ("/gateway/wechatpay/response/public-key-id", test_response_public_key_id);
  g_test_add_func ("/gateway/wechatpay/resource", test_resource);

  return g_test_run ();
}
