/* rd-gateway-sim-sms.c: the simulator's Alibaba Cloud and Tencent Cloud SMS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Both APIs answer at "/" (as on their own hosts): a request with an
 * X-TC-Action header is Tencent's, any other Alibaba Cloud's. Every
 * message accepted is logged (GET /sim/sms) with the OutId or
 * SessionContext the client gave, so tests count deliveries per event.
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <string.h>

#include "rd-aliyun-sign.h"
#include "rd-aliyun-sms.h"
#include "rd-gateway-http.h"
#include "rd-gateway-sim-private.h"
#include "rd-sms-templates.h"
#include "rd-tencent-sign.h"
#include "rd-tencent-sms.h"

/* Both gateways refuse requests signed too long ago (Alibaba Cloud: 15
 * minutes; Tencent: 5). */
#define ALIYUN_CLOCK_SKEW_S  (15 * 60)
#define TENCENT_CLOCK_SKEW_S (5 * 60)

static void
set_json (SoupServerMessage *msg,
          guint              status,
          JsonBuilder       *b)
{
  g_autofree char *json = rd_gateway_json_to_string (b);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json;charset=utf-8", SOUP_MEMORY_COPY,
                                    json, strlen (json));
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

static gboolean
is_mainland_mobile (const char *number)
{
  if (number == NULL || strlen (number) != 11 || number[0] != '1' || number[1] < '3')
    return FALSE;
  for (guint i = 0; i < 11; i++)
    {
      if (!g_ascii_isdigit (number[i]))
        return FALSE;
    }

  return TRUE;
}

static void
log_message (RdGatewaySim       *self,
             RdSmsGateway        gateway,
             const char         *phone,
             RdSmsTemplate       template_,
             const char * const *values,
             const char         *out_id,
             const char         *message_id)
{
  const char * const *names = rd_sms_template_get_param_names (template_);
  g_autoptr(JsonObject) params = json_object_new ();
  g_autofree char *text = NULL;
  JsonObject *entry = json_object_new ();

  for (guint i = 0; names[i] != NULL; i++)
    json_object_set_string_member (params, names[i], values[i]);
  text = rd_sms_template_render (template_, self->sms_sign_name, params, NULL);

  json_object_set_string_member (entry, "gateway", rd_sms_gateway_to_string (gateway));
  json_object_set_string_member (entry, "phone", phone);
  json_object_set_string_member (entry, "template", rd_sms_template_to_string (template_));
  json_object_set_string_member (entry, "template_id",
                                 rd_sms_template_get_default_id (template_, gateway));
  json_object_set_object_member (entry, "params", json_object_ref (params));
  if (out_id != NULL)
    json_object_set_string_member (entry, "out_id", out_id);
  json_object_set_string_member (entry, "message_id", message_id);
  json_object_set_string_member (entry, "text", text != NULL ? text : "");
  json_object_set_int_member (entry, "at", g_get_real_time () / G_USEC_PER_SEC);
  g_ptr_array_add (self->sms_log, entry);
}

JsonNode *
sim_sms_log_to_json (RdGatewaySim *self,
                     const char   *out_id)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < self->sms_log->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (self->sms_log, i);

      if (out_id == NULL
          || g_strcmp0 (json_object_get_string_member_with_default (entry, "out_id", NULL),
                        out_id) == 0)
        json_array_add_object_element (array, json_object_ref (entry));
    }
  json_node_take_array (node, array);

  return node;
}

/* ---- Alibaba Cloud ------------------------------------------------------- */

static void
aliyun_respond (SoupServerMessage *msg,
                guint              status,
                const char        *code,
                const char        *message,
                const char        *biz_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *request_id = g_uuid_string_random ();

  json_builder_begin_object (b);
  add_string (b, "RequestId", request_id);
  if (biz_id != NULL)
    add_string (b, "BizId", biz_id);
  add_string (b, "Code", code);
  add_string (b, "Message", message);
  json_builder_end_object (b);
  set_json (msg, status, b);
}

static GHashTable *
aliyun_params (SoupServerMessage *msg,
               GHashTable        *query,
               GBytes            *body)
{
  if (g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      g_autofree char *form = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

      return soup_form_decode (form);
    }
  if (query != NULL)
    return g_hash_table_ref (query);

  return NULL;
}

