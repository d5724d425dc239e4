/* test-alipay-sign.c: Alipay RSA2 signatures, raw response nodes,
 * notifications, forms and amounts
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "rd-alipay-sign.h"
#include "rd-gateway-error.h"
#include "rd-gateway-test-util.h"

#define BIZ_CONTENT "{\"out_trade_no\":\"20150320010101001\",\"subject\":\"挂号费 内科\"," \
                    "\"total_amount\":\"88.88\"}"

/* RSA2 signatures with the WeChat Pay SDK test key (the only published test
 * key we hold), computed independently with
 * `printf '%s' '<string to sign>' | openssl dgst -sha256 -sign … | base64`. */
#define REQUEST_SIGNATURE \
  "ATkIzaeewlNriTZW3Aqj0Xef3SYZ0gJMHJ4FLnbHdxQLJwxeTHqFVldoAmidzHd48S+dmB16SslUFZkh+WZjjh/Wn07M" \
  "MK50NaHIDG6sNJyr+V6xVHAJ9nJhhIaZl6mzrr5b2Dc6NAsrDfISNKBuWmerS2zXSFX3XxxQJuHWlUKOMMWBx2RmBt0/" \
  "GI6OLYAlv3Iv8wp8MQJqiBdeGx2UlAaVm7XeV5qFtzjFEaCs9AaMOIKQf2A9YUBiQbPjlqZFGSSnrP/jJiAwQwdQXzxA" \
  "tiGEH1dV1vBHDdQWytPy+/7oLpLCgMcuaTp+6nfwqHM3fwve4T0Mf1Jyaw2rlmAmLw=="
#define NOTIFY_SIGNATURE \
  "QfoFHYfnl32tJQE3P+TfSTvqdrvVkLy6ehvqQjYuphpOpEPTYkK/YQnpiB0PRLJ2GA96SEr6PCoJS9PERrc1R3/xNjwH" \
  "z6w1QucTJC3phH5jp8GTnInsXk/iSVkXHK6cCqXuQ9OxilFKDgnbImfURwtAMWy70Z//QvIz9UYHJvksU4H6yLH1WUL1" \
  "toayBin6RBpO9IGVWO72W/ygMusKg+ekUokpUVpmGWOR1Umu1EUqF02TeEtCILNr/FOffpYDja2CZ+/+UzCwh7saGFBM" \
  "Sxuk87lKIxJMR247CHZhzLLUu1qeKTgcApEG/NFns5WHjerUp/6ONDNXYUl327RWpA=="
#define NOTIFY_SIGNATURE_URLENCODED \
  "QfoFHYfnl32tJQE3P%2BTfSTvqdrvVkLy6ehvqQjYuphpOpEPTYkK%2FYQnpiB0PRLJ2GA96SEr6PCoJS9PERrc1R3" \
  "%2FxNjwHz6w1QucTJC3phH5jp8GTnInsXk%2FiSVkXHK6cCqXuQ9OxilFKDgnbImfURwtAMWy70Z%2F%2FQvIz9UYH" \
  "JvksU4H6yLH1WUL1toayBin6RBpO9IGVWO72W%2FygMusKg%2BekUokpUVpmGWOR1Umu1EUqF02TeEtCILNr%2FFOf" \
  "fpYDja2CZ%2B%2F%2BUzCwh7saGFBMSxuk87lKIxJMR247CHZhzLLUu1qeKTgcApEG%2FNFns5WHjerUp%2F6ONDNX" \
  "YUl327RWpA%3D%3D"

static GHashTable *
new_params (const char *first_key,
            ...)
{
  GHashTable *params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *key = first_key;
  va_list args;

  va_start (args, first_key);
  while (key != NULL)
    {
      g_hash_table_insert (params, g_strdup (key), g_strdup (va_arg (args, const char *)));
      key = va_arg (args, const char *);
    }
  va_end (args);

  return params;
}

static GHashTable *
request_params (void)
{
  return new_params ("timestamp", "2014-07-24 03:07:50",
                     "method", "alipay.trade.pay",
                     "app_id", "2014072300007148",
                     "sign_type", "RSA2",
                     "sign", "ignored",
                     "version", "1.0",
                     "notify_url", "",
                     "charset", "utf-8",
                     "format", "JSON",
                     "biz_content", BIZ_CONTENT,
                     NULL);
}

