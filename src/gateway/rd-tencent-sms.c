/* rd-tencent-sms.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "rd-gateway-error.h"
#include "rd-gateway-http.h"
#include "rd-tencent-sign.h"
#include "rd-tencent-sms.h"

struct _RdTencentSms
{
  GObject                   parent_instance;

  SoupSession              *session;
  RdGatewayCredentials     *credentials;
  const RdTencentSmsConfig *config;
};

static void sms_provider_iface_init (RdSmsProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RdTencentSms, rd_tencent_sms, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RD_TYPE_SMS_PROVIDER,
                                                      sms_provider_iface_init))

/* Tencent names its error codes by family: the family decides. */
static RdGatewayError
classify_code (const char *code,
               guint       status)
{
  if (code == NULL)
    return status >= 500 ? RD_GATEWAY_ERROR_RETRY : RD_GATEWAY_ERROR_BAD_RESPONSE;
  if (g_str_has_prefix (code, "LimitExceeded") || g_str_has_prefix (code, "RequestLimitExceeded")
      || status == 429)
    return RD_GATEWAY_ERROR_BUSY;
  if (g_str_has_prefix (code, "InternalError") || g_str_equal (code, "ResourceUnavailable")
      || status >= 500)
    return RD_GATEWAY_ERROR_RETRY;
  if (g_str_has_prefix (code, "AuthFailure"))
    return RD_GATEWAY_ERROR_KEY;

  return RD_GATEWAY_ERROR_REJECTED;
}

static GError *
error_from (const char *code,
            const char *message,
            guint       status)
{
  return rd_gateway_error_new_from_gateway (classify_code (code, status), code, status,
                                            _("Tencent Cloud SMS says %s: %s"),
                                            code != NULL ? code : "?",
                                            message != NULL ? message
                                                            : soup_status_get_phrase (status));
}

static JsonObject *
member_object (JsonObject *object,
               const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
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
  JsonObject *body;
  JsonObject *failure;
  JsonNode *set;
  JsonObject *first = NULL;
  const char *data;
  const char *code;
  const char *serial;
  gsize len;

  response = rd_gateway_http_send_finish (result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_bytes_get_data (response->body, &len);
  answer = rd_gateway_json_parse_object (data != NULL ? data : "", len, NULL);
  body = member_object (answer, "Response");
  if (body == NULL)
    {
      g_task_return_error (task, rd_gateway_error_new_from_gateway (
        response->status >= 500 ? RD_GATEWAY_ERROR_RETRY : RD_GATEWAY_ERROR_BAD_RESPONSE,
        NULL, response->status,
        _("Tencent Cloud SMS answered HTTP %u without a Response object"), response->status));
      return;
    }

  failure = member_object (body, "Error");
  if (failure != NULL || response->status != 200)
    {
      g_task_return_error (task, error_from (rd_gateway_json_get_string (failure, "Code"),
                                             rd_gateway_json_get_string (failure, "Message"),
                                             response->status));
      return;
    }

  /* One number per request: its own status decides. */
  set = json_object_get_member (body, "SendStatusSet");
  if (set != NULL && JSON_NODE_HOLDS_ARRAY (set)
      && json_array_get_length (json_node_get_array (set)) == 1)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (set), 0);

      if (JSON_NODE_HOLDS_OBJECT (node))
        first = json_node_get_object (node);
    }
  if (first == NULL)
    {
      g_task_return_error (task, rd_gateway_error_new_from_gateway (
        RD_GATEWAY_ERROR_BAD_RESPONSE, NULL, response->status,
        _("Tencent Cloud SMS answered without the number’s send status")));
      return;
    }

  code = rd_gateway_json_get_string (first, "Code");
  serial = rd_gateway_json_get_string (first, "SerialNo");
  if (g_strcmp0 (code, "Ok") != 0)
    g_task_return_error (task, error_from (code, rd_gateway_json_get_string (first, "Message"),
                                           response->status));
  else if (serial == NULL || *serial == '\0')
    g_task_return_error (task, rd_gateway_error_new_from_gateway (
      RD_GATEWAY_ERROR_BAD_RESPONSE, code, response->status,
      _("Tencent Cloud SMS accepted the message without giving its SerialNo")));
  else
    g_task_return_pointer (task, g_strdup (serial), g_free);
}

static RdSmsGateway
rd_tencent_sms_get_gateway (RdSmsProvider *provider)
{
  return RD_SMS_GATEWAY_TENCENT;
}

static const char *
rd_tencent_sms_get_sign_name (RdSmsProvider *provider)
{
  return RD_TENCENT_SMS (provider)->config->sign_name;
}

static void
rd_tencent_sms_send_request_async (RdSmsProvider       *provider,
                                   const RdSmsRequest  *request,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  RdTencentSms *self = RD_TENCENT_SMS (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *host = NULL;
  char *payload;

  g_task_set_source_tag (task, rd_tencent_sms_send_request_async);

  msg = soup_message_new ("POST", self->config->base_url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                               _("“%s” is not a valid Tencent Cloud SMS address"),
                               self->config->base_url);
      return;
    }

  host = rd_tencent_sms_host (soup_message_get_uri (msg));
  payload = rd_tencent_sms_build_payload (self->config->sdk_app_id, self->config->sign_name,
                                          request);
  rd_tencent_sms_sign_headers (soup_message_get_request_headers (msg), self->config->secret_id,
                               self->config->secret_key, host,
                               g_get_real_time () / G_USEC_PER_SEC, payload);
  bytes = g_bytes_new_take (payload, strlen (payload));
  soup_message_set_request_body_from_bytes (msg, RD_TENCENT_SMS_CONTENT_TYPE, bytes);

  rd_gateway_http_send_async (self->session, msg, self->config->timeout_ms, cancellable,
                              send_cb, g_steal_pointer (&task));
}

