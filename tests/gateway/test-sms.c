/* test-sms.c: the SMS templates, both SMS providers' requests byte for byte,
 * and both providers against the gateway simulator over real HTTP
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-aliyun-sms.h"
#include "rd-gateway-error.h"
#include "rd-gateway-http.h"
#include "rd-gateway-sim.h"
#include "rd-sms-provider.h"
#include "rd-sms-templates.h"
#include "rd-tencent-sms.h"

/* Short, so that a delayed answer times out quickly. */
#define CLIENT_TIMEOUT_S 0.4
#define LATE_MS          900

static RdGatewaySim *sim;
static SoupSession *session;

static JsonObject *
refund_params (void)
{
  JsonObject *params = json_object_new ();

  json_object_set_string_member (params, "name", "张三");
  json_object_set_string_member (params, "order_no", "R20241124000123");
  json_object_set_string_member (params, "amount", "12.00");
  json_object_set_string_member (params, "date", "2024-11-24");

  return params;
}

static JsonObject *
booking_params (void)
{
  JsonObject *params = json_object_new ();

  json_object_set_string_member (params, "name", "张三");
  json_object_set_string_member (params, "department", "内科");
  json_object_set_string_member (params, "doctor", "李明");
  json_object_set_string_member (params, "date", "2024-11-24");
  json_object_set_string_member (params, "time", "08:30");
  /* The outbox stores the queue number as a JSON number. */
  json_object_set_int_member (params, "queue_no", 3);
  json_object_set_string_member (params, "fee", "12.00");
  json_object_set_string_member (params, "order_no", "R20241124000123");

  return params;
}

/* ---- Templates -------------------------------------------------------------- */

static void
test_templates_names (void)
{
  RdSmsTemplate t;
  RdSmsGateway g;

  for (guint i = 0; i < RD_SMS_N_TEMPLATES; i++)
    {
      g_assert_true (rd_sms_template_from_string (rd_sms_template_to_string (i), &t));
      g_assert_cmpint (t, ==, i);
      g_assert_true (rd_sms_template_from_default_id (RD_SMS_GATEWAY_TENCENT,
                                                      rd_sms_template_get_default_id (
                                                        i, RD_SMS_GATEWAY_TENCENT), &t));
      g_assert_cmpint (t, ==, i);
    }
  g_assert_false (rd_sms_template_from_string ("booking", &t));
  g_assert_cmpstr (rd_sms_template_to_string (RD_SMS_TEMPLATE_WAITLIST_GRANTED), ==,
                   "waitlist_granted");
  g_assert_true (rd_sms_gateway_from_string ("tencent", &g));
  g_assert_cmpint (g, ==, RD_SMS_GATEWAY_TENCENT);
  g_assert_false (rd_sms_gateway_from_string ("huawei", &g));
}

static void
test_templates_values (void)
{
  g_autoptr(JsonObject) params = booking_params ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) values = NULL;
  const char * const expected[] = {
    "张三", "内科", "李明", "2024-11-24", "08:30", "3", "12.00", "R20241124000123", NULL
  };

  values = rd_sms_template_get_values (RD_SMS_TEMPLATE_BOOKING_CONFIRMED, params, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (values, expected);
  g_assert_cmpstr (rd_sms_template_get_param_names (RD_SMS_TEMPLATE_BOOKING_CONFIRMED)[5], ==,
                   "queue_no");

  /* A reminder needs no fee or order number; a refund needs its amount. */
  g_clear_pointer (&values, g_strfreev);
  values = rd_sms_template_get_values (RD_SMS_TEMPLATE_REMINDER, params, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (values), ==, 3);
  g_clear_pointer (&values, g_strfreev);
  values = rd_sms_template_get_values (RD_SMS_TEMPLATE_REFUND_DONE, params, &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "amount"));
  g_assert_null (values);
}

