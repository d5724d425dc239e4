/* test-aliyun-sign.c: Alibaba Cloud RPC v1 and ACS3-HMAC-SHA256 signatures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-aliyun-sign.h"
#include "rd-crypto.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static GHashTable *
new_table (const char *first_key,
           ...)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *key = first_key;
  va_list args;

  va_start (args, first_key);
  while (key != NULL)
    {
      g_hash_table_insert (table, g_strdup (key), g_strdup (va_arg (args, const char *)));
      key = va_arg (args, const char *);
    }
  va_end (args);

  return table;
}

static GHashTable *
sms_params (void)
{
  return new_table ("AccessKeyId", "testId",
                    "Action", "SendSms",
                    "Format", "XML",
                    "OutId", "123",
                    "PhoneNumbers", "15300000001",
                    "RegionId", "cn-hangzhou",
                    "SignName", "阿里云短信测试专用",
                    "SignatureMethod", "HMAC-SHA1",
                    "SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466",
                    "SignatureVersion", "1.0",
                    "TemplateCode", "SMS_71390007",
                    "TemplateParam", "{\"customer\":\"test\"}",
                    "Timestamp", "2017-07-12T02:42:19Z",
                    "Version", "2017-05-25",
                    NULL);
}

static void
test_vector_rpc (void)
{
  g_autoptr(GHashTable) params = sms_params ();
  g_autofree char *string_to_sign = rd_aliyun_rpc_string_to_sign ("GET", params);
  g_autofree char *signature = rd_aliyun_rpc_sign ("testSecret", "GET", params);
  g_autofree char *again = NULL;

  g_assert_cmpstr (string_to_sign, ==,
                   "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML"
                   "%26OutId%3D123%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou"
                   "%26SignName%3D%25E9%2598%25BF%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD"
                   "%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF%2595%25E4%25B8%2593%25E7%2594%25A8"
                   "%26SignatureMethod%3DHMAC-SHA1"
                   "%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466"
                   "%26SignatureVersion%3D1.0%26TemplateCode%3DSMS_71390007"
                   "%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D"
                   "%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25");
  g_assert_cmpstr (signature, ==, "zJDF+Lrzhj/ThnlvIToysFRq6t4=");

  /* A Signature already among the parameters is not signed. */
  g_hash_table_insert (params, g_strdup ("Signature"), g_strdup (signature));
  again = rd_aliyun_rpc_sign ("testSecret", "GET", params);
  g_assert_cmpstr (again, ==, signature);
}

static void
test_rpc_sensitivity (void)
{
  g_autoptr(GHashTable) params = sms_params ();
  g_autofree char *reference = rd_aliyun_rpc_sign ("testSecret", "GET", params);
  g_autofree char *post = rd_aliyun_rpc_sign ("testSecret", "POST", params);
  g_autofree char *other_secret = rd_aliyun_rpc_sign ("testSecret2", "GET", params);
  g_autofree char *other_phone = NULL;

  g_assert_cmpstr (post, !=, reference);
  g_assert_cmpstr (other_secret, !=, reference);

  g_hash_table_replace (params, g_strdup ("PhoneNumbers"), g_strdup ("15300000002"));
  other_phone = rd_aliyun_rpc_sign ("testSecret", "GET", params);
  g_assert_cmpstr (other_phone, !=, reference);
}

static void
test_percent_encode (void)
{
  struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "", "" },
    { "abcXYZ019-_.~", "abcXYZ019-_.~" },
    { " ", "%20" },
    { "*", "%2A" },
    { "~", "~" },
    { "/", "%2F" },
    { "+", "%2B" },
    { "=", "%3D" },
    { "&", "%26" },
    { "%", "%25" },
    { ":", "%3A" },
    { "a b*c~d/e+f", "a%20b%2Ac~d%2Fe%2Bf" },
    { "阿里云", "%E9%98%BF%E9%87%8C%E4%BA%91" },
    { "é", "%C3%A9" },
    { "😀", "%F0%9F%98%80" },
    { "\x7f\x01", "%7F%01" },
    { "{\"customer\":\"test\"}", "%7B%22customer%22%3A%22test%22%7D" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *encoded = rd_aliyun_percent_encode (cases[i].in);

      g_assert_cmpstr (encoded, ==, cases[i].out);
    }
}

static void
test_canonical_query (void)
{
  g_autoptr(GHashTable) params = new_table ("b", "2 3", "a", "", "B", "*", "a b", "~", NULL);
  g_autoptr(GHashTable) none = new_table (NULL, NULL);
  g_autofree char *query = rd_aliyun_canonical_query (params);
  g_autofree char *empty = rd_aliyun_canonical_query (none);

  g_assert_cmpstr (query, ==, "B=%2A&a=&a%20b=~&b=2%203");
  g_assert_cmpstr (empty, ==, "");
}

static GHashTable *
ecs_headers (void)
{
  return new_table ("host", "ecs.cn-shanghai.aliyuncs.com",
                    "x-acs-action", "RunInstances",
                    "x-acs-version", "2014-05-26",
                    "x-acs-date", "2023-10-26T10:22:32Z",
                    "x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d",
                    NULL);
}

static GHashTable *
ecs_query (void)
{
  return new_table ("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
                    "RegionId", "cn-shanghai",
                    NULL);
}

#define ECS_SIGNED_HEADERS \
  "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
#define ECS_SIGNATURE "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"