static void
sms_provider_iface_init (RdSmsProviderInterface *iface)
{
  iface->get_gateway = rd_tencent_sms_get_gateway;
  iface->get_sign_name = rd_tencent_sms_get_sign_name;
  iface->send_request_async = rd_tencent_sms_send_request_async;
}

static void
rd_tencent_sms_dispose (GObject *object)
{
  RdTencentSms *self = (RdTencentSms *) object;

  g_clear_object (&self->session);
  g_clear_object (&self->credentials);
  self->config = NULL;

  G_OBJECT_CLASS (rd_tencent_sms_parent_class)->dispose (object);
}

static void
rd_tencent_sms_class_init (RdTencentSmsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_tencent_sms_dispose;
}

static void
rd_tencent_sms_init (RdTencentSms *self)
{
}

RdTencentSms *
rd_tencent_sms_new (SoupSession           *session,
                    RdGatewayCredentials  *credentials,
                    GError               **error)
{
  g_autoptr(RdTencentSms) self = NULL;
  const RdTencentSmsConfig *config;

  g_return_val_if_fail (SOUP_IS_SESSION (session), NULL);
  g_return_val_if_fail (RD_IS_GATEWAY_CREDENTIALS (credentials), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  config = rd_gateway_credentials_get_tencent_sms (credentials);
  if (config == NULL)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The credentials have no [%s] group"), "tencent-sms");
      return NULL;
    }

  self = g_object_new (RD_TYPE_TENCENT_SMS, NULL);
  self->session = g_object_ref (session);
  self->credentials = g_object_ref (credentials);
  self->config = config;

  return g_steal_pointer (&self);
}

char *
rd_tencent_sms_phone_number (const char *phone)
{
  g_return_val_if_fail (phone != NULL, NULL);

  if (phone[0] == '+')
    return g_strdup (phone);

  return g_strconcat ("+86", phone, NULL);
}

char *
rd_tencent_sms_build_payload (const char         *sdk_app_id,
                              const char         *sign_name,
                              const RdSmsRequest *request)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *phone = NULL;

  g_return_val_if_fail (sdk_app_id != NULL && sign_name != NULL, NULL);
  g_return_val_if_fail (request != NULL && request->phone != NULL, NULL);

  phone = rd_tencent_sms_phone_number (request->phone);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "PhoneNumberSet");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, phone);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "SmsSdkAppId");
  json_builder_add_string_value (b, sdk_app_id);
  json_builder_set_member_name (b, "SignName");
  json_builder_add_string_value (b, sign_name);
  json_builder_set_member_name (b, "TemplateId");
  json_builder_add_string_value (b, request->template_id);
  json_builder_set_member_name (b, "TemplateParamSet");
  json_builder_begin_array (b);
  for (guint i = 0; request->param_names[i] != NULL; i++)
    json_builder_add_string_value (b, request->param_values[i]);
  json_builder_end_array (b);
  if (request->out_id != NULL && *request->out_id != '\0')
    {
      json_builder_set_member_name (b, "SessionContext");
      json_builder_add_string_value (b, request->out_id);
    }
  json_builder_end_object (b);

  return rd_gateway_json_to_string (b);
}

char *
rd_tencent_sms_host (GUri *uri)
{
  const char *scheme;
  int port;

  g_return_val_if_fail (uri != NULL, NULL);

  scheme = g_uri_get_scheme (uri);
  port = g_uri_get_port (uri);
  if (port < 0 || (g_strcmp0 (scheme, "https") == 0 && port == 443)
      || (g_strcmp0 (scheme, "http") == 0 && port == 80))
    return g_strdup (g_uri_get_host (uri));

  return g_strdup_printf ("%s:%d", g_uri_get_host (uri), port);
}

void
rd_tencent_sms_sign_headers (SoupMessageHeaders *headers,
                             const char         *secret_id,
                             const char         *secret_key,
                             const char         *host,
                             gint64              timestamp,
                             const char         *payload)
{
  g_autofree char *authorization = NULL;
  g_autofree char *ts = g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);

  g_return_if_fail (headers != NULL && secret_id != NULL && secret_key != NULL);
  g_return_if_fail (host != NULL && payload != NULL);

  authorization = rd_tencent_tc3_authorization (secret_id, secret_key, "sms", "POST", host,
                                                RD_TENCENT_SMS_CONTENT_TYPE, timestamp,
                                                (const guint8 *) payload, strlen (payload));
  soup_message_headers_replace (headers, "Authorization", authorization);
  soup_message_headers_replace (headers, "Content-Type", RD_TENCENT_SMS_CONTENT_TYPE);
  soup_message_headers_replace (headers, "Host", host);
  soup_message_headers_replace (headers, "X-TC-Action", "SendSms");
  soup_message_headers_replace (headers, "X-TC-Version", RD_TENCENT_SMS_VERSION);
  soup_message_headers_replace (headers, "X-TC-Timestamp", ts);
  soup_message_headers_replace (headers, "X-TC-Region", RD_TENCENT_SMS_REGION);
  soup_message_headers_replace (headers, "Accept", "application/json");
}