/* Checks what every Alibaba Cloud RPC request must carry; FALSE when it
 * answered a refusal. */
static gboolean
aliyun_check_request (RdGatewaySim      *self,
                      SoupServerMessage *msg,
                      GHashTable        *params)
{
  g_autoptr(GHashTable) unsigned_params = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *expected = NULL;
  const char *signature = g_hash_table_lookup (params, "Signature");
  const char *nonce = g_hash_table_lookup (params, "SignatureNonce");
  const char *timestamp = g_hash_table_lookup (params, "Timestamp");
  GHashTableIter iter;
  gpointer key, value;

  if (signature == NULL || nonce == NULL || timestamp == NULL
      || g_strcmp0 (g_hash_table_lookup (params, "SignatureMethod"), "HMAC-SHA1") != 0
      || g_strcmp0 (g_hash_table_lookup (params, "SignatureVersion"), "1.0") != 0)
    {
      self->stats.bad_signatures++;
      aliyun_respond (msg, SOUP_STATUS_BAD_REQUEST, "IncompleteSignature",
                      "The request signature does not conform to Aliyun standards.", NULL);
      return FALSE;
    }
  if (g_strcmp0 (g_hash_table_lookup (params, "AccessKeyId"), self->aliyun_key_id) != 0)
    {
      self->stats.bad_signatures++;
      aliyun_respond (msg, SOUP_STATUS_NOT_FOUND, "InvalidAccessKeyId.NotFound",
                      "Specified access key is not found.", NULL);
      return FALSE;
    }

  unsigned_params = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!g_str_equal (key, "Signature"))
        g_hash_table_insert (unsigned_params, key, value);
    }
  expected = rd_aliyun_rpc_sign (self->aliyun_key_secret, soup_server_message_get_method (msg),
                                 unsigned_params);
  if (!rd_crypto_str_equal (expected, signature))
    {
      self->stats.bad_signatures++;
      aliyun_respond (msg, SOUP_STATUS_BAD_REQUEST, "SignatureDoesNotMatch",
                      "Specified signature is not matched with our calculation.", NULL);
      return FALSE;
    }

  when = g_date_time_new_from_iso8601 (timestamp, NULL);
  if (when == NULL
      || ABS (g_date_time_to_unix (when) - g_get_real_time () / G_USEC_PER_SEC)
         > ALIYUN_CLOCK_SKEW_S)
    {
      aliyun_respond (msg, SOUP_STATUS_BAD_REQUEST, "InvalidTimeStamp.Expired",
                      "Specified time stamp or date value is expired.", NULL);
      return FALSE;
    }
  if (g_hash_table_contains (self->sms_nonces, nonce))
    {
      aliyun_respond (msg, SOUP_STATUS_BAD_REQUEST, "SignatureNonceUsed",
                      "Specified signature nonce was used already.", NULL);
      return FALSE;
    }
  g_hash_table_add (self->sms_nonces, g_strdup (nonce));

  return TRUE;
}

