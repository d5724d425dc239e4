/* rd-sms-templates.h: the text messages Regdesk sends, their parameters in
 * each gateway's order, and their Chinese text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The outbox's template column spells these with rd_sms_template_to_string(). */
typedef enum
{
  RD_SMS_TEMPLATE_BOOKING_CONFIRMED,
  RD_SMS_TEMPLATE_REMINDER,
  RD_SMS_TEMPLATE_SESSION_SUSPENDED,
  RD_SMS_TEMPLATE_WAITLIST_GRANTED,
  RD_SMS_TEMPLATE_REFUND_DONE,
} RdSmsTemplate;

#define RD_SMS_N_TEMPLATES 5

typedef enum
{
  RD_SMS_GATEWAY_ALIYUN,   /* Alibaba Cloud SMS (dysmsapi, RPC signature v1) */
  RD_SMS_GATEWAY_TENCENT,  /* Tencent Cloud SMS (API 3.0, TC3-HMAC-SHA256) */
} RdSmsGateway;

/* "booking_confirmed", "reminder", "session_suspended", "waitlist_granted",
 * "refund_done". */
const char          *rd_sms_template_to_string        (RdSmsTemplate   template_);
gboolean             rd_sms_template_from_string      (const char     *name,
                                                       RdSmsTemplate  *template_);
/* "aliyun", "tencent": also the credentials groups without "-sms". */
const char          *rd_sms_gateway_to_string         (RdSmsGateway    gateway);
gboolean             rd_sms_gateway_from_string       (const char     *name,
                                                       RdSmsGateway   *gateway);

/* The template's parameter names, NULL-terminated, in the order of the
 * approved template text (Tencent's TemplateParamSet is positional). */
const char * const  *rd_sms_template_get_param_names  (RdSmsTemplate   template_);
/* The template code (Alibaba Cloud "SMS_…") or id (Tencent, digits) used
 * when the credentials name none: the simulator's. A real account has its
 * own, set in its credentials group as template_<name> = code. */
const char          *rd_sms_template_get_default_id   (RdSmsTemplate   template_,
                                                       RdSmsGateway    gateway);
/* The template for a default id of gateway, as the simulator checks them. */
gboolean             rd_sms_template_from_default_id  (RdSmsGateway    gateway,
                                                       const char     *id,
                                                       RdSmsTemplate  *template_);

/* The values of params (an outbox row's params: strings or numbers) in the
 * template's parameter order, NULL-terminated. A missing or empty
 * parameter is RD_GATEWAY_ERROR_FAILED: the message would be wrong. */
char               **rd_sms_template_get_values       (RdSmsTemplate   template_,
                                                       JsonObject     *params,
                                                       GError        **error);

/* The message as the patient reads it, e.g. "【某医院】张三您好，您已预约
 * 11月24日 08:30 内科 李明医生，第3号…": for logs and previews. SMS
 * bodies are Chinese by design (the approved templates are), so this text
 * is not translated. sign_name NULL leaves the 【】 signature out. */
char                *rd_sms_template_render           (RdSmsTemplate   template_,
                                                       const char     *sign_name,
                                                       JsonObject     *params,
                                                       GError        **error);

G_END_DECLS
