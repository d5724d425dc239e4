/* rd-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include "rd-enum-types.h"
#include "rd-session.h"

struct _RdSession
{
  GObject             parent_instance;

  gint64              id;
  gint64              hospital_id;
  gint64              department_id;
  gint64              doctor_id;
  char               *department_name;
  char               *department_code;
  char               *department_pinyin;
  char               *doctor_name;
  char               *doctor_title;
  char               *clinic_type;
  gint64              fee;
  char               *date;
  char               *starts_at;
  char               *ends_at;
  RdPeriod            period;
  RdSessionStatus     status;
  RdAllocationPolicy  policy;
  int                 capacity;
  int                 free[RD_CHANNEL_PHONE + 1];
  int                 booked;
};

G_DEFINE_FINAL_TYPE (RdSession, rd_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_HOSPITAL_ID,
  PROP_DEPARTMENT_ID,
  PROP_DOCTOR_ID,
  PROP_DEPARTMENT_NAME,
  PROP_DEPARTMENT_CODE,
  PROP_DEPARTMENT_PINYIN,
  PROP_DOCTOR_NAME,
  PROP_DOCTOR_TITLE,
  PROP_CLINIC_TYPE,
  PROP_FEE,
  PROP_DATE,
  PROP_PERIOD,
  PROP_STARTS_AT,
  PROP_ENDS_AT,
  PROP_STATUS,
  PROP_POLICY,
  PROP_CAPACITY,
  PROP_FREE_WINDOW,
  PROP_FREE_ONLINE,
  PROP_FREE_PHONE,
  PROP_FREE_TOTAL,
  PROP_BOOKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_int64 (RdSession *self,
           gint64    *field,
           gint64     value,
           guint      prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_int (RdSession *self,
         int       *field,
         int        value,
         guint      prop_id)
{
  if (*field == value)
    return;

  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
set_string (RdSession   *self,
            char       **field,
            const char  *value,
            guint        prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
rd_session_finalize (GObject *object)
{
  RdSession *self = (RdSession *) object;

  g_clear_pointer (&self->department_name, g_free);
  g_clear_pointer (&self->department_code, g_free);
  g_clear_pointer (&self->department_pinyin, g_free);
  g_clear_pointer (&self->doctor_name, g_free);
  g_clear_pointer (&self->doctor_title, g_free);
  g_clear_pointer (&self->clinic_type, g_free);
  g_clear_pointer (&self->date, g_free);
  g_clear_pointer (&self->starts_at, g_free);
  g_clear_pointer (&self->ends_at, g_free);

  G_OBJECT_CLASS (rd_session_parent_class)->finalize (object);
}

static void
rd_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RdSession *self = RD_SESSION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_HOSPITAL_ID:
      g_value_set_int64 (value, self->hospital_id);
      break;
    case PROP_DEPARTMENT_ID:
      g_value_set_int64 (value, self->department_id);
      break;
    case PROP_DOCTOR_ID:
      g_value_set_int64 (value, self->doctor_id);
      break;
    case PROP_DEPARTMENT_NAME:
      g_value_set_string (value, self->department_name);
      break;
    case PROP_DEPARTMENT_CODE:
      g_value_set_string (value, self->department_code);
      break;
    case PROP_DEPARTMENT_PINYIN:
      g_value_set_string (value, self->department_pinyin);
      break;
    case PROP_DOCTOR_NAME:
      g_value_set_string (value, self->doctor_name);
      break;
    case PROP_DOCTOR_TITLE:
      g_value_set_string (value, self->doctor_title);
      break;
    case PROP_CLINIC_TYPE:
      g_value_set_string (value, self->clinic_type);
      break;
    case PROP_FEE:
      g_value_set_int64 (value, self->fee);
      break;
    case PROP_DATE:
      g_value_set_string (value, self->date);
      break;
    case PROP_PERIOD:
      g_value_set_enum (value, self->period);
      break;
    case PROP_STARTS_AT:
      g_value_set_string (value, self->starts_at);
      break;
    case PROP_ENDS_AT:
      g_value_set_string (value, self->ends_at);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_POLICY:
      g_value_set_enum (value, self->policy);
      break;
    case PROP_CAPACITY:
      g_value_set_int (value, self->capacity);
      break;
    case PROP_FREE_WINDOW:
      g_value_set_int (value, self->free[RD_CHANNEL_WINDOW]);
      break;
    case PROP_FREE_ONLINE:
      g_value_set_int (value, self->free[RD_CHANNEL_ONLINE]);
      break;
    case PROP_FREE_PHONE:
      g_value_set_int (value, self->free[RD_CHANNEL_PHONE]);
      break;
    case PROP_FREE_TOTAL:
      g_value_set_int (value, rd_session_get_free_total (self));
      break;
    case PROP_BOOKED:
      g_value_set_int (value, self->booked);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  RdSession *self = RD_SESSION (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;
    case PROP_HOSPITAL_ID:
      rd_session_set_hospital_id (self, g_value_get_int64 (value));
      break;
    case PROP_DEPARTMENT_ID:
      rd_session_set_department_id (self, g_value_get_int64 (value));
      break;
    case PROP_DOCTOR_ID:
      rd_session_set_doctor_id (self, g_value_get_int64 (value));
      break;
    case PROP_DEPARTMENT_NAME:
      rd_session_set_department_name (self, g_value_get_string (value));
      break;
    case PROP_DEPARTMENT_CODE:
      rd_session_set_department_code (self, g_value_get_string (value));
      break;
    case PROP_DEPARTMENT_PINYIN:
      rd_session_set_department_pinyin (self, g_value_get_string (value));
      break;
    case PROP_DOCTOR_NAME:
      rd_session_set_doctor_name (self, g_value_get_string (value));
      break;
    case PROP_DOCTOR_TITLE:
      rd_session_set_doctor_title (self, g_value_get_string (value));
      break;
    case PROP_CLINIC_TYPE:
      rd_session_set_clinic_type (self, g_value_get_string (value));
      break;
    case PROP_FEE:
      rd_session_set_fee (self, g_value_get_int64 (value));
      break;
    case PROP_DATE:
      rd_session_set_date (self, g_value_get_string (value));
      break;
    case PROP_PERIOD:
      rd_session_set_period (self, g_value_get_enum (value));
      break;
    case PROP_STARTS_AT:
      rd_session_set_starts_at (self, g_value_get_string (value));
      break;
    case PROP_ENDS_AT:
      rd_session_set_ends_at (self, g_value_get_string (value));
      break;
    case PROP_STATUS:
      rd_session_set_status (self, g_value_get_enum (value));
      break;
    case PROP_POLICY:
      rd_session_set_policy (self, g_value_get_enum (value));
      break;
    case PROP_CAPACITY:
      rd_session_set_capacity (self, g_value_get_int (value));
      break;
    case PROP_FREE_WINDOW:
      rd_session_set_free (self, RD_CHANNEL_WINDOW, g_value_get_int (value));
      break;
    case PROP_FREE_ONLINE:
      rd_session_set_free (self, RD_CHANNEL_ONLINE, g_value_get_int (value));
      break;
    case PROP_FREE_PHONE:
      rd_session_set_free (self, RD_CHANNEL_PHONE, g_value_get_int (value));
      break;
    case PROP_BOOKED:
      rd_session_set_booked (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_session_class_init (RdSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = rd_session_finalize;
  object_class->get_property = rd_session_get_property;
  object_class->set_property = rd_session_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOSPITAL_ID] =
    g_param_spec_int64 ("hospital-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_DEPARTMENT_ID] =
    g_param_spec_int64 ("department-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_DOCTOR_ID] =
    g_param_spec_int64 ("doctor-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_DEPARTMENT_NAME] =
    g_param_spec_string ("department-name", NULL, NULL, NULL, flags);
  properties[PROP_DEPARTMENT_CODE] =
    g_param_spec_string ("department-code", NULL, NULL, NULL, flags);
  properties[PROP_DEPARTMENT_PINYIN] =
    g_param_spec_string ("department-pinyin", NULL, NULL, NULL, flags);
  properties[PROP_DOCTOR_NAME] =
    g_param_spec_string ("doctor-name", NULL, NULL, NULL, flags);
  properties[PROP_DOCTOR_TITLE] =
    g_param_spec_string ("doctor-title", NULL, NULL, NULL, flags);
  properties[PROP_CLINIC_TYPE] =
    g_param_spec_string ("clinic-type", NULL, NULL, NULL, flags);
  properties[PROP_FEE] =
    g_param_spec_int64 ("fee", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_DATE] =
    g_param_spec_string ("date", NULL, NULL, NULL, flags);
  properties[PROP_PERIOD] =
    g_param_spec_enum ("period", NULL, NULL,
                       RD_TYPE_PERIOD, RD_PERIOD_MORNING, flags);
  properties[PROP_STARTS_AT] =
    g_param_spec_string ("starts-at", NULL, NULL, NULL, flags);
  properties[PROP_ENDS_AT] =
    g_param_spec_string ("ends-at", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL,
                       RD_TYPE_SESSION_STATUS, RD_SESSION_STATUS_OPEN, flags);
  properties[PROP_POLICY] =
    g_param_spec_enum ("policy", NULL, NULL,
                       RD_TYPE_ALLOCATION_POLICY, RD_ALLOCATION_POLICY_FCFS, flags);
  properties[PROP_CAPACITY] =
    g_param_spec_int ("capacity", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_FREE_WINDOW] =
    g_param_spec_int ("free-window", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_FREE_ONLINE] =
    g_param_spec_int ("free-online", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_FREE_PHONE] =
    g_param_spec_int ("free-phone", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_FREE_TOTAL] =
    g_param_spec_int ("free-total", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BOOKED] =
    g_param_spec_int ("booked", NULL, NULL, 0, G_MAXINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_session_init (RdSession *self)
{
}

RdSession *
rd_session_new (gint64 id)
{
  g_return_val_if_fail (id >= 0, NULL);

  return g_object_new (RD_TYPE_SESSION, "id", id, NULL);
}

gint64
rd_session_get_id (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), 0);

  return self->id;
}

gint64
rd_session_get_hospital_id (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), 0);

  return self->hospital_id;
}

gint64
rd_session_get_department_id (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), 0);

  return self->department_id;
}

gint64
rd_session_get_doctor_id (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), 0);

  return self->doctor_id;
}

const char *
rd_session_get_department_name (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->department_name;
}

const char *
rd_session_get_department_code (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->department_code;
}

const char *
rd_session_get_department_pinyin (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->department_pinyin;
}

const char *
rd_session_get_doctor_name (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->doctor_name;
}

const char *
rd_session_get_doctor_title (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->doctor_title;
}

const char *
rd_session_get_clinic_type (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->clinic_type;
}

gint64
rd_session_get_fee (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), 0);

  return self->fee;
}

const char *
rd_session_get_date (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->date;
}

RdPeriod
rd_session_get_period (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), RD_PERIOD_MORNING);

  return self->period;
}

const char *
rd_session_get_starts_at (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->starts_at;
}

const char *
rd_session_get_ends_at (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), NULL);

  return self->ends_at;
}

RdSessionStatus
rd_session_get_status (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), RD_SESSION_STATUS_OPEN);

  return self->status;
}

RdAllocationPolicy
rd_session_get_policy (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), RD_ALLOCATION_POLICY_FCFS);

  return self->policy;
}

int
rd_session_get_capacity (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), 0);

  return self->capacity;
}

int
rd_session_get_free (RdSession *self,
                     RdChannel  channel)
{
  g_return_val_if_fail (RD_IS_SESSION (self), 0);
  g_return_val_if_fail (channel <= RD_CHANNEL_PHONE, 0);

  return self->free[channel];
}

int
rd_session_get_free_total (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), 0);

  return self->free[RD_CHANNEL_WINDOW] + self->free[RD_CHANNEL_ONLINE]
         + self->free[RD_CHANNEL_PHONE];
}

int
rd_session_get_booked (RdSession *self)
{
  g_return_val_if_fail (RD_IS_SESSION (self), 0);

  return self->booked;
}

void
rd_session_set_hospital_id (RdSession *self,
                            gint64     hospital_id)
{
  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (hospital_id >= 0);

  set_int64 (self, &self->hospital_id, hospital_id, PROP_HOSPITAL_ID);
}

void
rd_session_set_department_id (RdSession *self,
                              gint64     department_id)
{
  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (department_id >= 0);

  set_int64 (self, &self->department_id, department_id, PROP_DEPARTMENT_ID);
}

void
rd_session_set_doctor_id (RdSession *self,
                          gint64     doctor_id)
{
  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (doctor_id >= 0);

  set_int64 (self, &self->doctor_id, doctor_id, PROP_DOCTOR_ID);
}

void
rd_session_set_department_name (RdSession  *self,
                                const char *name)
{
  g_return_if_fail (RD_IS_SESSION (self));

  set_string (self, &self->department_name, name, PROP_DEPARTMENT_NAME);
}

void
rd_session_set_department_code (RdSession  *self,
                                const char *code)
{
  g_return_if_fail (RD_IS_SESSION (self));

  set_string (self, &self->department_code, code, PROP_DEPARTMENT_CODE);
}

void
rd_session_set_department_pinyin (RdSession  *self,
                                  const char *pinyin)
{
  g_return_if_fail (RD_IS_SESSION (self));

  set_string (self, &self->department_pinyin, pinyin, PROP_DEPARTMENT_PINYIN);
}

void
rd_session_set_doctor_name (RdSession  *self,
                            const char *name)
{
  g_return_if_fail (RD_IS_SESSION (self));

  set_string (self, &self->doctor_name, name, PROP_DOCTOR_NAME);
}

void
rd_session_set_doctor_title (RdSession  *self,
                             const char *title)
{
  g_return_if_fail (RD_IS_SESSION (self));

  set_string (self, &self->doctor_title, title, PROP_DOCTOR_TITLE);
}

void
rd_session_set_clinic_type (RdSession  *self,
                            const char *clinic_type)
{
  g_return_if_fail (RD_IS_SESSION (self));

  set_string (self, &self->clinic_type, clinic_type, PROP_CLINIC_TYPE);
}

void
rd_session_set_fee (RdSession *self,
                    gint64     fee)
{
  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (fee >= 0);

  set_int64 (self, &self->fee, fee, PROP_FEE);
}

void
rd_session_set_date (RdSession  *self,
                     const char *date)
{
  g_return_if_fail (RD_IS_SESSION (self));

  set_string (self, &self->date, date, PROP_DATE);
}

void
rd_session_set_period (RdSession *self,
                       RdPeriod   period)
{
  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (period <= RD_PERIOD_EVENING);

  if (self->period == period)
    return;

  self->period = period;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERIOD]);
}

void
rd_session_set_starts_at (RdSession  *self,
                          const char *starts_at)
{
  g_return_if_fail (RD_IS_SESSION (self));

  set_string (self, &self->starts_at, starts_at, PROP_STARTS_AT);
}

void
rd_session_set_ends_at (RdSession  *self,
                        const char *ends_at)
{
  g_return_if_fail (RD_IS_SESSION (self));

  set_string (self, &self->ends_at, ends_at, PROP_ENDS_AT);
}

void
rd_session_set_status (RdSession       *self,
                       RdSessionStatus  status)
{
  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (status <= RD_SESSION_STATUS_CLOSED);

  if (self->status == status)
    return;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

void
rd_session_set_policy (RdSession          *self,
                       RdAllocationPolicy  policy)
{
  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (policy <= RD_ALLOCATION_POLICY_LOTTERY);

  if (self->policy == policy)
    return;

  self->policy = policy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POLICY]);
}

void
rd_session_set_capacity (RdSession *self,
                         int        capacity)
{
  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (capacity >= 0);

  set_int (self, &self->capacity, capacity, PROP_CAPACITY);
}

void
rd_session_set_free (RdSession *self,
                     RdChannel  channel,
                     int        n_free)
{
  static const guint props[] = {
    [RD_CHANNEL_WINDOW] = PROP_FREE_WINDOW,
    [RD_CHANNEL_ONLINE] = PROP_FREE_ONLINE,
    [RD_CHANNEL_PHONE] = PROP_FREE_PHONE,
  };

  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (channel <= RD_CHANNEL_PHONE);
  g_return_if_fail (n_free >= 0);

  if (self->free[channel] == n_free)
    return;

  self->free[channel] = n_free;
  g_object_notify_by_pspec (G_OBJECT (self), properties[props[channel]]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FREE_TOTAL]);
}

void
rd_session_set_booked (RdSession *self,
                       int        booked)
{
  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (booked >= 0);

  set_int (self, &self->booked, booked, PROP_BOOKED);
}

void
rd_session_update (RdSession *self,
                   RdSession *from)
{
  int old_free_total;

  g_return_if_fail (RD_IS_SESSION (self));
  g_return_if_fail (RD_IS_SESSION (from));
  g_return_if_fail (self->id == from->id);

  if (self == from)
    return;

  old_free_total = rd_session_get_free_total (self);

  /* One burst of notifications once every property holds its new value,
   * so a handler never sees half an update. */
  g_object_freeze_notify (G_OBJECT (self));

  rd_session_set_hospital_id (self, from->hospital_id);
  rd_session_set_department_id (self, from->department_id);
  rd_session_set_doctor_id (self, from->doctor_id);
  rd_session_set_department_name (self, from->department_name);
  rd_session_set_department_code (self, from->department_code);
  rd_session_set_department_pinyin (self, from->department_pinyin);
  rd_session_set_doctor_name (self, from->doctor_name);
  rd_session_set_doctor_title (self, from->doctor_title);
  rd_session_set_clinic_type (self, from->clinic_type);
  rd_session_set_fee (self, from->fee);
  rd_session_set_date (self, from->date);
  rd_session_set_period (self, from->period);
  rd_session_set_starts_at (self, from->starts_at);
  rd_session_set_ends_at (self, from->ends_at);
  rd_session_set_status (self, from->status);
  rd_session_set_policy (self, from->policy);
  rd_session_set_capacity (self, from->capacity);

  /* Each channel's count is written directly: moving a slot between
   * channels keeps the total, and free-total must not be notified then. */
  for (guint i = 0; i < G_N_ELEMENTS (self->free); i++)
    {
      static const guint props[] = { PROP_FREE_WINDOW, PROP_FREE_ONLINE, PROP_FREE_PHONE };

      set_int (self, &self->free[i], from->free[i], props[i]);
    }
  if (rd_session_get_free_total (self) != old_free_total)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FREE_TOTAL]);

  rd_session_set_booked (self, from->booked);

  g_object_thaw_notify (G_OBJECT (self));
}