static void
test_templates_render (void)
{
  g_autoptr(JsonObject) booking = booking_params ();
  g_autoptr(JsonObject) refund = refund_params ();
  g_autofree char *text = NULL;
  g_autofree char *refund_text = NULL;
  g_autoptr(GError) error = NULL;

  text = rd_sms_template_render (RD_SMS_TEMPLATE_BOOKING_CONFIRMED, "某医院", booking, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==,
                   "【某医院】张三您好，您已预约11月24日 08:30 内科 李明医生，第3号，"
                   "挂号费12.00元，订单号R20241124000123。请按时就诊。");

  refund_text = rd_sms_template_render (RD_SMS_TEMPLATE_REFUND_DONE, NULL, refund, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (refund_text, ==,
                   "张三您好，您订单R20241124000123的12.00元退款已退回原支付账户，请注意查收。");
}

/* ---- Requests, byte for byte ----------------------------------------------- */

static void
test_aliyun_vector (void)
{
  g_autoptr(GHashTable) params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *query = NULL;

  /* The published vector (GET, Format=XML). */
  g_hash_table_insert (params, g_strdup ("AccessKeyId"), g_strdup ("testId"));
  g_hash_table_insert (params, g_strdup ("Action"), g_strdup ("SendSms"));
  g_hash_table_insert (params, g_strdup ("Format"), g_strdup ("XML"));
  g_hash_table_insert (params, g_strdup ("OutId"), g_strdup ("123"));
  g_hash_table_insert (params, g_strdup ("PhoneNumbers"), g_strdup ("15300000001"));
  g_hash_table_insert (params, g_strdup ("RegionId"), g_strdup ("cn-hangzhou"));
  g_hash_table_insert (params, g_strdup ("SignName"), g_strdup ("阿里云短信测试专用"));
  g_hash_table_insert (params, g_strdup ("SignatureMethod"), g_strdup ("HMAC-SHA1"));
  g_hash_table_insert (params, g_strdup ("SignatureNonce"),
                       g_strdup ("45e25e9b-0a6f-4070-8c85-2956eda1b466"));
  g_hash_table_insert (params, g_strdup ("SignatureVersion"), g_strdup ("1.0"));
  g_hash_table_insert (params, g_strdup ("TemplateCode"), g_strdup ("SMS_71390007"));
  g_hash_table_insert (params, g_strdup ("TemplateParam"), g_strdup ("{\"customer\":\"test\"}"));
  g_hash_table_insert (params, g_strdup ("Timestamp"), g_strdup ("2017-07-12T02:42:19Z"));
  g_hash_table_insert (params, g_strdup ("Version"), g_strdup ("2017-05-25"));
  /* A stale Signature is never signed. */
  g_hash_table_insert (params, g_strdup ("Signature"), g_strdup ("stale"));

  query = rd_aliyun_sms_signed_query (params, "testSecret", "GET");
  g_assert_cmpstr (query, ==,
                   "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123"
                   "&PhoneNumbers=15300000001&RegionId=cn-hangzhou"
                   "&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95"
                   "%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1"
                   "&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0"
                   "&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D"
                   "&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25"
                   "&Signature=zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D");
}

static void
test_aliyun_request (void)
{
  g_autoptr(JsonObject) params = refund_params ();
  g_auto(GStrv) values = rd_sms_template_get_values (RD_SMS_TEMPLATE_REFUND_DONE, params, NULL);
  g_autoptr(GDateTime) when = g_date_time_new_utc (2024, 11, 24, 2, 30, 0);
  g_autoptr(GHashTable) table = NULL;
  g_autofree char *body = NULL;
  g_autofree char *phone = NULL;
  RdSmsRequest request = {
    .phone = "+8613800138000",
    .template_id = "SMS_480000005",
    .param_names = rd_sms_template_get_param_names (RD_SMS_TEMPLATE_REFUND_DONE),
    .param_values = (const char * const *) values,
    .out_id = "refund_done:42",
  };

  table = rd_aliyun_sms_build_params ("LTAItestid", "某医院", &request, "nonce0001", when);
  g_assert_cmpstr (g_hash_table_lookup (table, "PhoneNumbers"), ==, "13800138000");
  g_assert_cmpstr (g_hash_table_lookup (table, "TemplateParam"), ==,
                   "{\"name\":\"张三\",\"order_no\":\"R20241124000123\",\"amount\":\"12.00\"}");
  g_assert_cmpuint (g_hash_table_size (table), ==, 14);

  /* Expected from an independent implementation of RPC signature v1. */
  body = rd_aliyun_sms_signed_query (table, "testSecret", "POST");
  g_assert_cmpstr (body, ==,
                   "AccessKeyId=LTAItestid&Action=SendSms&Format=JSON&OutId=refund_done%3A42"
                   "&PhoneNumbers=13800138000&RegionId=cn-hangzhou&SignName=%E6%9F%90%E5%8C%BB"
                   "%E9%99%A2&SignatureMethod=HMAC-SHA1&SignatureNonce=nonce0001"
                   "&SignatureVersion=1.0&TemplateCode=SMS_480000005&TemplateParam=%7B%22name"
                   "%22%3A%22%E5%BC%A0%E4%B8%89%22%2C%22order_no%22%3A%22R20241124000123%22%2C"
                   "%22amount%22%3A%2212.00%22%7D"
                   "&Timestamp=2024-11-24T02%3A30%3A00Z&Version=2017-05-25"
                   "&Signature=BLojF%2BVXxTEfHuUSZpH6vOtxouM%3D");

  phone = rd_aliyun_sms_phone_number ("+85261234567");
  g_assert_cmpstr (phone, ==, "0085261234567");
}

static void
test_tencent_request (void)
{
  g_autoptr(JsonObject) params = refund_params ();
  g_auto(GStrv) values = rd_sms_template_get_values (RD_SMS_TEMPLATE_REFUND_DONE, params, NULL);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  g_autoptr(GUri) uri = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *host = NULL;
  RdSmsRequest request = {
    .phone = "13800138000",
    .template_id = "2480005",
    .param_names = rd_sms_template_get_param_names (RD_SMS_TEMPLATE_REFUND_DONE),
    .param_values = (const char * const *) values,
    .out_id = "refund_done:42",
  };

  payload = rd_tencent_sms_build_payload ("1400000001", "某医院", &request);
  g_assert_cmpstr (payload, ==,
                   "{\"PhoneNumberSet\":[\"+8613800138000\"],\"SmsSdkAppId\":\"1400000001\","
                   "\"SignName\":\"某医院\",\"TemplateId\":\"2480005\",\"TemplateParamSet\":"
                   "[\"张三\",\"R20241124000123\",\"12.00\"],"
                   "\"SessionContext\":\"refund_done:42\"}");

  /* Expected from an independent implementation of TC3-HMAC-SHA256. */
  rd_tencent_sms_sign_headers (headers, "AKIDtest", "tencentTestKey", "sms.tencentcloudapi.com",
                               1732415400, payload);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Authorization"), ==,
                   "TC3-HMAC-SHA256 Credential=AKIDtest/2024-11-24/sms/tc3_request, "
                   "SignedHeaders=content-type;host, "
                   "Signature=1006f041a0fcc88a672e64fc71899527b89fa9f1d7a340f4c68459d0b99b4eab");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "X-TC-Action"), ==, "SendSms");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "X-TC-Version"), ==, "2021-01-11");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "X-TC-Timestamp"), ==, "1732415400");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "X-TC-Region"), ==, "ap-guangzhou");

  uri = g_uri_parse ("http://127.0.0.1:8990/", G_URI_FLAGS_NONE, NULL);
  host = rd_tencent_sms_host (uri);
  g_assert_cmpstr (host, ==, "127.0.0.1:8990");
  g_clear_pointer (&host, g_free);
  g_clear_pointer (&uri, g_uri_unref);
  uri = g_uri_parse ("https://sms.tencentcloudapi.com", G_URI_FLAGS_NONE, NULL);
  host = rd_tencent_sms_host (uri);
  g_assert_cmpstr (host, ==, "sms.tencentcloudapi.com");
}

