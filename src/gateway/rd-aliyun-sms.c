/* rd-aliyun-sms.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-aliyun-sign.h"
#include "rd-aliyun-sms.h"
#include "rd-crypto.h"
#include "rd-gateway-error.h"
#include "rd-gateway-http.h"

struct _RdAliyunSms
{
  GObject                  parent_instance;

  SoupSession             *session;
  RdGatewayCredentials    *credentials;
  const RdAliyunSmsConfig *config;
};

static void sms_provider_iface_init (RdSmsProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RdAliyunSms, rd_aliyun_sms, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RD_TYPE_SMS_PROVIDER,
                                                      sms_provider_iface_init))

/* What an error Code means for the message. The documented codes are in
 * GATEWAYS.md; the request-level ones (signature, throttling) are those of
 * every Alibaba Cloud RPC API. */
static RdGatewayError
classify_code (const char *code,
               guint       status)
{
  if (code == NULL)
    return status >= 500 ? RD_GATEWAY_ERROR_RETRY : RD_GATEWAY_ERROR_BAD_RESPONSE;
  if (g_str_equal (code, "isv.BUSINESS_LIMIT_CONTROL")
      || g_str_equal (code, "isv.DAY_LIMIT_CONTROL") || g_str_has_prefix (code, "Throttling") || status == 429)
    return RD_GATEWAY_ERROR_BUSY;
  if (g_str_has_prefix (code, "isp.") || g_str_equal (code, "InternalError")
      || g_str_equal (code, "ServiceUnavailable") || g_str_equal (code, "SignatureNonceUsed")
      || g_str_has_prefix (code, "InvalidTimeStamp") || status >= 500)
    return RD_GATEWAY_ERROR_RETRY;
  if (g_str_equal (code, "SignatureDoesNotMatch") || g_str_equal (code, "IncompleteSignature")
      || g_str_has_prefix (code, "InvalidAccessKeyId") || g_str_equal (code, "Forbidden.RAM"))
    return RD_GATEWAY_ERROR_KEY;

  return RD_GATEWAY_ERROR_REJECTED;
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdHttpResponse) response = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  const char *code;
  const char *message;
  const char *biz_id;
  const char *data;
  gsize len;

  response = rd_gateway_http_send_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_bytes_get_data (response->body, &len);
  answer = rd_gateway_json_parse_object (data != NULL ? data : "", len, NULL);
  if (answer == NULL)
    {
      g_task_return_error (task, rd_gateway_error_new_from_gateway (
        response->status >= 500 ? RD_GATEWAY_ERROR_RETRY : RD_GATEWAY_ERROR_BAD_RESPONSE,
        NULL, response->status,
        _("Alibaba Cloud SMS answered HTTP %u with something that is not a JSON object"),
        response->status));
      return;
    }

  code = rd_gateway_json_get_string (answer, "Code");
  message = rd_gateway_json_get_string (answer, "Message");
  biz_id = rd_gateway_json_get_string (answer, "BizId");

  if (response->status == 200 && g_strcmp0 (code, "OK") == 0)
    {
      if (biz_id == NULL || *biz_id == '\0')
        g_task_return_error (task, rd_gateway_error_new_from_gateway (
          RD_GATEWAY_ERROR_BAD_RESPONSE, code, response->status,
          _("Alibaba Cloud SMS accepted the message without giving its BizId")));
      else
        g_task_return_pointer (task, g_strdup (biz_id), g_free);
      return;
    }

  if (code == NULL)
    {
      g_task_return_error (task, rd_gateway_error_new_from_gateway (
        classify_code (NULL, response->status), NULL, response->status,
        _("Alibaba Cloud SMS answered HTTP %u without a Code"), response->status));
      return;
    }

  g_task_return_error (task, rd_gateway_error_new_from_gateway (
    classify_code (code, response->status), code, response->status,
    _("Alibaba Cloud SMS says %s: %s"), code,
    message != NULL ? message : soup_status_get_phrase (response->status)));
}

static RdSmsGateway
rd_aliyun_sms_get_gateway (RdSmsProvider *provider)
{
  return RD_SMS_GATEWAY_ALIYUN;
}

static const char *
rd_aliyun_sms_get_sign_name (RdSmsProvider *provider)
{
  return RD_ALIYUN_SMS (provider)->config->sign_name;
}

static void
rd_aliyun_sms_send_request_async (RdSmsProvider       *provider,
                                  const RdSmsRequest  *request,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  RdAliyunSms *self = RD_ALIYUN_SMS (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *nonce = rd_crypto_nonce ();
  char *body;

  g_task_set_source_tag (task, rd_aliyun_sms_send_request_async);

  msg = soup_message_new ("POST", self->config->base_url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                               _("“%s” is not a valid Alibaba Cloud SMS address"),
                               self->config->base_url);
      return;
    }

  params = rd_aliyun_sms_build_params (self->config->access_key_id, self->config->sign_name,
                                       request, nonce, now);
  body = rd_aliyun_sms_signed_query (params, self->config->access_key_secret, "POST");
  bytes = g_bytes_new_take (body, strlen (body));
  soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");

  rd_gateway_http_send_async (self->session, msg, self->config->timeout_ms, cancellable,
                              send_cb, g_steal_pointer (&task));
}

