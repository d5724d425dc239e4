/* rd-slot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include "rd-enum-types.h"
#include "rd-slot.h"

struct _RdSlot
{
  GObject       parent_instance;

  int           seq;
  char         *starts_at;
  char         *ends_at;
  RdChannel     channel;
  RdSlotStatus  status;
  char         *held_until;
  gint64        appointment_id;
  char         *patient_label;
  int           queue_number;
  char         *order_no;
  gint64        order_amount;
  char         *order_status;
};

G_DEFINE_FINAL_TYPE (RdSlot, rd_slot, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SEQ,
  PROP_STARTS_AT,
  PROP_ENDS_AT,
  PROP_CHANNEL,
  PROP_STATUS,
  PROP_HELD_UNTIL,
  PROP_APPOINTMENT_ID,
  PROP_PATIENT_LABEL,
  PROP_QUEUE_NUMBER,
  PROP_ORDER_NO,
  PROP_ORDER_AMOUNT,
  PROP_ORDER_STATUS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
set_int (RdSlot *self,
         int    *field,
         int     value,
         guint   prop_id)
{
  if (*field == value)
    return FALSE;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);

  return TRUE;
}

static gboolean
set_string (RdSlot      *self,
            char       **field,
            const char  *value,
            guint        prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);

  return TRUE;
}

static gboolean
set_int64 (RdSlot *self,
           gint64 *field,
           gint64  value,
           guint   prop_id)
{
  if (*field == value)
    return FALSE;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);

  return TRUE;
}

static gboolean
set_appointment_id (RdSlot *self,
                    gint64  appointment_id)
{
  return set_int64 (self, &self->appointment_id, appointment_id, PROP_APPOINTMENT_ID);
}

static gboolean
set_channel (RdSlot    *self,
             RdChannel  channel)
{
  if (self->channel == channel)
    return FALSE;

  self->channel = channel;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);

  return TRUE;
}

static gboolean
set_status (RdSlot       *self,
            RdSlotStatus  status)
{
  if (self->status == status)
    return FALSE;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);

  return TRUE;
}

static void
rd_slot_finalize (GObject *object)
{
  RdSlot *self = (RdSlot *) object;

  g_clear_pointer (&self->starts_at, g_free);
  g_clear_pointer (&self->ends_at, g_free);
  g_clear_pointer (&self->held_until, g_free);
  g_clear_pointer (&self->patient_label, g_free);
  g_clear_pointer (&self->order_no, g_free);
  g_clear_pointer (&self->order_status, g_free);

  G_OBJECT_CLASS (rd_slot_parent_class)->finalize (object);
}

static void
rd_slot_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  RdSlot *self = RD_SLOT (object);

  switch (prop_id)
    {
    case PROP_SEQ:
      g_value_set_int (value, self->seq);
      break;
    case PROP_STARTS_AT:
      g_value_set_string (value, self->starts_at);
      break;
    case PROP_ENDS_AT:
      g_value_set_string (value, self->ends_at);
      break;
    case PROP_CHANNEL:
      g_value_set_enum (value, self->channel);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_HELD_UNTIL:
      g_value_set_string (value, self->held_until);
      break;
    case PROP_APPOINTMENT_ID:
      g_value_set_int64 (value, self->appointment_id);
      break;
    case PROP_PATIENT_LABEL:
      g_value_set_string (value, self->patient_label);
      break;
    case PROP_QUEUE_NUMBER:
      g_value_set_int (value, self->queue_number);
      break;
    case PROP_ORDER_NO:
      g_value_set_string (value, self->order_no);
      break;
    case PROP_ORDER_AMOUNT:
      g_value_set_int64 (value, self->order_amount);
      break;
    case PROP_ORDER_STATUS:
      g_value_set_string (value, self->order_status);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_slot_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  RdSlot *self = RD_SLOT (object);

  switch (prop_id)
    {
    case PROP_SEQ:
      self->seq = g_value_get_int (value);
      break;
    case PROP_STARTS_AT:
      rd_slot_set_starts_at (self, g_value_get_string (value));
      break;
    case PROP_ENDS_AT:
      rd_slot_set_ends_at (self, g_value_get_string (value));
      break;
    case PROP_CHANNEL:
      rd_slot_set_channel (self, g_value_get_enum (value));
      break;
    case PROP_STATUS:
      rd_slot_set_status (self, g_value_get_enum (value));
      break;
    case PROP_HELD_UNTIL:
      rd_slot_set_held_until (self, g_value_get_string (value));
      break;
    case PROP_APPOINTMENT_ID:
      rd_slot_set_appointment_id (self, g_value_get_int64 (value));
      break;
    case PROP_PATIENT_LABEL:
      rd_slot_set_patient_label (self, g_value_get_string (value));
      break;
    case PROP_QUEUE_NUMBER:
      rd_slot_set_queue_number (self, g_value_get_int (value));
      break;
    case PROP_ORDER_NO:
      rd_slot_set_order (self, g_value_get_string (value), self->order_amount,
                         self->order_status);
      break;
    case PROP_ORDER_AMOUNT:
      rd_slot_set_order (self, self->order_no, g_value_get_int64 (value), self->order_status);
      break;
    case PROP_ORDER_STATUS:
      rd_slot_set_order (self, self->order_no, self->order_amount, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_slot_class_init (RdSlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rd_slot_finalize;
  object_class->get_property = rd_slot_get_property;
  object_class->set_property = rd_slot_set_property;

  properties[PROP_SEQ] =
    g_param_spec_int ("seq", NULL, NULL,
                      0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STARTS_AT] =
    g_param_spec_string ("starts-at", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ENDS_AT] =
    g_param_spec_string ("ends-at", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CHANNEL] =
    g_param_spec_enum ("channel", NULL, NULL,
                       RD_TYPE_CHANNEL, RD_CHANNEL_WINDOW,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       RD_TYPE_SLOT_STATUS, RD_SLOT_STATUS_FREE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HELD_UNTIL] =
    g_param_spec_string ("held-until", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_APPOINTMENT_ID] =
    g_param_spec_int64 ("appointment-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PATIENT_LABEL] =
    g_param_spec_string ("patient-label", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_QUEUE_NUMBER] =
    g_param_spec_int ("queue-number", NULL, NULL,
                      0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ORDER_NO] =
    g_param_spec_string ("order-no", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ORDER_AMOUNT] =
    g_param_spec_int64 ("order-amount", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ORDER_STATUS] =
    g_param_spec_string ("order-status", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_slot_init (RdSlot *self)
{
  self->channel = RD_CHANNEL_WINDOW;
  self->status = RD_SLOT_STATUS_FREE;
}

RdSlot *
rd_slot_new (int seq)
{
  g_return_val_if_fail (seq >= 0, NULL);

  return g_object_new (RD_TYPE_SLOT, "seq", seq, NULL);
}

int
rd_slot_get_seq (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), 0);

  return self->seq;
}

const char *
rd_slot_get_starts_at (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), NULL);

  return self->starts_at;
}

const char *
rd_slot_get_ends_at (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), NULL);

  return self->ends_at;
}

RdChannel
rd_slot_get_channel (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), RD_CHANNEL_WINDOW);

  return self->channel;
}

RdSlotStatus
rd_slot_get_status (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), RD_SLOT_STATUS_FREE);

  return self->status;
}

const char *
rd_slot_get_held_until (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), NULL);

  return self->held_until;
}

gint64
rd_slot_get_appointment_id (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), 0);

  return self->appointment_id;
}

const char *
rd_slot_get_patient_label (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), NULL);

  return self->patient_label;
}

int
rd_slot_get_queue_number (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), 0);

  return self->queue_number;
}

void
rd_slot_set_starts_at (RdSlot     *self,
                       const char *starts_at)
{
  g_return_if_fail (RD_IS_SLOT (self));

  set_string (self, &self->starts_at, starts_at, PROP_STARTS_AT);
}

void
rd_slot_set_ends_at (RdSlot     *self,
                     const char *ends_at)
{
  g_return_if_fail (RD_IS_SLOT (self));

  set_string (self, &self->ends_at, ends_at, PROP_ENDS_AT);
}

void
rd_slot_set_channel (RdSlot    *self,
                     RdChannel  channel)
{
  g_return_if_fail (RD_IS_SLOT (self));
  g_return_if_fail (channel <= RD_CHANNEL_PHONE);

  set_channel (self, channel);
}

void
rd_slot_set_status (RdSlot       *self,
                    RdSlotStatus  status)
{
  g_return_if_fail (RD_IS_SLOT (self));
  g_return_if_fail (status <= RD_SLOT_STATUS_LOCKED);

  set_status (self, status);
}

void
rd_slot_set_held_until (RdSlot     *self,
                        const char *held_until)
{
  g_return_if_fail (RD_IS_SLOT (self));

  set_string (self, &self->held_until, held_until, PROP_HELD_UNTIL);
}

void
rd_slot_set_appointment_id (RdSlot *self,
                            gint64  appointment_id)
{
  g_return_if_fail (RD_IS_SLOT (self));
  g_return_if_fail (appointment_id >= 0);

  set_appointment_id (self, appointment_id);
}

void
rd_slot_set_patient_label (RdSlot     *self,
                           const char *patient_label)
{
  g_return_if_fail (RD_IS_SLOT (self));

  set_string (self, &self->patient_label, patient_label, PROP_PATIENT_LABEL);
}

void
rd_slot_set_queue_number (RdSlot *self,
                          int     queue_number)
{
  g_return_if_fail (RD_IS_SLOT (self));
  g_return_if_fail (queue_number >= 0);

  set_int (self, &self->queue_number, queue_number, PROP_QUEUE_NUMBER);
}

const char *
rd_slot_get_order_no (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), NULL);

  return self->order_no;
}

gint64
rd_slot_get_order_amount (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), 0);

  return self->order_amount;
}

const char *
rd_slot_get_order_status (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), NULL);

  return self->order_status;
}

void
rd_slot_set_order (RdSlot     *self,
                   const char *order_no,
                   gint64      amount,
                   const char *status)
{
  g_return_if_fail (RD_IS_SLOT (self));
  g_return_if_fail (amount >= 0);

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->order_no, order_no, PROP_ORDER_NO);
  set_int64 (self, &self->order_amount, amount, PROP_ORDER_AMOUNT);
  set_string (self, &self->order_status, status, PROP_ORDER_STATUS);
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
rd_slot_is_bookable (RdSlot *self)
{
  g_return_val_if_fail (RD_IS_SLOT (self), FALSE);

  return self->status == RD_SLOT_STATUS_FREE && self->channel == RD_CHANNEL_WINDOW;
}

gboolean
rd_slot_update_from (RdSlot *self,
                     RdSlot *other)
{
  gboolean changed = FALSE;

  g_return_val_if_fail (RD_IS_SLOT (self), FALSE);
  g_return_val_if_fail (RD_IS_SLOT (other), FALSE);
  g_return_val_if_fail (self->seq == other->seq, FALSE);

  if (self == other)
    return FALSE;

  /* Handlers see the slot whole: notifications wait until every value is in. */
  g_object_freeze_notify (G_OBJECT (self));

  changed |= set_string (self, &self->starts_at, other->starts_at, PROP_STARTS_AT);
  changed |= set_string (self, &self->ends_at, other->ends_at, PROP_ENDS_AT);
  changed |= set_channel (self, other->channel);
  changed |= set_status (self, other->status);
  changed |= set_string (self, &self->held_until, other->held_until, PROP_HELD_UNTIL);
  changed |= set_appointment_id (self, other->appointment_id);
  changed |= set_string (self, &self->patient_label, other->patient_label, PROP_PATIENT_LABEL);
  changed |= set_int (self, &self->queue_number, other->queue_number, PROP_QUEUE_NUMBER);
  changed |= set_string (self, &self->order_no, other->order_no, PROP_ORDER_NO);
  changed |= set_int64 (self, &self->order_amount, other->order_amount, PROP_ORDER_AMOUNT);
  changed |= set_string (self, &self->order_status, other->order_status, PROP_ORDER_STATUS);

  g_object_thaw_notify (G_OBJECT (self));

  return changed;
}
