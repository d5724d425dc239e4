/* rd-sms-provider.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-gateway-error.h"
#include "rd-sms-provider.h"

G_DEFINE_INTERFACE (RdSmsProvider, rd_sms_provider, G_TYPE_OBJECT)

/* Template codes set on one provider object: RD_SMS_N_TEMPLATES strings. */
static GQuark
template_ids_quark (void)
{
  return g_quark_from_static_string ("rd-sms-provider-template-ids");
}

static void
template_ids_free (gpointer data)
{
  char **ids = data;

  for (guint i = 0; i < RD_SMS_N_TEMPLATES; i++)
    g_free (ids[i]);
  g_free (ids);
}

static void
rd_sms_provider_default_init (RdSmsProviderInterface *iface)
{
}

RdSmsGateway
rd_sms_provider_get_gateway (RdSmsProvider *self)
{
  g_return_val_if_fail (RD_IS_SMS_PROVIDER (self), RD_SMS_GATEWAY_ALIYUN);

  return RD_SMS_PROVIDER_GET_IFACE (self)->get_gateway (self);
}

const char *
rd_sms_provider_get_sign_name (RdSmsProvider *self)
{
  g_return_val_if_fail (RD_IS_SMS_PROVIDER (self), NULL);

  return RD_SMS_PROVIDER_GET_IFACE (self)->get_sign_name (self);
}

const char *
rd_sms_provider_get_template_id (RdSmsProvider *self,
                                 RdSmsTemplate  template_)
{
  char **ids;

  g_return_val_if_fail (RD_IS_SMS_PROVIDER (self), NULL);
  g_return_val_if_fail ((guint) template_ < RD_SMS_N_TEMPLATES, NULL);

  ids = g_object_get_qdata (G_OBJECT (self), template_ids_quark ());
  if (ids != NULL && ids[template_] != NULL)
    return ids[template_];

  return rd_sms_template_get_default_id (template_, rd_sms_provider_get_gateway (self));
}

void
rd_sms_provider_set_template_id (RdSmsProvider *self,
                                 RdSmsTemplate  template_,
                                 const char    *id)
{
  char **ids;

  g_return_if_fail (RD_IS_SMS_PROVIDER (self));
  g_return_if_fail ((guint) template_ < RD_SMS_N_TEMPLATES);

  ids = g_object_get_qdata (G_OBJECT (self), template_ids_quark ());
  if (ids == NULL)
    {
      ids = g_new0 (char *, RD_SMS_N_TEMPLATES);
      g_object_set_qdata_full (G_OBJECT (self), template_ids_quark (), ids, template_ids_free);
    }
  g_free (ids[template_]);
  ids[template_] = id != NULL && *id != '\0' ? g_strdup (id) : NULL;
}

void
rd_sms_provider_load_template_ids (RdSmsProvider *self,
                                   GKeyFile      *key_file)
{
  g_autofree char *group = NULL;

  g_return_if_fail (RD_IS_SMS_PROVIDER (self));
  g_return_if_fail (key_file != NULL);

  group = g_strconcat (rd_sms_gateway_to_string (rd_sms_provider_get_gateway (self)), "-sms",
                       NULL);
  for (guint i = 0; i < RD_SMS_N_TEMPLATES; i++)
    {
      g_autofree char *key = g_strconcat ("template_", rd_sms_template_to_string (i), NULL);
      g_autofree char *id = g_key_file_get_string (key_file, group, key, NULL);

      if (id != NULL)
        rd_sms_provider_set_template_id (self, i, g_strstrip (id));
    }
}

void
rd_sms_provider_send_request_async (RdSmsProvider       *self,
                                    const RdSmsRequest  *request,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (RD_IS_SMS_PROVIDER (self));
  g_return_if_fail (request != NULL && request->phone != NULL && request->template_id != NULL);
  g_return_if_fail (request->param_names != NULL && request->param_values != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  RD_SMS_PROVIDER_GET_IFACE (self)->send_request_async (self, request, cancellable, callback,
                                                        user_data);
}

void
rd_sms_provider_send_async (RdSmsProvider       *self,
                            const char          *phone,
                            RdSmsTemplate        template_,
                            JsonObject          *params,
                            const char          *out_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_auto(GStrv) values = NULL;
  g_autoptr(GError) error = NULL;
  RdSmsRequest request = { 0 };

  g_return_if_fail (RD_IS_SMS_PROVIDER (self));
  g_return_if_fail (phone != NULL);
  g_return_if_fail ((guint) template_ < RD_SMS_N_TEMPLATES);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  values = rd_sms_template_get_values (template_, params, &error);
  if (values == NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, rd_sms_provider_send_async);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  request.phone = phone;
  request.template_id = rd_sms_provider_get_template_id (self, template_);
  request.param_names = rd_sms_template_get_param_names (template_);
  request.param_values = (const char * const *) values;
  request.out_id = out_id;

  /* Implementations copy what they need before returning. */
  rd_sms_provider_send_request_async (self, &request, cancellable, callback, user_data);
}

char *
rd_sms_provider_send_finish (RdSmsProvider  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (RD_IS_SMS_PROVIDER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
rd_sms_error_is_rate_limited (const GError *error)
{
  return g_error_matches (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BUSY);
}