/* ---- Against the simulator ------------------------------------------------- */

typedef struct
{
  RdSmsGateway   gateway;
  RdSmsProvider *provider;
} Fixture;

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static RdSmsProvider *
provider_from (GKeyFile     *kf,
               RdSmsGateway  gateway)
{
  g_autoptr(RdGatewayCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  RdSmsProvider *provider;

  g_key_file_set_double (kf, "aliyun-sms", "timeout", CLIENT_TIMEOUT_S);
  g_key_file_set_double (kf, "tencent-sms", "timeout", CLIENT_TIMEOUT_S);
  credentials = rd_gateway_credentials_new_from_key_file (kf, NULL, &error);
  g_assert_no_error (error);

  if (gateway == RD_SMS_GATEWAY_ALIYUN)
    provider = RD_SMS_PROVIDER (rd_aliyun_sms_new (session, credentials, &error));
  else
    provider = RD_SMS_PROVIDER (rd_tencent_sms_new (session, credentials, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rd_sms_provider_get_gateway (provider), ==, gateway);

  return provider;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GKeyFile) kf = rd_gateway_sim_create_key_file (sim);

  rd_gateway_sim_reset (sim);
  f->gateway = GPOINTER_TO_INT (data);
  f->provider = provider_from (kf, f->gateway);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->provider);
}

