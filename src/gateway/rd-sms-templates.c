/* rd-sms-templates.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "rd-gateway-error.h"
#include "rd-sms-templates.h"

typedef struct
{
  const char        *name;
  const char * const params[9];
  const char        *aliyun_id;
  const char        *tencent_id;
  /* {param} is replaced by its value; {date} reads "11月24日". The
   * parameters are the ones every writer of the outbox supplies (api.book,
   * refunds, the demo data, the reminders of 0009): a message whose row
   * lacks one is never sent. */
  const char        *text;
} TemplateInfo;

static const TemplateInfo templates[RD_SMS_N_TEMPLATES] = {
  [RD_SMS_TEMPLATE_BOOKING_CONFIRMED] = {
    "booking_confirmed",
    { "name", "department", "doctor", "date", "time", "queue_no", "fee", "order_no", NULL },
    "SMS_480000001", "2480001",
    "{name}您好，您已预约{date} {time} {department} {doctor}医生，第{queue_no}号，"
    "挂号费{fee}元，订单号{order_no}。请按时就诊。",
  },
  [RD_SMS_TEMPLATE_REMINDER] = {
    "reminder",
    { "name", "date", "time", NULL },
    "SMS_480000002", "2480002",
    "{name}您好，提醒您明天（{date}）{time}就诊，请携带证件按时到院。",
  },
  [RD_SMS_TEMPLATE_SESSION_SUSPENDED] = {
    "session_suspended",
    { "name", "date", NULL },
    "SMS_480000003", "2480003",
    "{name}您好，很抱歉，您预约的{date}门诊因医生停诊取消，请改约其他时段，"
    "已付费用将原路退回。",
  },
  [RD_SMS_TEMPLATE_WAITLIST_GRANTED] = {
    "waitlist_granted",
    { "name", "department", "doctor", "date", "time", "queue_no", "fee", "order_no", NULL },
    "SMS_480000004", "2480004",
    "{name}您好，您候补的{date} {time} {department} {doctor}医生号源已为您预约，第{queue_no}号，"
    "挂号费{fee}元，订单号{order_no}。请按时支付并就诊。",
  },
  [RD_SMS_TEMPLATE_REFUND_DONE] = {
    "refund_done",
    { "name", "order_no", "amount", NULL },
    "SMS_480000005", "2480005",
    "{name}您好，您订单{order_no}的{amount}元退款已退回原支付账户，请注意查收。",
  },
};

const char *
rd_sms_template_to_string (RdSmsTemplate template_)
{
  g_return_val_if_fail ((guint) template_ < RD_SMS_N_TEMPLATES, NULL);

  return templates[template_].name;
}

gboolean
rd_sms_template_from_string (const char    *name,
                             RdSmsTemplate *template_)
{
  g_return_val_if_fail (template_ != NULL, FALSE);

  for (guint i = 0; name != NULL && i < RD_SMS_N_TEMPLATES; i++)
    {
      if (g_str_equal (name, templates[i].name))
        {
          *template_ = i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
rd_sms_gateway_to_string (RdSmsGateway gateway)
{
  switch (gateway)
    {
    case RD_SMS_GATEWAY_ALIYUN:
      return "aliyun";
    case RD_SMS_GATEWAY_TENCENT:
      return "tencent";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
rd_sms_gateway_from_string (const char   *name,
                            RdSmsGateway *gateway)
{
  g_return_val_if_fail (gateway != NULL, FALSE);

  if (g_strcmp0 (name, "aliyun") == 0)
    *gateway = RD_SMS_GATEWAY_ALIYUN;
  else if (g_strcmp0 (name, "tencent") == 0)
    *gateway = RD_SMS_GATEWAY_TENCENT;
  else
    return FALSE;

  return TRUE;
}

const char * const *
rd_sms_template_get_param_names (RdSmsTemplate template_)
{
  g_return_val_if_fail ((guint) template_ < RD_SMS_N_TEMPLATES, NULL);

  return templates[template_].params;
}

const char *
rd_sms_template_get_default_id (RdSmsTemplate template_,
                                RdSmsGateway  gateway)
{
  g_return_val_if_fail ((guint) template_ < RD_SMS_N_TEMPLATES, NULL);

  return gateway == RD_SMS_GATEWAY_ALIYUN ? templates[template_].aliyun_id
                                          : templates[template_].tencent_id;
}

gboolean
rd_sms_template_from_default_id (RdSmsGateway   gateway,
                                 const char    *id,
                                 RdSmsTemplate *template_)
{
  g_return_val_if_fail (template_ != NULL, FALSE);

  for (guint i = 0; id != NULL && i < RD_SMS_N_TEMPLATES; i++)
    {
      if (g_str_equal (id, rd_sms_template_get_default_id (i, gateway)))
        {
          *template_ = i;
          return TRUE;
        }
    }

  return FALSE;
}

/* A parameter as text: the outbox writes strings, and numbers for counts. */
static char *
param_text (JsonObject *params,
            const char *name)
{
  JsonNode *node = params != NULL ? json_object_get_member (params, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      {
        const char *text = json_node_get_string (node);

        return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
      }
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (node)));
      }
    default:
      return NULL;
    }
}

char **
rd_sms_template_get_values (RdSmsTemplate   template_,
                            JsonObject     *params,
                            GError        **error)
{
  const char * const *names;
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail ((guint) template_ < RD_SMS_N_TEMPLATES, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  names = templates[template_].params;
  for (guint i = 0; names[i] != NULL; i++)
    {
      char *value = param_text (params, names[i]);

      if (value == NULL)
        {
          g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                       _("The “%s” message lacks its parameter “%s”"),
                       templates[template_].name, names[i]);
          return NULL;
        }
      g_ptr_array_add (values, value);
    }
  g_ptr_array_add (values, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&values), FALSE);
}

/* "2024-11-24" → "11月24日"; anything else as it is. */
static char *
chinese_date (const char *text)
{
  int year, month, day;
  char end;

  if (sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &end) == 3
      && g_date_valid_dmy (day, month, year))
    return g_strdup_printf ("%d月%d日", month, day);

  return g_strdup (text);
}

char *
rd_sms_template_render (RdSmsTemplate   template_,
                        const char     *sign_name,
                        JsonObject     *params,
                        GError        **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) values = NULL;
  const char * const *names;
  const char *p;

  g_return_val_if_fail ((guint) template_ < RD_SMS_N_TEMPLATES, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  values = rd_sms_template_get_values (template_, params, error);
  if (values == NULL)
    return NULL;
  names = templates[template_].params;

  if (sign_name != NULL && *sign_name != '\0')
    g_string_append_printf (text, "【%s】", sign_name);

  for (p = templates[template_].text; *p != '\0'; )
    {
      const char *close = *p == '{' ? strchr (p, '}') : NULL;
      gboolean replaced = FALSE;

      for (guint i = 0; close != NULL && names[i] != NULL; i++)
        {
          gsize len = strlen (names[i]);

          if ((gsize) (close - p - 1) == len && strncmp (p + 1, names[i], len) == 0)
            {
              g_autofree char *date = g_str_equal (names[i], "date")
                                      ? chinese_date (values[i]) : NULL;

              g_string_append (text, date != NULL ? date : values[i]);
              p = close + 1;
              replaced = TRUE;
              break;
            }
        }
      if (!replaced)
        g_string_append_c (text, *p++);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}