static void
test_string_to_sign (void)
{
  g_autoptr(GHashTable) params = request_params ();
  g_autoptr(GHashTable) order = new_params ("b", "1", "ab", "2", "a_b", "3", "aB", "4",
                                            "a", "5", "A", "6", "empty", "", NULL);
  g_autofree char *request = rd_alipay_request_string_to_sign (params);
  g_autofree char *notification = rd_alipay_notification_string_to_sign (params);
  g_autofree char *ordered = rd_alipay_request_string_to_sign (order);

  g_assert_cmpstr (request, ==,
                   "app_id=2014072300007148&biz_content=" BIZ_CONTENT "&charset=utf-8"
                   "&format=JSON&method=alipay.trade.pay&sign_type=RSA2"
                   "&timestamp=2014-07-24 03:07:50&version=1.0");
  g_assert_cmpstr (notification, ==,
                   "app_id=2014072300007148&biz_content=" BIZ_CONTENT "&charset=utf-8"
                   "&format=JSON&method=alipay.trade.pay"
                   "&timestamp=2014-07-24 03:07:50&version=1.0");
  /* Byte order: upper case before "_" before lower case. */
  g_assert_cmpstr (ordered, ==, "A=6&a=5&aB=4&a_b=3&ab=2&b=1");
}

static void
test_sign_request (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) key = rd_test_gateway_wechatpay_key ();
  g_autoptr(RdRsaPublicKey) cert = rd_test_gateway_wechatpay_cert ();
  g_autoptr(GHashTable) params = request_params ();
  g_autofree char *sign = NULL;

  sign = rd_alipay_sign_request (key, params, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sign, ==, REQUEST_SIGNATURE);

  g_hash_table_replace (params, g_strdup ("sign"), g_strdup (sign));
  g_assert_true (rd_alipay_verify_request (cert, params, &error));
  g_assert_no_error (error);

  /* The signature covers sign_type and every non-empty value. */
  g_hash_table_replace (params, g_strdup ("notify_url"), g_strdup ("https://example.com/n"));
  g_assert_false (rd_alipay_verify_request (cert, params, &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_clear_error (&error);
  g_hash_table_replace (params, g_strdup ("notify_url"), g_strdup (""));

  g_hash_table_replace (params, g_strdup ("sign_type"), g_strdup ("RSA"));
  g_assert_false (rd_alipay_verify_request (cert, params, &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_clear_error (&error);
  g_hash_table_replace (params, g_strdup ("sign_type"), g_strdup ("RSA2"));

  g_hash_table_replace (params, g_strdup ("biz_content"),
                        g_strdup ("{\"out_trade_no\":\"20150320010101001\",\"subject\":\"挂号费 内科\","
                                  "\"total_amount\":\"0.01\"}"));
  g_assert_false (rd_alipay_verify_request (cert, params, &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_clear_error (&error);
  g_hash_table_replace (params, g_strdup ("biz_content"), g_strdup (BIZ_CONTENT));

  g_hash_table_remove (params, "sign");
  g_assert_false (rd_alipay_verify_request (cert, params, &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
}

static void
test_form (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) params = new_params ("subject", "挂号费 a+b&c=d/e*f~g",
                                             "app_id", "2014072300007148",
                                             "empty", "",
                                             NULL);
  g_autoptr(GHashTable) parsed = NULL;
  g_autofree char *form = rd_alipay_build_form (params);

  g_assert_cmpstr (form, ==,
                   "app_id=2014072300007148"
                   "&subject=%E6%8C%82%E5%8F%B7%E8%B4%B9%20a%2Bb%26c%3Dd%2Fe%2Af~g");

  parsed = rd_alipay_parse_form (form, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (parsed), ==, 2);
  g_assert_cmpstr (g_hash_table_lookup (parsed, "subject"), ==, "挂号费 a+b&c=d/e*f~g");
  g_assert_cmpstr (g_hash_table_lookup (parsed, "app_id"), ==, "2014072300007148");
  g_clear_pointer (&parsed, g_hash_table_unref);

  /* "+" is a space in a form; %2B is the plus sign. */
  parsed = rd_alipay_parse_form ("a=x+y%2Bz&b=&c=%E5%86%85", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (parsed, "a"), ==, "x y+z");
  g_assert_cmpstr (g_hash_table_lookup (parsed, "b"), ==, "");
  g_assert_cmpstr (g_hash_table_lookup (parsed, "c"), ==, "内");
  g_clear_pointer (&parsed, g_hash_table_unref);

  /* Only the given length counts. */
  parsed = rd_alipay_parse_form ("a=1&b=2", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (parsed), ==, 1);
  g_clear_pointer (&parsed, g_hash_table_unref);

  parsed = rd_alipay_parse_form ("a=1&a=2", -1, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  g_assert_null (parsed);
  g_clear_error (&error);

  parsed = rd_alipay_parse_form ("a=%FF%FE", -1, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  g_clear_error (&error);

  parsed = rd_alipay_parse_form ("a=%zz", -1, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  g_clear_error (&error);
}

#define NOTIFY_BODY \
  "gmt_create=2015-11-27+15%3A45%3A13&charset=utf-8&fund_bill_list=" \
  "&subject=%E6%8C%82%E5%8F%B7%E8%B4%B9+%2B+%E5%86%85%E7%A7%91&sign_type=RSA2" \
  "&buyer_id=2088102122524333&total_amount=88.88&trade_status=TRADE_SUCCESS" \
  "&out_trade_no=20150320010101001&sign=" NOTIFY_SIGNATURE_URLENCODED

static void
test_notification (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) key = rd_test_gateway_wechatpay_key ();
  g_autoptr(RdRsaPublicKey) cert = rd_test_gateway_wechatpay_cert ();
  g_autoptr(GHashTable) params = NULL;
  g_autofree char *text = NULL;
  g_autofree char *sign = NULL;

  params = rd_alipay_parse_form (NOTIFY_BODY, -1, &error);
  g_assert_no_error (error);
  g_hash_table_remove (params, "charset");

  text = rd_alipay_notification_string_to_sign (params);
  g_assert_cmpstr (text, ==,
                   "buyer_id=2088102122524333&gmt_create=2015-11-27 15:45:13"
                   "&out_trade_no=20150320010101001&subject=挂号费 + 内科&total_amount=88.88"
                   "&trade_status=TRADE_SUCCESS");

  sign = rd_alipay_sign_notification (key, params, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sign, ==, NOTIFY_SIGNATURE);
  g_assert_cmpstr (g_hash_table_lookup (params, "sign"), ==, NOTIFY_SIGNATURE);

  g_assert_true (rd_alipay_verify_notification (cert, params, &error));
  g_assert_no_error (error);

  g_hash_table_replace (params, g_strdup ("total_amount"), g_strdup ("0.01"));
  g_assert_false (rd_alipay_verify_notification (cert, params, &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_clear_error (&error);
  g_hash_table_replace (params, g_strdup ("total_amount"), g_strdup ("88.88"));

  g_hash_table_replace (params, g_strdup ("sign_type"), g_strdup ("RSA"));
  g_assert_false (rd_alipay_verify_notification (cert, params, &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_clear_error (&error);
  g_hash_table_remove (params, "sign_type");
  g_assert_true (rd_alipay_verify_notification (cert, params, &error));
  g_assert_no_error (error);

  g_hash_table_remove (params, "sign");
  g_assert_false (rd_alipay_verify_notification (cert, params, &error));
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
}

static void
test_node_name (void)
{
  g_autofree char *pay = rd_alipay_response_node_name ("alipay.trade.pay");
  g_autofree char *bill = NULL;

  bill = rd_alipay_response_node_name ("alipay.data.dataservice.bill.downloadurl.query");
  g_assert_cmpstr (pay, ==, "alipay_trade_pay_response");
  g_assert_cmpstr (bill, ==, "alipay_data_dataservice_bill_downloadurl_query_response");
}

static void
assert_extracts (const char *raw,
                 const char *method,
                 const char *node,
                 const char *name,
                 const char *sign)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *found_name = NULL;
  g_autofree char *found_sign = NULL;
  g_autofree char *found = NULL;

  found = rd_alipay_extract_response ((const guint8 *) raw, strlen (raw), method,
                                      &found_name, &found_sign, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, node);
  g_assert_cmpstr (found_name, ==, name);
  g_assert_cmpstr (found_sign, ==, sign);
}

static void
assert_extract_fails (const char *raw,
                      gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sign = NULL;
  g_autofree char *node = NULL;

  node = rd_alipay_extract_response ((const guint8 *) raw, len, "alipay.trade.query",
                                     NULL, &sign, &error);
  if (node != NULL)
    g_error ("Extracted “%s” from “%.*s”", node, (int) len, raw);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  g_assert_null (sign);
}

#define TRICKY_NODE \
  "{\"code\":\"10000\",\"msg\":\"Success\",\"subject\":\"挂号费 {内科} [专家]\"," \
  "\"esc\":\"quote \\\" brace } bracket ] backslash \\\\\",\"u\":\"\\u4e2d\\ud83d\\ude00\"," \
  "\"nested\":{\"a\":[1,-2.5e+3,0,{\"b\":\"}\"},[]],\"c\":{}},\"t\":true,\"f\":false," \
  "\"n\":null,\"sign\":\"not the sign\"}"

static void
test_extract (void)
{
  const char *method = "alipay.trade.query";
  const char *name = "alipay_trade_query_response";

  assert_extracts ("{\"alipay_trade_query_response\":{\"code\":\"10000\",\"msg\":\"Success\"},"
                   "\"sign\":\"abc=\"}",
                   method, "{\"code\":\"10000\",\"msg\":\"Success\"}", name, "abc=");

  /* Nested objects, braces and escaped quotes inside strings, unicode. */
  assert_extracts ("{\"alipay_trade_query_response\":" TRICKY_NODE ",\"sign\":\"xyz\"}",
                   method, TRICKY_NODE, name, "xyz");

  /* Sign first, blanks and line breaks, the raw text keeps its own blanks. */
  assert_extracts (" \r\n{ \"sign\" : \"ab\\/c+d==\" ,\n\t\"alipay_trade_query_response\" :"
                   " { \"code\" : \"10000\" ,\"msg\":\"Success\" }\n,\"alipay_cert_sn\":\"x\"} \n",
                   method, "{ \"code\" : \"10000\" ,\"msg\":\"Success\" }", name, "ab/c+d==");

  /* The gateway answers error_response for some faults. */
  assert_extracts ("{\"error_response\":{\"code\":\"40002\",\"msg\":\"Invalid Arguments\","
                   "\"sub_code\":\"isv.invalid-app-id\",\"sub_msg\":\"无效的AppID参数\"},"
                   "\"sign\":\"s\"}",
                   method, "{\"code\":\"40002\",\"msg\":\"Invalid Arguments\","
                   "\"sub_code\":\"isv.invalid-app-id\",\"sub_msg\":\"无效的AppID参数\"}",
                   "error_response", "s");

  /* No sign at all (some errors are not signed). */
  assert_extracts ("{\"alipay_trade_query_response\":{}}", method, "{}", name, NULL);

  /* Other nodes are skipped, whatever they hold. */
  assert_extracts ("{\"x\":[{\"alipay_trade_query_response\":{}}],\"y\":\"}\","
                   "\"alipay_trade_query_response\":{\"k\":\"v\"},\"sign\":\"s\"}",
                   method, "{\"k\":\"v\"}", name, "s");
}

static void
test_extract_malformed (void)
{
  const char *doc = "{\"alipay_trade_query_response\":" TRICKY_NODE ",\"sign\":\"xyz\"}";
  const char *bad[] = {
    "",
    "   ",
    "[]",
    "\"alipay_trade_query_response\"",
    "{}",
    "{\"alipay_trade_pay_response\":{\"code\":\"10000\"},\"sign\":\"s\"}",
    "{\"alipay_trade_query_response\":\"10000\",\"sign\":\"s\"}",
    "{\"alipay_trade_query_response\":{},\"alipay_trade_query_response\":{},\"sign\":\"s\"}",
    "{\"alipay_trade_query_response\":{},\"error_response\":{},\"sign\":\"s\"}",
    "{\"alipay_trade_query_response\":{},\"sign\":\"s\",\"sign\":\"t\"}",
    "{\"alipay_trade_query_response\":{},\"sign\":123}",
    "{\"alipay_trade_query_response\":{},\"sign\":\"\\ud800\"}",
    "{\"alipay_trade_query_response\":{},\"sign\":\"a\\u0000b\"}",
    "{\"alipay_trade_query_response\\u0000\":{},\"sign\":\"s\"}",
    "{\"alipay_trade_query_response\":{\"a\":\"\\ude00\"}}",
    "{\"alipay_trade_query_response\":{\"a\":\"\\ud83d\\u0041\"}}",
    "{\"alipay_trade_query_response\":{\"a\":\"\\ud83d\"}}",
    "{\"alipay_trade_query_response\":{},\"sign\":\"s\"} trailing",
    "{\"alipay_trade_query_response\":{},\"sign\":\"s\"}{}",
    "{\"alipay_trade_query_response\":{},}",
    "{\"alipay_trade_query_response\":{\"a\":1,}}",
    "{\"alipay_trade_query_response\":{\"a\":[1,]}}",
    "{\"alipay_trade_query_response\":{\"a\" 1}}",
    "{\"alipay_trade_query_response\":{\"a\":1 \"b\":2}}",
    "{\"alipay_trade_query_response\":{\"a\":01}}",
    "{\"alipay_trade_query_response\":{\"a\":+1}}",
    "{\"alipay_trade_query_response\":{\"a\":1.}}",
    "{\"alipay_trade_query_response\":{\"a\":tru}}",
    "{\"alipay_trade_query_response\":{\"a\":\"\\x\"}}",
    "{\"alipay_trade_query_response\":{\"a\":\"\\u12G4\"}}",
    "{\"alipay_trade_query_response\":{\"a\":\"line\nbreak\"}}",
    "{\"alipay_trade_query_response\":{\"a\":[}]}}",
    "{\"alipay_trade_query_response\":{\"a\":{]}}",
    "{alipay_trade_query_response:{}}",
    "{'alipay_trade_query_response':{}}",
    "{\"alipay_trade_query_response\":{\"a\":\"\xff\"}}",
  };
  static const char with_nul[] = "{\"alipay_trade_query_response\":{\"a\":\"\0\"}}";
  GString *deep = g_string_new ("{\"alipay_trade_query_response\":");
  GString *fine = g_string_new ("{\"alipay_trade_query_response\":");
  g_autofree char *fine_node = NULL;
  g_autofree char *deep_text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_extract_fails (bad[i], strlen (bad[i]));

  /* Every truncation of a good answer fails cleanly. */
  for (gsize len = 0; len < strlen (doc); len++)
    assert_extract_fails (doc, len);

  /* A NUL byte inside is no JSON. */
  assert_extract_fails (with_nul, sizeof with_nul - 1);

  /* Deep nesting: refused past a sane depth, accepted below it. */
  for (guint i = 0; i < 200; i++)
    g_string_append (deep, "{\"a\":");
  g_string_append (deep, "1");
  for (guint i = 0; i < 200; i++)
    g_string_append_c (deep, '}');
  g_string_append (deep, "}");
  deep_text = g_string_free (deep, FALSE);
  assert_extract_fails (deep_text, strlen (deep_text));

  for (guint i = 0; i < 30; i++)
    g_string_append (fine, "{\"a\":");
  g_string_append (fine, "[]");
  for (guint i = 0; i < 30; i++)
    g_string_append_c (fine, '}');
  fine_node = g_strdup (fine->str + strlen ("{\"alipay_trade_query_response\":"));
  g_string_append (fine, "}");
  assert_extracts (fine->str, "alipay.trade.query", fine_node, "alipay_trade_query_response",
                   NULL);
  g_string_free (fine, TRUE);
}

/* Random damage to a good answer: the extractor either refuses it cleanly or
 * returns a substring that JSON-GLib reads as an object. */
static void
test_extract_mutations (void)
{
  const char *doc = "{\"alipay_trade_query_response\":" TRICKY_NODE ",\"sign\":\"xyz\"}";
  const char alphabet[] = "{}[]\",:\\ u0e-.9tfn\n";
  gsize len = strlen (doc);

  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *raw = g_strdup (doc);
      g_autofree char *node = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      guint n_changes = g_test_rand_int_range (1, 4);

      for (guint i = 0; i < n_changes; i++)
        {
          int pos = g_test_rand_int_range (0, len);

          raw[pos] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
        }

      node = rd_alipay_extract_response ((const guint8 *) raw, len, "alipay.trade.query",
                                         NULL, NULL, &error);
      if (node == NULL)
        {
          g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
          continue;
        }

      g_assert_nonnull (strstr (raw, node));
      g_assert_true (node[0] == '{' && node[strlen (node) - 1] == '}');
      if (!json_parser_load_from_data (parser, node, -1, &error))
        g_error ("Accepted “%s”, which JSON-GLib refuses: %s", node, error->message);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    }
}

static void
test_open_response (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdRsaKey) alipay = rd_test_gateway_wechatpay_key ();
  g_autoptr(RdRsaKey) other_key = rd_test_gateway_generated_key ();
  g_autoptr(RdRsaPublicKey) cert = rd_test_gateway_wechatpay_cert ();
  g_autoptr(RdRsaPublicKey) other = rd_rsa_key_get_public_key (other_key);
  g_autofree char *response = NULL;
  g_autofree char *error_response = NULL;
  g_autofree char *node = NULL;
  g_autofree char *spaced_sign = NULL;
  g_autofree char *spaced = NULL;
  g_autofree char *tampered = NULL;
  g_autofree char *unsigned_answer = NULL;
  const char *node_text = "{\"code\":\"10000\",\"msg\":\"Success\","
                          "\"trade_no\":\"2013112011001004330000121536\","
                          "\"out_trade_no\":\"6823789339978248\",\"subject\":\"挂号费\","
                          "\"total_amount\":\"12.50\",\"trade_status\":\"TRADE_SUCCESS\"}";
  const char *spaced_node = "{ \"code\": \"10000\",  \"msg\": \"Success\" }";
  gboolean is_error = TRUE;
  char *p;

  response = rd_alipay_build_response (alipay, "alipay.trade.query", node_text, FALSE, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (response, "{\"alipay_trade_query_response\":{\"code\""));

  node = rd_alipay_open_response (cert, (const guint8 *) response, strlen (response),
                                  "alipay.trade.query", &is_error, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (node, ==, node_text);
  g_assert_false (is_error);
  g_clear_pointer (&node, g_free);

  node = rd_alipay_open_response (other, (const guint8 *) response, strlen (response),
                                  "alipay.trade.query", NULL, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_assert_null (node);
  g_clear_error (&error);

  /* One changed amount in the raw text. */
  tampered = g_strdup (response);
  p = strstr (tampered, "12.50");
  p[1] = '3';
  node = rd_alipay_open_response (cert, (const guint8 *) tampered, strlen (tampered),
                                  "alipay.trade.query", NULL, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_clear_error (&error);

  error_response = rd_alipay_build_response (alipay, "alipay.trade.query",
                                             "{\"code\":\"40002\",\"msg\":\"Invalid Arguments\"}",
                                             TRUE, &error);
  g_assert_no_error (error);
  node = rd_alipay_open_response (cert, (const guint8 *) error_response, strlen (error_response),
                                  "alipay.trade.query", &is_error, &error);
  g_assert_no_error (error);
  g_assert_true (is_error);
  g_assert_cmpstr (node, ==, "{\"code\":\"40002\",\"msg\":\"Invalid Arguments\"}");
  g_clear_pointer (&node, g_free);

  /* The signed text is the raw text, blanks and all: re-serialising it
   * would break the signature. */
  spaced_sign = rd_rsa_sign_sha256_base64 (alipay, (const guint8 *) spaced_node,
                                           strlen (spaced_node), &error);
  g_assert_no_error (error);
  spaced = g_strdup_printf ("{\"alipay_trade_query_response\" : %s ,\"sign\":\"%s\"}",
                            spaced_node, spaced_sign);
  node = rd_alipay_open_response (cert, (const guint8 *) spaced, strlen (spaced),
                                  "alipay.trade.query", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (node, ==, spaced_node);
  g_clear_pointer (&node, g_free);

  unsigned_answer = g_strdup ("{\"alipay_trade_query_response\":{\"code\":\"10000\"}}");
  node = rd_alipay_open_response (cert, (const guint8 *) unsigned_answer,
                                  strlen (unsigned_answer), "alipay.trade.query", NULL, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE);
  g_assert_null (node);
  g_clear_error (&error);

  node = rd_alipay_open_response (cert, (const guint8 *) "{\"sign\":\"x\"", 11,
                                  "alipay.trade.query", NULL, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  g_assert_null (node);
}

static void
test_timestamp (void)
{
  g_autoptr(GDateTime) utc = g_date_time_new_utc (2014, 7, 23, 19, 7, 50);
  g_autoptr(GTimeZone) tokyo_zone = g_time_zone_new_offset (9 * 3600);
  g_autoptr(GDateTime) tokyo = g_date_time_to_timezone (utc, tokyo_zone);
  g_autofree char *from_utc = rd_alipay_format_timestamp (utc);
  g_autofree char *from_tokyo = rd_alipay_format_timestamp (tokyo);

  g_assert_cmpstr (from_utc, ==, "2014-07-24 03:07:50");
  g_assert_cmpstr (from_tokyo, ==, "2014-07-24 03:07:50");
}

static void
test_amounts (void)
{
  struct {
    gint64 fen;
    const char *yuan;
  } out[] = {
    { 0, "0.00" }, { 1, "0.01" }, { 10, "0.10" }, { 1250, "12.50" }, { 100000, "1000.00" },
  };
  struct {
    const char *yuan;
    gint64 fen;
  } in[] = {
    { "12.50", 1250 }, { "12.5", 1250 }, { "12", 1200 }, { "0.01", 1 }, { "0", 0 },
    { "88.88", 8888 }, { "-3.00", -300 }, { "-0.01", -1 },
  };
  const char *bad[] = {
    NULL, "", "¥12.50", "12.505", "12.", ".5", "1,000.00", " 12", "12 ", "+1", "--1", "-",
    "1e3", "abc", "99999999999999999999",
  };

  for (guint i = 0; i < G_N_ELEMENTS (out); i++)
    {
      g_autofree char *yuan = rd_alipay_amount_from_fen (out[i].fen);

      g_assert_cmpstr (yuan, ==, out[i].yuan);
    }

  for (guint i = 0; i < G_N_ELEMENTS (in); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 fen = G_MININT64;

      g_assert_true (rd_alipay_amount_to_fen (in[i].yuan, &fen, &error));
      g_assert_no_error (error);
      g_assert_cmpint (fen, ==, in[i].fen);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 fen = 42;

      g_assert_false (rd_alipay_amount_to_fen (bad[i], &fen, &error));
      g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
      g_assert_cmpint (fen, ==, 42);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gateway/alipay/string-to-sign", test_string_to_sign);
  g_test_add_func ("/gateway/alipay/sign-request", test_sign_request);
  g_test_add_func ("/gateway/alipay/form", test_form);
  g_test_add_func ("/gateway/alipay/notification", test_notification);
  g_test_add_func ("/gateway/alipay/node-name", test_node_name);
  g_test_add_func ("/gateway/alipay/extract", test_extract);
  g_test_add_func ("/gateway/alipay/extract-malformed", test_extract_malformed);
  g_test_add_func ("/gateway/alipay/extract-mutations", test_extract_mutations);
  g_test_add_func ("/gateway/alipay/open-response", test_open_response);
  g_test_add_func ("/gateway/alipay/timestamp", test_timestamp);
  g_test_add_func ("/gateway/alipay/amounts", test_amounts);

  return g_test_run ();
}