static void
test_vector_acs3 (void)
{
  g_autoptr(GHashTable) headers = ecs_headers ();
  g_autoptr(GHashTable) query = ecs_query ();
  g_autofree char *canonical = NULL;
  g_autofree char *signed_headers = NULL;
  g_autofree char *string_to_sign = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *hashed = rd_aliyun_acs3_hashed_payload (NULL, 0);

  g_assert_cmpstr (hashed, ==, EMPTY_SHA256);

  authorization = rd_aliyun_acs3_sign ("YourAccessKeyId", "YourAccessKeySecret", "POST", "/",
                                       query, headers, NULL, 0);
  g_assert_cmpstr (authorization, ==,
                   "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,"
                   "SignedHeaders=" ECS_SIGNED_HEADERS ",Signature=" ECS_SIGNATURE);
  g_assert_cmpstr (g_hash_table_lookup (headers, "x-acs-content-sha256"), ==, EMPTY_SHA256);

  canonical = rd_aliyun_acs3_canonical_request ("POST", "/", query, headers, EMPTY_SHA256,
                                                &signed_headers);
  g_assert_cmpstr (canonical, ==,
                   "POST\n/\n"
                   "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"
                   "&RegionId=cn-shanghai\n"
                   "host:ecs.cn-shanghai.aliyuncs.com\n"
                   "x-acs-action:RunInstances\n"
                   "x-acs-content-sha256:" EMPTY_SHA256 "\n"
                   "x-acs-date:2023-10-26T10:22:32Z\n"
                   "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n"
                   "x-acs-version:2014-05-26\n"
                   "\n"
                   ECS_SIGNED_HEADERS "\n"
                   EMPTY_SHA256);
  g_assert_cmpstr (signed_headers, ==, ECS_SIGNED_HEADERS);

  string_to_sign = rd_aliyun_acs3_string_to_sign (canonical);
  g_assert_true (g_str_has_prefix (string_to_sign, "ACS3-HMAC-SHA256\n"));
  g_assert_cmpuint (strlen (string_to_sign), ==, strlen ("ACS3-HMAC-SHA256\n") + 64);

  signature = rd_aliyun_acs3_signature ("YourAccessKeySecret", string_to_sign);
  g_assert_cmpstr (signature, ==, ECS_SIGNATURE);
}

static void
test_acs3_header_normalisation (void)
{
  g_autoptr(GHashTable) headers = new_table ("Host", "  ecs.cn-shanghai.aliyuncs.com ",
                                             "X-Acs-Action", "RunInstances",
                                             "x-acs-version", "\t2014-05-26",
                                             "X-ACS-DATE", "2023-10-26T10:22:32Z",
                                             "x-acs-signature-nonce",
                                             "3156853299f313e23d1673dc12e1703d",
                                             "Accept", "application/json",
                                             "User-Agent", "regdesk",
                                             NULL);
  g_autoptr(GHashTable) query = ecs_query ();
  g_autofree char *authorization = NULL;

  /* Names in any case, blanks around values, unsigned headers: same signature. */
  authorization = rd_aliyun_acs3_sign ("YourAccessKeyId", "YourAccessKeySecret", "POST", "/",
                                       query, headers, NULL, 0);
  g_assert_true (g_str_has_suffix (authorization, "SignedHeaders=" ECS_SIGNED_HEADERS
                                   ",Signature=" ECS_SIGNATURE));
}

static void
test_acs3_body_and_path (void)
{
  g_autoptr(GHashTable) headers = ecs_headers ();
  g_autoptr(GHashTable) typed = ecs_headers ();
  g_autofree char *canonical = NULL;
  g_autofree char *signed_headers = NULL;
  g_autofree char *with_body = NULL;
  g_autofree char *with_type = NULL;
  const char *body = "{\"PhoneNumbers\":\"15300000001\"}";
  g_autofree char *body_hash = rd_sha256_hex ((const guint8 *) body, strlen (body));

  with_body = rd_aliyun_acs3_sign ("id", "secret", "POST", "/", NULL, headers,
                                   (const guint8 *) body, strlen (body));
  g_assert_cmpstr (g_hash_table_lookup (headers, "x-acs-content-sha256"), ==, body_hash);
  g_assert_false (g_str_has_suffix (with_body, ECS_SIGNATURE));

  /* content-type is signed when present. */
  g_hash_table_insert (typed, g_strdup ("Content-Type"), g_strdup ("application/json"));
  with_type = rd_aliyun_acs3_sign ("id", "secret", "POST", "/", NULL, typed,
                                   (const guint8 *) body, strlen (body));
  g_assert_true (strstr (with_type, "SignedHeaders=content-type;host;x-acs-action;") != NULL);

  /* Path segments are encoded, their slashes kept; no query is an empty line. */
  canonical = rd_aliyun_acs3_canonical_request ("GET", "/a b/c*~/", NULL, headers, EMPTY_SHA256,
                                                &signed_headers);
  g_assert_true (g_str_has_prefix (canonical, "GET\n/a%20b/c%2A~/\n\nhost:"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gateway/aliyun/vector/rpc", test_vector_rpc);
  g_test_add_func ("/gateway/aliyun/vector/acs3", test_vector_acs3);
  g_test_add_func ("/gateway/aliyun/rpc-sensitivity", test_rpc_sensitivity);
  g_test_add_func ("/gateway/aliyun/percent-encode", test_percent_encode);
  g_test_add_func ("/gateway/aliyun/canonical-query", test_canonical_query);
  g_test_add_func ("/gateway/aliyun/acs3/header-normalisation", test_acs3_header_normalisation);
  g_test_add_func ("/gateway/aliyun/acs3/body-and-path", test_acs3_body_and_path);

  return g_test_run ();
}
