/* rd-sms-provider.h: what the worker asks of an SMS gateway, whichever it is
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rd-sms-templates.h"

G_BEGIN_DECLS

#define RD_TYPE_SMS_PROVIDER (rd_sms_provider_get_type ())

G_DECLARE_INTERFACE (RdSmsProvider, rd_sms_provider, RD, SMS_PROVIDER, GObject)

/* One message, ready for the wire: the template already resolved to the
 * gateway's code and its values put in the template's order. */
typedef struct
{
  const char         *phone;        /* as stored: 11 mainland digits, or +E.164 */
  const char         *template_id;  /* the gateway's template code or id */
  const char * const *param_names;  /* NULL-terminated */
  const char * const *param_values; /* as many, in the same order */
  const char         *out_id;       /* echoed back by the gateway (OutId, SessionContext);
                                     * may be NULL */
} RdSmsRequest;

/* send_request_async completes through a GTask whose source object is the
 * provider and whose value is the gateway's message id (a string), so
 * rd_sms_provider_send_finish() serves every implementation.
 *
 * Failures are RD_GATEWAY_ERROR: NETWORK, TIMEOUT, RETRY and BUSY (the
 * gateway's rate limit) are worth another attempt later
 * (rd_gateway_error_is_retryable()); REJECTED is final for this message
 * (bad number, template refused, no balance), with the gateway's code kept;
 * KEY means the gateway refused our credentials or signature;
 * BAD_RESPONSE means the answer made no sense. Neither gateway takes an
 * idempotency key: after TIMEOUT or NETWORK the message may have gone. */
struct _RdSmsProviderInterface
{
  GTypeInterface parent_iface;

  RdSmsGateway (*get_gateway)        (RdSmsProvider       *self);
  const char * (*get_sign_name)      (RdSmsProvider       *self);
  void         (*send_request_async) (RdSmsProvider       *self,
                                      const RdSmsRequest  *request,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
};

RdSmsGateway rd_sms_provider_get_gateway         (RdSmsProvider       *self);
/* The signature the gateway puts in 【】 before every message. */
const char  *rd_sms_provider_get_sign_name       (RdSmsProvider       *self);

/* The gateway's code for template_: the one set, else the default. */
const char  *rd_sms_provider_get_template_id     (RdSmsProvider       *self,
                                                  RdSmsTemplate        template_);
void         rd_sms_provider_set_template_id     (RdSmsProvider       *self,
                                                  RdSmsTemplate        template_,
                                                  const char          *id);
/* Sets the codes key_file's group for this gateway ("aliyun-sms" or
 * "tencent-sms") names as template_<name> (template_reminder = SMS_…). */
void         rd_sms_provider_load_template_ids   (RdSmsProvider       *self,
                                                  GKeyFile            *key_file);

/* Sends template_ to phone, filled from params (an outbox row's params).
 * out_id is handed to the gateway to be echoed back with the message
 * (the outbox's dedup key fits); it does not make the send idempotent. */
void         rd_sms_provider_send_async          (RdSmsProvider       *self,
                                                  const char          *phone,
                                                  RdSmsTemplate        template_,
                                                  JsonObject          *params,
                                                  const char          *out_id,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* The raw form: request already resolved. */
void         rd_sms_provider_send_request_async  (RdSmsProvider       *self,
                                                  const RdSmsRequest  *request,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* The gateway's id of the accepted message (BizId, SerialNo). */
char        *rd_sms_provider_send_finish         (RdSmsProvider       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* TRUE for the errors that say the gateway asks us to slow down. */
gboolean     rd_sms_error_is_rate_limited        (const GError        *error);

G_END_DECLS
