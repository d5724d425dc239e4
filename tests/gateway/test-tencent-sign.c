/* test-tencent-sign.c: Tencent Cloud TC3-HMAC-SHA256
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-crypto.h"
#include "rd-tencent-sign.h"

#define SECRET_ID    "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
#define SECRET_KEY   "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
#define TIMESTAMP    G_GINT64_CONSTANT (1551113065)
#define HOST         "cvm.tencentcloudapi.com"
#define CONTENT_TYPE "application/json; charset=utf-8"
/* The backslash-u escapes are literal text of the payload. */
#define PAYLOAD      "{\"Limit\": 1, \"Filters\": [{\"Values\": [\"\\u672a\\u547d\\u540d\"], " \
                     "\"Name\": \"instance-name\"}]}"
#define PAYLOAD_HASH   "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
#define CANONICAL_HASH "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
#define SIGNATURE      "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"

static void
test_vector (void)
{
  g_autofree char *payload_hash = rd_sha256_hex ((const guint8 *) PAYLOAD, strlen (PAYLOAD));
  g_autofree char *canonical = NULL;
  g_autofree char *canonical_hash = NULL;
  g_autofree char *string_to_sign = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *authorization = NULL;

  g_assert_cmpstr (payload_hash, ==, PAYLOAD_HASH);

  canonical = rd_tencent_tc3_canonical_request ("POST", "/", NULL, CONTENT_TYPE, HOST,
                                                (const guint8 *) PAYLOAD, strlen (PAYLOAD));
  g_assert_cmpstr (canonical, ==,
                   "POST\n/\n\ncontent-type:application/json; charset=utf-8\n"
                   "host:cvm.tencentcloudapi.com\n\ncontent-type;host\n" PAYLOAD_HASH);
  canonical_hash = rd_sha256_hex ((const guint8 *) canonical, strlen (canonical));
  g_assert_cmpstr (canonical_hash, ==, CANONICAL_HASH);

  string_to_sign = rd_tencent_tc3_string_to_sign (TIMESTAMP, "cvm", canonical);
  g_assert_cmpstr (string_to_sign, ==,
                   "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n" CANONICAL_HASH);

  signature = rd_tencent_tc3_signature (SECRET_KEY, TIMESTAMP, "cvm", string_to_sign);
  g_assert_cmpstr (signature, ==, SIGNATURE);

  authorization = rd_tencent_tc3_authorization (SECRET_ID, SECRET_KEY, "cvm", "POST", HOST,
                                                CONTENT_TYPE, TIMESTAMP,
                                                (const guint8 *) PAYLOAD, strlen (PAYLOAD));
  g_assert_cmpstr (authorization, ==,
                   "TC3-HMAC-SHA256 Credential=" SECRET_ID "/2019-02-25/cvm/tc3_request, "
                   "SignedHeaders=content-type;host, Signature=" SIGNATURE);
}

static void
test_header_normalisation (void)
{
  g_autofree char *authorization = NULL;

  /* Header values are lowercased and trimmed before signing. */
  authorization = rd_tencent_tc3_authorization (SECRET_ID, SECRET_KEY, "cvm", "POST",
                                                " CVM.TencentCloudAPI.com ",
                                                "Application/JSON; charset=UTF-8",
                                                TIMESTAMP,
                                                (const guint8 *) PAYLOAD, strlen (PAYLOAD));
  g_assert_true (g_str_has_suffix (authorization, "Signature=" SIGNATURE));
}

static void
test_date_and_scope (void)
{
  g_autofree char *before = rd_tencent_tc3_date (G_GINT64_CONSTANT (1551139199));
  g_autofree char *after = rd_tencent_tc3_date (G_GINT64_CONSTANT (1551139200));
  g_autofree char *sms = NULL;
  g_autofree char *sms_next_day = NULL;
  const char *body = "{\"PhoneNumberSet\":[\"+8613800000000\"]}";

  /* The credential scope uses the UTC date, not Beijing's. */
  g_assert_cmpstr (before, ==, "2019-02-25");
  g_assert_cmpstr (after, ==, "2019-02-26");

  sms = rd_tencent_tc3_authorization (SECRET_ID, SECRET_KEY, "sms", "POST",
                                      "sms.tencentcloudapi.com", CONTENT_TYPE,
                                      G_GINT64_CONSTANT (1551139199),
                                      (const guint8 *) body, strlen (body));
  sms_next_day = rd_tencent_tc3_authorization (SECRET_ID, SECRET_KEY, "sms", "POST",
                                               "sms.tencentcloudapi.com", CONTENT_TYPE,
                                               G_GINT64_CONSTANT (1551139200),
                                               (const guint8 *) body, strlen (body));
  g_assert_true (g_str_has_prefix (sms, "TC3-HMAC-SHA256 Credential=" SECRET_ID
                                   "/2019-02-25/sms/tc3_request, "));
  g_assert_true (g_str_has_prefix (sms_next_day, "TC3-HMAC-SHA256 Credential=" SECRET_ID
                                   "/2019-02-26/sms/tc3_request, "));
}

static void
test_sensitivity (void)
{
  g_autofree char *reference = NULL;
  g_autofree char *other_payload = NULL;
  g_autofree char *other_key = NULL;
  g_autofree char *other_time = NULL;

  reference = rd_tencent_tc3_authorization (SECRET_ID, SECRET_KEY, "cvm", "POST", HOST,
                                            CONTENT_TYPE, TIMESTAMP,
                                            (const guint8 *) PAYLOAD, strlen (PAYLOAD));
  other_payload = rd_tencent_tc3_authorization (SECRET_ID, SECRET_KEY, "cvm", "POST", HOST,
                                                CONTENT_TYPE, TIMESTAMP,
                                                (const guint8 *) PAYLOAD, strlen (PAYLOAD) - 1);
  other_key = rd_tencent_tc3_authorization (SECRET_ID, SECRET_KEY "x", "cvm", "POST", HOST,
                                            CONTENT_TYPE, TIMESTAMP,
                                            (const guint8 *) PAYLOAD, strlen (PAYLOAD));
  other_time = rd_tencent_tc3_authorization (SECRET_ID, SECRET_KEY, "cvm", "POST", HOST,
                                             CONTENT_TYPE, TIMESTAMP + 1,
                                             (const guint8 *) PAYLOAD, strlen (PAYLOAD));

  g_assert_cmpstr (other_payload, !=, reference);
  g_assert_cmpstr (other_key, !=, reference);
  g_assert_cmpstr (other_time, !=, reference);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gateway/tencent/vector", test_vector);
  g_test_add_func ("/gateway/tencent/header-normalisation", test_header_normalisation);
  g_test_add_func ("/gateway/tencent/date-and-scope", test_date_and_scope);
  g_test_add_func ("/gateway/tencent/sensitivity", test_sensitivity);

  return g_test_run ();
}