/* Sends and waits: the message id, or NULL with error set. */
static char *
send_sms (RdSmsProvider  *provider,
          const char     *phone,
          RdSmsTemplate   template_,
          JsonObject     *params,
          const char     *out_id,
          GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  rd_sms_provider_send_async (provider, phone, template_, params, out_id, NULL, got_result,
                              &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return rd_sms_provider_send_finish (provider, result, error);
}

static void
fault (const char        *gateway,
       RdGatewaySimFault  kind,
       guint              param)
{
  g_autofree char *match = g_strconcat (gateway, ":sms", NULL);

  rd_gateway_sim_add_fault (sim, kind, match, 1, param);
}

static void
test_sim_success (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) params = booking_params ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *other = NULL;
  RdGatewaySimStats stats;

  id = send_sms (f->provider, "13800138000", RD_SMS_TEMPLATE_BOOKING_CONFIRMED, params,
                 "booking_confirmed:7", &error);
  g_assert_no_error (error);
  g_assert_nonnull (id);
  g_assert_true (f->gateway == RD_SMS_GATEWAY_ALIYUN ? g_str_has_suffix (id, "^0")
                                                     : g_str_has_prefix (id, "2433:"));
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "booking_confirmed:7"), ==, 1);

  /* Another event to the same number: counted apart. */
  other = send_sms (f->provider, "+8613800138000", RD_SMS_TEMPLATE_REMINDER, params,
                    "reminder:7", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (id, !=, other);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "booking_confirmed:7"), ==, 1);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, NULL), ==, 2);

  rd_gateway_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.sms, ==, 2);
  g_assert_cmpuint (stats.bad_signatures, ==, 0);
}

