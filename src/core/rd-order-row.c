/* rd-order-row.c: one order as the finance table shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-order-row.h"

struct _RdOrderRow
{
  GObject   parent_instance;

  gint64    id;
  char     *order_no;
  char     *time;
  char     *patient_name;
  char     *department_name;
  char     *doctor_name;
  gint64    amount;
  gint64    refunded_amount;
  char     *method;
  char     *status;
};

G_DEFINE_FINAL_TYPE (RdOrderRow, rd_order_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_ORDER_NO,
  PROP_TIME,
  PROP_PATIENT_NAME,
  PROP_DEPARTMENT_NAME,
  PROP_DOCTOR_NAME,
  PROP_AMOUNT,
  PROP_REFUNDED_AMOUNT,
  PROP_METHOD,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
rd_order_row_finalize (GObject *object)
{
  RdOrderRow *self = RD_ORDER_ROW (object);

  g_clear_pointer (&self->order_no, g_free);
  g_clear_pointer (&self->time, g_free);
  g_clear_pointer (&self->patient_name, g_free);
  g_clear_pointer (&self->department_name, g_free);
  g_clear_pointer (&self->doctor_name, g_free);
  g_clear_pointer (&self->method, g_free);
  g_clear_pointer (&self->status, g_free);

  G_OBJECT_CLASS (rd_order_row_parent_class)->finalize (object);
}

static void
rd_order_row_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RdOrderRow *self = RD_ORDER_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_ORDER_NO:
      g_value_set_string (value, self->order_no);
      break;

    case PROP_TIME:
      g_value_set_string (value, self->time);
      break;

    case PROP_PATIENT_NAME:
      g_value_set_string (value, self->patient_name);
      break;

    case PROP_DEPARTMENT_NAME:
      g_value_set_string (value, self->department_name);
      break;

    case PROP_DOCTOR_NAME:
      g_value_set_string (value, self->doctor_name);
      break;

    case PROP_AMOUNT:
      g_value_set_int64 (value, self->amount);
      break;

    case PROP_REFUNDED_AMOUNT:
      g_value_set_int64 (value, self->refunded_amount);
      break;

    case PROP_METHOD:
      g_value_set_string (value, self->method);
      break;

    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_order_row_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  RdOrderRow *self = RD_ORDER_ROW (object);

  /* construct-only: each is set exactly once */
  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;

    case PROP_ORDER_NO:
      self->order_no = g_value_dup_string (value);
      break;

    case PROP_TIME:
      self->time = g_value_dup_string (value);
      break;

    case PROP_PATIENT_NAME:
      self->patient_name = g_value_dup_string (value);
      break;

    case PROP_DEPARTMENT_NAME:
      self->department_name = g_value_dup_string (value);
      break;

    case PROP_DOCTOR_NAME:
      self->doctor_name = g_value_dup_string (value);
      break;

    case PROP_AMOUNT:
      self->amount = g_value_get_int64 (value);
      break;

    case PROP_REFUNDED_AMOUNT:
      self->refunded_amount = g_value_get_int64 (value);
      break;

    case PROP_METHOD:
      self->method = g_value_dup_string (value);
      break;

    case PROP_STATUS:
      self->status = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_order_row_class_init (RdOrderRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = rd_order_row_finalize;
  object_class->get_property = rd_order_row_get_property;
  object_class->set_property = rd_order_row_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ORDER_NO] =
    g_param_spec_string ("order-no", NULL, NULL, NULL, flags);
  properties[PROP_TIME] =
    g_param_spec_string ("time", NULL, NULL, NULL, flags);
  properties[PROP_PATIENT_NAME] =
    g_param_spec_string ("patient-name", NULL, NULL, NULL, flags);
  properties[PROP_DEPARTMENT_NAME] =
    g_param_spec_string ("department-name", NULL, NULL, NULL, flags);
  properties[PROP_DOCTOR_NAME] =
    g_param_spec_string ("doctor-name", NULL, NULL, NULL, flags);
  properties[PROP_AMOUNT] =
    g_param_spec_int64 ("amount", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_REFUNDED_AMOUNT] =
    g_param_spec_int64 ("refunded-amount", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_METHOD] =
    g_param_spec_string ("method", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_order_row_init (RdOrderRow *self)
{
}

gint64
rd_order_row_get_id (RdOrderRow *self)
{
  g_return_val_if_fail (RD_IS_ORDER_ROW (self), 0);

  return self->id;
}

const char *
rd_order_row_get_order_no (RdOrderRow *self)
{
  g_return_val_if_fail (RD_IS_ORDER_ROW (self), NULL);

  return self->order_no;
}

const char *
rd_order_row_get_time (RdOrderRow *self)
{
  g_return_val_if_fail (RD_IS_ORDER_ROW (self), NULL);

  return self->time;
}

const char *
rd_order_row_get_patient_name (RdOrderRow *self)
{
  g_return_val_if_fail (RD_IS_ORDER_ROW (self), NULL);

  return self->patient_name;
}

const char *
rd_order_row_get_department_name (RdOrderRow *self)
{
  g_return_val_if_fail (RD_IS_ORDER_ROW (self), NULL);

  return self->department_name;
}

const char *
rd_order_row_get_doctor_name (RdOrderRow *self)
{
  g_return_val_if_fail (RD_IS_ORDER_ROW (self), NULL);

  return self->doctor_name;
}

gint64
rd_order_row_get_amount (RdOrderRow *self)
{
  g_return_val_if_fail (RD_IS_ORDER_ROW (self), 0);

  return self->amount;
}

gint64
rd_order_row_get_refunded_amount (RdOrderRow *self)
{
  g_return_val_if_fail (RD_IS_ORDER_ROW (self), 0);

  return self->refunded_amount;
}

const char *
rd_order_row_get_method (RdOrderRow *self)
{
  g_return_val_if_fail (RD_IS_ORDER_ROW (self), NULL);

  return self->method;
}

const char *
rd_order_row_get_status (RdOrderRow *self)
{
  g_return_val_if_fail (RD_IS_ORDER_ROW (self), NULL);

  return self->status;
}

gint64
rd_order_row_get_net_amount (RdOrderRow *self)
{
  static const char * const settled[] = {
    "paid", "refunding", "refunded", "partially_refunded", NULL,
  };

  g_return_val_if_fail (RD_IS_ORDER_ROW (self), 0);

  if (self->status == NULL || !g_strv_contains (settled, self->status))
    return 0;

  return self->amount - self->refunded_amount;
}

const char *
rd_payment_method_to_string (const char *method)
{
  if (method == NULL)
    return "";
  if (g_str_equal (method, "cash"))
    return _("Cash");
  if (g_str_equal (method, "card"))
    return _("Bank Card");
  if (g_str_equal (method, "wechat"))
    return _("WeChat Pay");
  if (g_str_equal (method, "alipay"))
    return _("Alipay");

  return method;
}

const char *
rd_order_status_to_string (const char *status)
{
  if (status == NULL)
    return "";
  if (g_str_equal (status, "unpaid"))
    return _("Unpaid");
  if (g_str_equal (status, "paid"))
    return _("Paid");
  if (g_str_equal (status, "closed"))
    return C_("order", "Closed");
  if (g_str_equal (status, "refunding"))
    return _("Refunding");
  if (g_str_equal (status, "refunded"))
    return _("Refunded");
  if (g_str_equal (status, "partially_refunded"))
    return _("Partially refunded");

  return status;
}
