/* rd-appointment-row.c: one appointment in a patient's history
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-appointment-row.h"

enum {
  PROP_0,
  PROP_ID,
  PROP_SESSION_ID,
  PROP_DATE,
  PROP_PERIOD,
  PROP_STARTS_AT,
  PROP_ENDS_AT,
  PROP_DEPARTMENT_NAME,
  PROP_DOCTOR_NAME,
  PROP_DOCTOR_TITLE,
  PROP_CLINIC_TYPE,
  PROP_CHANNEL,
  PROP_STATUS,
  PROP_ORDER_NO,
  PROP_ORDER_STATUS,
  PROP_QUEUE_NO,
  PROP_SLOT_SEQ,
  PROP_ORDER_ID,
  PROP_AMOUNT,
  PROP_UPCOMING,
  N_PROPS
};

/* The string properties run from PROP_DATE to PROP_ORDER_STATUS; they live
 * in one array indexed by property id. */
#define FIRST_STRING PROP_DATE
#define LAST_STRING  PROP_ORDER_STATUS
#define N_STRINGS    (LAST_STRING - FIRST_STRING + 1)

struct _RdAppointmentRow
{
  GObject   parent_instance;

  gint64    id;
  gint64    session_id;
  char     *strings[N_STRINGS];
  int       queue_no;
  int       slot_seq;
  gint64    order_id;
  gint64    amount;
  gboolean  upcoming;
};

G_DEFINE_FINAL_TYPE (RdAppointmentRow, rd_appointment_row, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static const char *
string_prop (RdAppointmentRow *self,
             guint             prop_id)
{
  g_assert (prop_id >= FIRST_STRING && prop_id <= LAST_STRING);

  return self->strings[prop_id - FIRST_STRING];
}

static void
rd_appointment_row_finalize (GObject *object)
{
  RdAppointmentRow *self = RD_APPOINTMENT_ROW (object);

  for (guint i = 0; i < N_STRINGS; i++)
    g_clear_pointer (&self->strings[i], g_free);

  G_OBJECT_CLASS (rd_appointment_row_parent_class)->finalize (object);
}

static void
rd_appointment_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  RdAppointmentRow *self = RD_APPOINTMENT_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_SESSION_ID:
      g_value_set_int64 (value, self->session_id);
      break;

    case PROP_DATE:
    case PROP_PERIOD:
    case PROP_STARTS_AT:
    case PROP_ENDS_AT:
    case PROP_DEPARTMENT_NAME:
    case PROP_DOCTOR_NAME:
    case PROP_DOCTOR_TITLE:
    case PROP_CLINIC_TYPE:
    case PROP_CHANNEL:
    case PROP_STATUS:
    case PROP_ORDER_NO:
    case PROP_ORDER_STATUS:
      g_value_set_string (value, string_prop (self, prop_id));
      break;

    case PROP_QUEUE_NO:
      g_value_set_int (value, self->queue_no);
      break;

    case PROP_SLOT_SEQ:
      g_value_set_int (value, self->slot_seq);
      break;

    case PROP_ORDER_ID:
      g_value_set_int64 (value, self->order_id);
      break;

    case PROP_AMOUNT:
      g_value_set_int64 (value, self->amount);
      break;

    case PROP_UPCOMING:
      g_value_set_boolean (value, self->upcoming);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_appointment_row_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  RdAppointmentRow *self = RD_APPOINTMENT_ROW (object);

  /* construct-only: each is set exactly once */
  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;

    case PROP_SESSION_ID:
      self->session_id = g_value_get_int64 (value);
      break;

    case PROP_DATE:
    case PROP_PERIOD:
    case PROP_STARTS_AT:
    case PROP_ENDS_AT:
    case PROP_DEPARTMENT_NAME:
    case PROP_DOCTOR_NAME:
    case PROP_DOCTOR_TITLE:
    case PROP_CLINIC_TYPE:
    case PROP_CHANNEL:
    case PROP_STATUS:
    case PROP_ORDER_NO:
    case PROP_ORDER_STATUS:
      self->strings[prop_id - FIRST_STRING] = g_value_dup_string (value);
      break;

    case PROP_QUEUE_NO:
      self->queue_no = g_value_get_int (value);
      break;

    case PROP_SLOT_SEQ:
      self->slot_seq = g_value_get_int (value);
      break;

    case PROP_ORDER_ID:
      self->order_id = g_value_get_int64 (value);
      break;

    case PROP_AMOUNT:
      self->amount = g_value_get_int64 (value);
      break;

    case PROP_UPCOMING:
      self->upcoming = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_appointment_row_class_init (RdAppointmentRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  static const char * const string_names[N_STRINGS] = {
    "date", "period", "starts-at", "ends-at", "department-name", "doctor-name",
    "doctor-title", "clinic-type", "channel", "status", "order-no", "order-status",
  };

  object_class->finalize = rd_appointment_row_finalize;
  object_class->get_property = rd_appointment_row_get_property;
  object_class->set_property = rd_appointment_row_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_SESSION_ID] =
    g_param_spec_int64 ("session-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  for (guint i = 0; i < N_STRINGS; i++)
    properties[FIRST_STRING + i] =
      g_param_spec_string (string_names[i], NULL, NULL, NULL, flags);
  properties[PROP_QUEUE_NO] =
    g_param_spec_int ("queue-no", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_SLOT_SEQ] =
    g_param_spec_int ("slot-seq", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_ORDER_ID] =
    g_param_spec_int64 ("order-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_AMOUNT] =
    g_param_spec_int64 ("amount", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_UPCOMING] =
    g_param_spec_boolean ("upcoming", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_appointment_row_init (RdAppointmentRow *self)
{
}

gint64
rd_appointment_row_get_id (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), 0);

  return self->id;
}

gint64
rd_appointment_row_get_session_id (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), 0);

  return self->session_id;
}