/* GET /sim/sms shows what the patient got, as the provider sent it. */
static void
test_sim_log_endpoint (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) params = booking_params ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *log;
  JsonObject *entry;

  id = send_sms (f->provider, "13900139000", RD_SMS_TEMPLATE_BOOKING_CONFIRMED, params,
                 "booking_confirmed:8", &error);
  g_assert_no_error (error);
  g_clear_pointer (&id, g_free);
  id = send_sms (f->provider, "13900139000", RD_SMS_TEMPLATE_REMINDER, params, "reminder:8",
                 &error);
  g_assert_no_error (error);

  url = g_strconcat (rd_gateway_sim_get_base_url (sim), "/sim/sms?out_id=reminder:8", NULL);
  msg = soup_message_new ("GET", url);
  /* Asynchronously: the simulator answers on this thread's main context. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, got_result,
                                      &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    body = soup_session_send_and_read_finish (session, result, &error);
  }
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                              &error);
  g_assert_no_error (error);
  log = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (log), ==, 1);
  entry = json_array_get_object_element (log, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "template"), ==, "reminder");
  g_assert_cmpstr (json_object_get_string_member (entry, "message_id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (entry, "phone"), ==,
                   f->gateway == RD_SMS_GATEWAY_ALIYUN ? "13900139000" : "+8613900139000");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (entry, "params"), "time"), ==, "08:30");
  g_assert_cmpstr (json_object_get_string_member (entry, "text"), ==,
                   "【某医院】张三您好，提醒您明天（11月24日）08:30就诊，请携带证件按时到院。");
}

static void
test_sim_system_error (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) params = refund_params ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *name = rd_sms_gateway_to_string (f->gateway);

  fault (name, RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR, 0);
  id = send_sms (f->provider, "13800138000", RD_SMS_TEMPLATE_REFUND_DONE, params,
                 "refund_done:1", &error);
  g_assert_null (id);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_RETRY);
  g_assert_true (rd_gateway_error_is_retryable (error));
  g_assert_cmpuint (rd_gateway_error_get_http_status (error), ==, 500);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, NULL), ==, 0);
  g_clear_error (&error);

  /* The same message again, the fault spent: delivered once. */
  id = send_sms (f->provider, "13800138000", RD_SMS_TEMPLATE_REFUND_DONE, params,
                 "refund_done:1", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "refund_done:1"), ==, 1);
}

static void
test_sim_rate_limited (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) params = refund_params ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  fault (rd_sms_gateway_to_string (f->gateway), RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED, 0);
  id = send_sms (f->provider, "13800138000", RD_SMS_TEMPLATE_REFUND_DONE, params,
                 "refund_done:2", &error);
  g_assert_null (id);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BUSY);
  g_assert_true (rd_sms_error_is_rate_limited (error));
  g_assert_true (rd_gateway_error_is_retryable (error));
  g_assert_cmpstr (rd_gateway_error_get_gateway_code (error), ==,
                   f->gateway == RD_SMS_GATEWAY_ALIYUN
                   ? "isv.BUSINESS_LIMIT_CONTROL" : "LimitExceeded.PhoneNumberThirtySecondLimit");
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, NULL), ==, 0);
}

static void
test_sim_late_and_dropped (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(JsonObject) params = refund_params ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *name = rd_sms_gateway_to_string (f->gateway);

  /* The message leaves, the answer does not come back in time. */
  fault (name, RD_GATEWAY_SIM_FAULT_DELAY, LATE_MS);
  id = send_sms (f->provider, "13800138000", RD_SMS_TEMPLATE_REFUND_DONE, params,
                 "refund_done:3", &error);
  g_assert_null (id);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_TIMEOUT);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, "refund_done:3"), ==, 1);
  g_clear_error (&error);

  fault (name, RD_GATEWAY_SIM_FAULT_DROP_AFTER, 0);
  id = send_sms (f->provider, "13800138000", RD_SMS_TEMPLATE_REFUND_DONE, params,
                 "refund_done:4", &error);
  g_assert_null (id);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_NETWORK);
  g_assert_true (rd_gateway_error_is_retryable (error));
}