static void
handle_aliyun (RdGatewaySim      *self,
               SoupServerMessage *msg,
               GHashTable        *query,
               GBytes            *body)
{
  g_autoptr(GHashTable) params = aliyun_params (msg, query, body);
  g_autoptr(JsonObject) template_params = NULL;
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *biz_id = NULL;
  const char * const *names;
  const char *phone;
  const char *param_text;
  RdSmsTemplate template_;
  SimFaultHit hit;

  if (params == NULL || g_strcmp0 (g_hash_table_lookup (params, "Action"), "SendSms") != 0
      || g_strcmp0 (g_hash_table_lookup (params, "Version"), RD_ALIYUN_SMS_VERSION) != 0)
    {
      aliyun_respond (msg, SOUP_STATUS_NOT_FOUND, "InvalidAction.NotFound",
                      "Specified api is not found, please check your url and method.", NULL);
      return;
    }

  /* Like the gateway: nothing is done for a request that is not signed. */
  if (!aliyun_check_request (self, msg, params))
    return;

  hit = sim_take_fault (self, SIM_GATEWAY_ALIYUN_SMS, "sms");
  if (hit.fault == RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR && hit.param == 0)
    {
      self->stats.requests++;
      aliyun_respond (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "isp.SYSTEM_ERROR",
                      "系统错误", NULL);
      return;
    }
  if (hit.fault == RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED)
    {
      self->stats.requests++;
      aliyun_respond (msg, SOUP_STATUS_OK, "isv.BUSINESS_LIMIT_CONTROL",
                      "触发分钟级流控Permits:1", NULL);
      return;
    }

  phone = g_hash_table_lookup (params, "PhoneNumbers");
  param_text = g_hash_table_lookup (params, "TemplateParam");
  if (g_strcmp0 (g_hash_table_lookup (params, "SignName"), self->sms_sign_name) != 0)
    {
      aliyun_respond (msg, SOUP_STATUS_OK, "isv.SMS_SIGNATURE_ILLEGAL", "签名不合法", NULL);
      sim_deliver (self, msg, hit);
      return;
    }
  if (!is_mainland_mobile (phone))
    {
      aliyun_respond (msg, SOUP_STATUS_OK, "isv.MOBILE_NUMBER_ILLEGAL", "非法手机号", NULL);
      sim_deliver (self, msg, hit);
      return;
    }
  if (!rd_sms_template_from_default_id (RD_SMS_GATEWAY_ALIYUN,
                                        g_hash_table_lookup (params, "TemplateCode"), &template_))
    {
      aliyun_respond (msg, SOUP_STATUS_OK, "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法", NULL);
      sim_deliver (self, msg, hit);
      return;
    }

  template_params = param_text != NULL
                    ? rd_gateway_json_parse_object (param_text, strlen (param_text), NULL)
                    : NULL;
  names = rd_sms_template_get_param_names (template_);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *value = template_params != NULL
                          ? rd_gateway_json_get_string (template_params, names[i]) : NULL;

      if (value == NULL)
        break;
      g_ptr_array_add (values, g_strdup (value));
    }
  if (values->len != g_strv_length ((char **) names))
    {
      aliyun_respond (msg, SOUP_STATUS_OK, "isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量",
                      NULL);
      sim_deliver (self, msg, hit);
      return;
    }
  g_ptr_array_add (values, NULL);

  biz_id = sim_new_id (self, "");
  {
    g_autofree char *id = g_strconcat (biz_id, "^0", NULL);

    log_message (self, RD_SMS_GATEWAY_ALIYUN, phone, template_,
                 (const char * const *) values->pdata, g_hash_table_lookup (params, "OutId"), id);
    self->stats.sms++;

    /* The work is done, yet the gateway answers that it failed. */
    if (hit.fault == RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR)
      aliyun_respond (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "isp.SYSTEM_ERROR", "系统错误",
                      NULL);
    else
      aliyun_respond (msg, SOUP_STATUS_OK, "OK", "OK", id);
  }
  sim_deliver (self, msg, hit);
}

/* ---- Tencent Cloud ------------------------------------------------------- */

static void
tencent_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *request_id = g_uuid_string_random ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Response");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Error");
  json_builder_begin_object (b);
  add_string (b, "Code", code);
  add_string (b, "Message", message);
  json_builder_end_object (b);
  add_string (b, "RequestId", request_id);
  json_builder_end_object (b);
  json_builder_end_object (b);
  set_json (msg, status, b);
}