static void
sms_provider_iface_init (RdSmsProviderInterface *iface)
{
  iface->get_gateway = rd_aliyun_sms_get_gateway;
  iface->get_sign_name = rd_aliyun_sms_get_sign_name;
  iface->send_request_async = rd_aliyun_sms_send_request_async;
}

static void
rd_aliyun_sms_dispose (GObject *object)
{
  RdAliyunSms *self = (RdAliyunSms *) object;

  g_clear_object (&self->session);
  g_clear_object (&self->credentials);
  self->config = NULL;

  G_OBJECT_CLASS (rd_aliyun_sms_parent_class)->dispose (object);
}

static void
rd_aliyun_sms_class_init (RdAliyunSmsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_aliyun_sms_dispose;
}

static void
rd_aliyun_sms_init (RdAliyunSms *self)
{
}

RdAliyunSms *
rd_aliyun_sms_new (SoupSession           *session,
                   RdGatewayCredentials  *credentials,
                   GError               **error)
{
  g_autoptr(RdAliyunSms) self = NULL;
  const RdAliyunSmsConfig *config;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (RD_IS_GATEWAY_CREDENTIALS (credentials), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  config = rd_gateway_credentials_get_aliyun_sms (credentials);
  if (config == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The credentials have no [%s] group"), "aliyun-sms");
      return NULL;
    }

  self = g_object_new (RD_TYPE_ALIYUN_SMS, NULL);
  self->session = g_object_ref (session);
  self->credentials = g_object_ref (credentials);
  self->config = config;

  return g_steal_pointer (&self);
}

char *
rd_aliyun_sms_phone_number (const char *phone)
{
  g_return_val_if_fail (phone != NULL, NULL);

  if (g_str_has_prefix (phone, "+86"))
    return g_strdup (phone + 3);
  if (phone[0] == '+')
    return g_strconcat ("00", phone + 1, NULL);

  return g_strdup (phone);
}

char *
rd_aliyun_sms_template_param (const char * const *names,
                              const char * const *values)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (names != NULL && values != NULL, NULL);

  json_builder_begin_object (builder);
  for (guint i = 0; names[i] != NULL; i++)
    {
      json_builder_set_member_name (builder, names[i]);
      json_builder_add_string_value (builder, values[i]);
    }
  json_builder_end_object (builder);

  return rd_gateway_json_to_string (builder);
}

static void
put (GHashTable *params,
     const char *key,
     char       *value)
{
  g_hash_table_insert (params, g_strdup (key), value);
}

GHashTable *
rd_aliyun_sms_build_params (const char         *access_key_id,
                            const char         *sign_name,
                            const RdSmsRequest *request,
                            const char         *nonce,
                            GDateTime          *timestamp)
{
  GHashTable *params;

  g_return_val_if_fail (access_key_id != NULL && sign_name != NULL, NULL);
  g_return_val_if_fail (request != NULL && request->phone != NULL, NULL);
  g_return_val_if_fail (nonce != NULL && timestamp != NULL, NULL);

  params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  put (params, "AccessKeyId", g_strdup (access_key_id));
  put (params, "Action", g_strdup ("SendSms"));
  put (params, "Format", g_strdup ("JSON"));
  put (params, "RegionId", g_strdup ("cn-hangzhou"));
  put (params, "SignatureMethod", g_strdup ("HMAC-SHA1"));
  put (params, "SignatureNonce", g_strdup (nonce));
  put (params, "SignatureVersion", g_strdup ("1.0"));
  {
    g_autoptr(GDateTime) utc = g_date_time_to_utc (timestamp);

    put (params, "Timestamp", g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ"));
  }
  put (params, "Version", g_strdup (RD_ALIYUN_SMS_VERSION));
  put (params, "PhoneNumbers", rd_aliyun_sms_phone_number (request->phone));
  put (params, "SignName", g_strdup (sign_name));
  put (params, "TemplateCode", g_strdup (request->template_id));
  put (params, "TemplateParam",
       rd_aliyun_sms_template_param (request->param_names, request->param_values));
  if (request->out_id != NULL && *request->out_id != '\0')
    put (params, "OutId", g_strdup (request->out_id));

  return params;
}

char *
rd_aliyun_sms_signed_query (GHashTable *params,
                            const char *access_key_secret,
                            const char *method)
{
  g_autofree char *signature = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *canonical = NULL;
  g_autoptr(GHashTable) unsigned_params = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (params != NULL && access_key_secret != NULL && method != NULL, NULL);

  /* Signature itself is never part of what is signed. */
  unsigned_params = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_iter_init (&iter, params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!g_str_equal (key, "Signature"))
        g_hash_table_insert (unsigned_params, key, value);
    }

  signature = rd_aliyun_rpc_sign (access_key_secret, method, unsigned_params);
  encoded = rd_aliyun_percent_encode (signature);
  canonical = rd_aliyun_canonical_query (unsigned_params);

  return g_strconcat (canonical, "&Signature=", encoded, NULL);
}