static void
test_sim_bad_signature (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GKeyFile) kf = rd_gateway_sim_create_key_file (sim);
  g_autoptr(RdSmsProvider) forger = NULL;
  g_autoptr(JsonObject) params = refund_params ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  RdGatewaySimStats stats;

  g_key_file_set_string (kf, "aliyun-sms", "access_key_secret", "not-the-secret");
  g_key_file_set_string (kf, "tencent-sms", "secret_key", "not-the-secret");
  forger = provider_from (kf, f->gateway);

  id = send_sms (forger, "13800138000", RD_SMS_TEMPLATE_REFUND_DONE, params, "refund_done:5",
                 &error);
  g_assert_null (id);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY);
  g_assert_false (rd_gateway_error_is_retryable (error));
  g_assert_cmpstr (rd_gateway_error_get_gateway_code (error), ==,
                   f->gateway == RD_SMS_GATEWAY_ALIYUN ? "SignatureDoesNotMatch"
                                                       : "AuthFailure.SignatureFailure");
  rd_gateway_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.bad_signatures, ==, 1);
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, NULL), ==, 0);
}

static void
test_sim_refusals (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) params = refund_params ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  /* A number the gateway does not take: final, with its code. */
  id = send_sms (f->provider, "+12025550123", RD_SMS_TEMPLATE_REFUND_DONE, params,
                 "refund_done:6", &error);
  g_assert_null (id);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED);
  g_assert_cmpstr (rd_gateway_error_get_gateway_code (error), ==,
                   f->gateway == RD_SMS_GATEWAY_ALIYUN
                   ? "isv.MOBILE_NUMBER_ILLEGAL" : "InvalidParameterValue.IncorrectPhoneNumber");
  g_clear_error (&error);

  /* A template code the account does not have. */
  rd_sms_provider_set_template_id (f->provider, RD_SMS_TEMPLATE_REFUND_DONE, "SMS_0");
  g_assert_cmpstr (rd_sms_provider_get_template_id (f->provider, RD_SMS_TEMPLATE_REFUND_DONE),
                   ==, "SMS_0");
  id = send_sms (f->provider, "13800138000", RD_SMS_TEMPLATE_REFUND_DONE, params,
                 "refund_done:6", &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_REJECTED);
  g_assert_false (rd_gateway_error_is_retryable (error));
  g_assert_cmpuint (rd_gateway_sim_count_sms (sim, NULL), ==, 0);
}

/* ---- A gateway that answers nonsense ------------------------------------------ */

static void
handle_nonsense (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  const char *body = GPOINTER_TO_INT (user_data) ? "{\"Foo\":1}" : "<html>oops</html>";

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC, body, strlen (body));
}

static void
test_malformed_response (void)
{
  for (guint which = 0; which < 2; which++)
    {
      g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
      g_autoptr(GKeyFile) kf = rd_gateway_sim_create_key_file (sim);
      g_autoptr(RdSmsProvider) provider = NULL;
      g_autoptr(JsonObject) params = refund_params ();
      g_autoptr(GError) error = NULL;
      g_autofree char *url = NULL;
      g_autofree char *id = NULL;
      GSList *uris;

      soup_server_add_handler (server, "/", handle_nonsense, GINT_TO_POINTER (which), NULL);
      soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
      g_assert_no_error (error);
      uris = soup_server_get_uris (server);
      url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

      for (RdSmsGateway gateway = RD_SMS_GATEWAY_ALIYUN; gateway <= RD_SMS_GATEWAY_TENCENT;
           gateway++)
        {
          g_key_file_set_string (kf, "aliyun-sms", "base_url", url);
          g_key_file_set_string (kf, "tencent-sms", "base_url", url);
          g_clear_object (&provider);
          provider = provider_from (kf, gateway);

          id = send_sms (provider, "13800138000", RD_SMS_TEMPLATE_REFUND_DONE, params, NULL,
                         &error);
          g_assert_null (id);
          g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
          g_assert_false (rd_gateway_error_is_retryable (error));
          g_test_message ("%s: %s", rd_sms_gateway_to_string (gateway), error->message);
          g_assert_nonnull (strstr (error->message, gateway == RD_SMS_GATEWAY_ALIYUN
                                                    ? "Alibaba Cloud" : "Tencent Cloud"));
          g_clear_error (&error);
        }
      soup_server_disconnect (server);
    }
}