/* FALSE when it answered a refusal. */
static gboolean
tencent_check_request (RdGatewaySim      *self,
                       SoupServerMessage *msg,
                       GBytes            *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  const char *content_type = soup_message_headers_get_one (headers, "Content-Type");
  const char *host = soup_message_headers_get_one (headers, "Host");
  const char *ts_text = soup_message_headers_get_one (headers, "X-TC-Timestamp");
  const char *prefix = RD_TENCENT_TC3_ALGORITHM " Credential=";
  g_autofree char *expected = NULL;
  gint64 ts = 0;
  gsize len;

  if (authorization == NULL || !g_str_has_prefix (authorization, prefix)
      || content_type == NULL || host == NULL || ts_text == NULL
      || !g_ascii_string_to_signed (ts_text, 10, 0, G_MAXINT64, &ts, NULL))
    {
      self->stats.bad_signatures++;
      tencent_error (msg, SOUP_STATUS_OK, "AuthFailure.SignatureFailure",
                     "The provided credentials could not be validated.");
      return FALSE;
    }

  len = strlen (self->tencent_secret_id);
  if (strncmp (authorization + strlen (prefix), self->tencent_secret_id, len) != 0
      || authorization[strlen (prefix) + len] != '/')
    {
      self->stats.bad_signatures++;
      tencent_error (msg, SOUP_STATUS_OK, "AuthFailure.SecretIdNotFound",
                     "The SecretId is not found.");
      return FALSE;
    }

  expected = rd_tencent_tc3_authorization (self->tencent_secret_id, self->tencent_secret_key,
                                           "sms", "POST", host, content_type, ts,
                                           g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  if (!rd_crypto_str_equal (expected, authorization))
    {
      self->stats.bad_signatures++;
      tencent_error (msg, SOUP_STATUS_OK, "AuthFailure.SignatureFailure",
                     "The provided credentials could not be validated.");
      return FALSE;
    }
  if (ABS (ts - g_get_real_time () / G_USEC_PER_SEC) > TENCENT_CLOCK_SKEW_S)
    {
      tencent_error (msg, SOUP_STATUS_OK, "AuthFailure.SignatureExpire", "Signature expired.");
      return FALSE;
    }

  return TRUE;
}

static void
handle_tencent (RdGatewaySim      *self,
                SoupServerMessage *msg,
                GBytes            *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *request_id = g_uuid_string_random ();
  JsonNode *phones_node;
  JsonNode *values_node;
  JsonArray *phones;
  const char *session_context;
  RdSmsTemplate template_;
  SimFaultHit hit;

  if (!g_str_equal (soup_server_message_get_method (msg), "POST")
      || g_strcmp0 (soup_message_headers_get_one (headers, "X-TC-Action"), "SendSms") != 0
      || g_strcmp0 (soup_message_headers_get_one (headers, "X-TC-Version"),
                    RD_TENCENT_SMS_VERSION) != 0)
    {
      tencent_error (msg, SOUP_STATUS_OK, "InvalidAction", "The action is not supported.");
      return;
    }

  /* Like the gateway: nothing is done for a request that is not signed. */
  if (!tencent_check_request (self, msg, body))
    return;

  request = rd_gateway_json_parse_object (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                          NULL);
  if (request == NULL)
    {
      tencent_error (msg, SOUP_STATUS_OK, "InvalidParameter", "The body is not JSON.");
      return;
    }

  hit = sim_take_fault (self, SIM_GATEWAY_TENCENT_SMS, "sms");
  if (hit.fault == RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR && hit.param == 0)
    {
      self->stats.requests++;
      tencent_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "InternalError.SystemError",
                     "系统错误");
      return;
    }

  if (g_strcmp0 (rd_gateway_json_get_string (request, "SmsSdkAppId"), self->tencent_app_id) != 0)
    {
      tencent_error (msg, SOUP_STATUS_OK, "InvalidParameterValue.SdkAppIdNotExist",
                     "SdkAppId not exist.");
      sim_deliver (self, msg, hit);
      return;
    }
  if (g_strcmp0 (rd_gateway_json_get_string (request, "SignName"), self->sms_sign_name) != 0)
    {
      tencent_error (msg, SOUP_STATUS_OK, "FailedOperation.SignatureIncorrectOrUnapproved",
                     "签名未审批或格式错误。");
      sim_deliver (self, msg, hit);
      return;
    }
  if (!rd_sms_template_from_default_id (RD_SMS_GATEWAY_TENCENT,
                                        rd_gateway_json_get_string (request, "TemplateId"),
                                        &template_))
    {
      tencent_error (msg, SOUP_STATUS_OK, "FailedOperation.TemplateIncorrectOrUnapproved",
                     "模板未审批或内容不匹配。");
      sim_deliver (self, msg, hit);
      return;
    }

  values_node = json_object_get_member (request, "TemplateParamSet");
  if (values_node != NULL && JSON_NODE_HOLDS_ARRAY (values_node))
    {
      JsonArray *array = json_node_get_array (values_node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_ptr_array_add (values, g_strdup (json_node_get_string (node)));
        }
    }
  if (values->len != g_strv_length ((char **) rd_sms_template_get_param_names (template_)))
    {
      tencent_error (msg, SOUP_STATUS_OK,
                     "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
                     "请求内容与审核通过的模板内容不匹配。");
      sim_deliver (self, msg, hit);
      return;
    }
  g_ptr_array_add (values, NULL);

  phones_node = json_object_get_member (request, "PhoneNumberSet");
  phones = phones_node != NULL && JSON_NODE_HOLDS_ARRAY (phones_node)
           ? json_node_get_array (phones_node) : NULL;
  if (phones == NULL || json_array_get_length (phones) == 0
      || json_array_get_length (phones) > 200)
    {
      tencent_error (msg, SOUP_STATUS_OK, "InvalidParameterValue.IncorrectPhoneNumber",
                     "手机号格式错误。");
      sim_deliver (self, msg, hit);
      return;
    }
  session_context = rd_gateway_json_get_string (request, "SessionContext");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Response");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "SendStatusSet");
  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (phones); i++)
    {
      JsonNode *node = json_array_get_element (phones, i);
      const char *phone = JSON_NODE_HOLDS_VALUE (node)
                          && json_node_get_value_type (node) == G_TYPE_STRING
                          ? json_node_get_string (node) : "";
      g_autofree char *serial = NULL;

      json_builder_begin_object (b);
      add_string (b, "PhoneNumber", phone);
      add_string (b, "SessionContext", session_context != NULL ? session_context : "");
      add_string (b, "IsoCode", "CN");
      if (!g_str_has_prefix (phone, "+86") || !is_mainland_mobile (phone + 3))
        {
          add_string (b, "SerialNo", "");
          json_builder_set_member_name (b, "Fee");
          json_builder_add_int_value (b, 0);
          add_string (b, "Code", "InvalidParameterValue.IncorrectPhoneNumber");
          add_string (b, "Message", "手机号格式错误。");
        }
      else if (hit.fault == RD_GATEWAY_SIM_FAULT_FREQUENCY_LIMITED)
        {
          add_string (b, "SerialNo", "");
          json_builder_set_member_name (b, "Fee");
          json_builder_add_int_value (b, 0);
          add_string (b, "Code", "LimitExceeded.PhoneNumberThirtySecondLimit");
          add_string (b, "Message", "单个手机号30秒内下发短信条数超过设定的上限。");
        }
      else
        {
          g_autofree char *id = sim_new_id (self, "");

          serial = g_strconcat ("2433:", id, NULL);
          log_message (self, RD_SMS_GATEWAY_TENCENT, phone, template_,
                       (const char * const *) values->pdata, session_context, serial);
          self->stats.sms++;
          add_string (b, "SerialNo", serial);
          json_builder_set_member_name (b, "Fee");
          json_builder_add_int_value (b, 1);
          add_string (b, "Code", "Ok");
          add_string (b, "Message", "send success");
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_string (b, "RequestId", request_id);
  json_builder_end_object (b);
  json_builder_end_object (b);

  /* The work is done, yet the gateway answers that it failed. */
  if (hit.fault == RD_GATEWAY_SIM_FAULT_SYSTEM_ERROR)
    tencent_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "InternalError.SystemError",
                   "系统错误");
  else
    set_json (msg, SOUP_STATUS_OK, b);
  sim_deliver (self, msg, hit);
}

static void
handle_root (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  RdGatewaySim *self = user_data;
  g_autoptr(GBytes) body = sim_request_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (!g_str_equal (path, "/"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  if (soup_message_headers_get_one (headers, "X-TC-Action") != NULL)
    handle_tencent (self, msg, body);
  else
    handle_aliyun (self, msg, query, body);
}

void
sim_sms_register (RdGatewaySim *self)
{
  soup_server_add_handler (self->server, "/", handle_root, self, NULL);
}