const char *
rd_appointment_row_get_date (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_DATE);
}

const char *
rd_appointment_row_get_period (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_PERIOD);
}

const char *
rd_appointment_row_get_starts_at (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_STARTS_AT);
}

const char *
rd_appointment_row_get_ends_at (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_ENDS_AT);
}

const char *
rd_appointment_row_get_department_name (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_DEPARTMENT_NAME);
}

const char *
rd_appointment_row_get_doctor_name (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_DOCTOR_NAME);
}

const char *
rd_appointment_row_get_doctor_title (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_DOCTOR_TITLE);
}

const char *
rd_appointment_row_get_clinic_type (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_CLINIC_TYPE);
}

const char *
rd_appointment_row_get_channel (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_CHANNEL);
}

const char *
rd_appointment_row_get_status (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_STATUS);
}

int
rd_appointment_row_get_queue_no (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), 0);

  return self->queue_no;
}

/* The booking's number, its slot's sequence number: printed on the slip
 * and in the SMS. The queue number is handed out at check-in. */
int
rd_appointment_row_get_slot_seq (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), 0);

  return self->slot_seq;
}

gint64
rd_appointment_row_get_order_id (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), 0);

  return self->order_id;
}

const char *
rd_appointment_row_get_order_no (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_ORDER_NO);
}

const char *
rd_appointment_row_get_order_status (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), NULL);

  return string_prop (self, PROP_ORDER_STATUS);
}

gint64
rd_appointment_row_get_amount (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), 0);

  return self->amount;
}

gboolean
rd_appointment_row_get_upcoming (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), FALSE);

  return self->upcoming;
}

gboolean
rd_appointment_row_get_unpaid (RdAppointmentRow *self)
{
  g_return_val_if_fail (RD_IS_APPOINTMENT_ROW (self), FALSE);

  return g_strcmp0 (string_prop (self, PROP_ORDER_STATUS), "unpaid") == 0;
}

const char *
rd_appointment_status_to_string (const char *status)
{
  if (status == NULL)
    return "";
  if (g_str_equal (status, "pending_payment"))
    return _("Awaiting payment");
  if (g_str_equal (status, "booked"))
    return C_("appointment", "Booked");
  if (g_str_equal (status, "checked_in"))
    return C_("appointment", "Checked in");
  if (g_str_equal (status, "completed"))
    return C_("appointment", "Seen");
  if (g_str_equal (status, "no_show"))
    return C_("appointment", "No-show");
  if (g_str_equal (status, "cancelled"))
    return C_("appointment", "Cancelled");
  if (g_str_equal (status, "expired"))
    return C_("appointment", "Lapsed unpaid");

  return status;
}