/* A refused template parameter never leaves the machine. */
static void
test_missing_parameter (void)
{
  g_autoptr(GKeyFile) kf = rd_gateway_sim_create_key_file (sim);
  g_autoptr(RdSmsProvider) provider = provider_from (kf, RD_SMS_GATEWAY_TENCENT);
  g_autoptr(JsonObject) params = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  RdGatewaySimStats stats;

  rd_gateway_sim_reset (sim);
  json_object_set_string_member (params, "name", "张三");
  id = send_sms (provider, "13800138000", RD_SMS_TEMPLATE_SESSION_SUSPENDED, params, NULL,
                 &error);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED);
  rd_gateway_sim_get_stats (sim, &stats);
  g_assert_cmpuint (stats.requests, ==, 0);
}

static void
test_template_ids_from_key_file (void)
{
  g_autoptr(GKeyFile) kf = rd_gateway_sim_create_key_file (sim);
  g_autoptr(RdSmsProvider) provider = provider_from (kf, RD_SMS_GATEWAY_ALIYUN);
  g_autoptr(GKeyFile) ids = g_key_file_new ();

  g_key_file_set_string (ids, "aliyun-sms", "template_reminder", " SMS_123456789 ");
  g_key_file_set_string (ids, "tencent-sms", "template_reminder", "1234567");
  rd_sms_provider_load_template_ids (provider, ids);
  g_assert_cmpstr (rd_sms_provider_get_template_id (provider, RD_SMS_TEMPLATE_REMINDER), ==,
                   "SMS_123456789");
  g_assert_cmpstr (rd_sms_provider_get_template_id (provider, RD_SMS_TEMPLATE_REFUND_DONE), ==,
                   rd_sms_template_get_default_id (RD_SMS_TEMPLATE_REFUND_DONE,
                                                   RD_SMS_GATEWAY_ALIYUN));
}

static void
add_sim_test (const char     *name,
              RdSmsGateway    gateway,
              void          (*func) (Fixture *, gconstpointer))
{
  g_autofree char *path = g_strdup_printf ("/sms/sim/%s/%s", rd_sms_gateway_to_string (gateway),
                                           name);

  g_test_add (path, Fixture, GINT_TO_POINTER (gateway), fixture_setup, func, fixture_teardown);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  sim = rd_gateway_sim_new (&error);
  g_assert_no_error (error);
  rd_gateway_sim_start (sim, 0, &error);
  g_assert_no_error (error);
  session = rd_gateway_session_new ();

  g_test_add_func ("/sms/templates/names", test_templates_names);
  g_test_add_func ("/sms/templates/values", test_templates_values);
  g_test_add_func ("/sms/templates/render", test_templates_render);
  g_test_add_func ("/sms/aliyun/vector", test_aliyun_vector);
  g_test_add_func ("/sms/aliyun/request", test_aliyun_request);
  g_test_add_func ("/sms/tencent/request", test_tencent_request);
  for (RdSmsGateway gateway = RD_SMS_GATEWAY_ALIYUN; gateway <= RD_SMS_GATEWAY_TENCENT; gateway++)
    {
      add_sim_test ("success", gateway, test_sim_success);
      add_sim_test ("log-endpoint", gateway, test_sim_log_endpoint);
      add_sim_test ("system-error", gateway, test_sim_system_error);
      add_sim_test ("rate-limited", gateway, test_sim_rate_limited);
      add_sim_test ("late-and-dropped", gateway, test_sim_late_and_dropped);
      add_sim_test ("bad-signature", gateway, test_sim_bad_signature);
      add_sim_test ("refusals", gateway, test_sim_refusals);
    }
  g_test_add_func ("/sms/malformed-response", test_malformed_response);
  g_test_add_func ("/sms/missing-parameter", test_missing_parameter);
  g_test_add_func ("/sms/template-ids", test_template_ids_from_key_file);

  status = g_test_run ();

  rd_gateway_sim_stop (sim);
  g_clear_object (&sim);
  g_clear_object (&session);

  return status;
}
