/* rd-patient.c: one patient as the desk finds and registers them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include "rd-patient.h"

struct _RdPatient
{
  GObject   parent_instance;

  gint64    id;
  char     *name;
  char     *pinyin;
  char     *sex;
  char     *birth_date;
  char     *id_type;
  char     *id_number;
  char     *phone;
  char     *card_no;
  gboolean  disabled;
  gboolean  military;
};

G_DEFINE_FINAL_TYPE (RdPatient, rd_patient, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_PINYIN,
  PROP_SEX,
  PROP_BIRTH_DATE,
  PROP_ID_TYPE,
  PROP_ID_NUMBER,
  PROP_PHONE,
  PROP_CARD_NO,
  PROP_DISABLED,
  PROP_MILITARY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The string field behind a string property, NULL for other properties. */
static char **
string_field (RdPatient *self,
              guint      prop_id)
{
  switch (prop_id)
    {
    case PROP_NAME:
      return &self->name;
    case PROP_PINYIN:
      return &self->pinyin;
    case PROP_SEX:
      return &self->sex;
    case PROP_BIRTH_DATE:
      return &self->birth_date;
    case PROP_ID_TYPE:
      return &self->id_type;
    case PROP_ID_NUMBER:
      return &self->id_number;
    case PROP_PHONE:
      return &self->phone;
    case PROP_CARD_NO:
      return &self->card_no;
    default:
      return NULL;
    }
}

static void
rd_patient_finalize (GObject *object)
{
  RdPatient *self = RD_PATIENT (object);

  for (guint prop_id = PROP_NAME; prop_id <= PROP_CARD_NO; prop_id++)
    g_clear_pointer (string_field (self, prop_id), g_free);

  G_OBJECT_CLASS (rd_patient_parent_class)->finalize (object);
}

static void
rd_patient_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RdPatient *self = RD_PATIENT (object);
  char **field = string_field (self, prop_id);

  if (field != NULL)
    {
      g_value_set_string (value, *field);
      return;
    }

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;

    case PROP_DISABLED:
      g_value_set_boolean (value, self->disabled);
      break;

    case PROP_MILITARY:
      g_value_set_boolean (value, self->military);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_patient_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  RdPatient *self = RD_PATIENT (object);
  char **field = string_field (self, prop_id);
  gboolean flag;

  if (field != NULL)
    {
      const char *text = g_value_get_string (value);

      if (g_strcmp0 (*field, text) != 0)
        {
          g_free (*field);
          *field = g_strdup (text);
          g_object_notify_by_pspec (object, pspec);
        }
      return;
    }

  switch (prop_id)
    {
    case PROP_ID:
      if (self->id != g_value_get_int64 (value))
        {
          self->id = g_value_get_int64 (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_DISABLED:
    case PROP_MILITARY:
      flag = g_value_get_boolean (value);
      if (prop_id == PROP_DISABLED && self->disabled != flag)
        {
          self->disabled = flag;
          g_object_notify_by_pspec (object, pspec);
        }
      else if (prop_id == PROP_MILITARY && self->military != flag)
        {
          self->military = flag;
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_patient_class_init (RdPatientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                            G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = rd_patient_finalize;
  object_class->get_property = rd_patient_get_property;
  object_class->set_property = rd_patient_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_PINYIN] = g_param_spec_string ("pinyin", NULL, NULL, NULL, flags);
  properties[PROP_SEX] = g_param_spec_string ("sex", NULL, NULL, NULL, flags);
  properties[PROP_BIRTH_DATE] = g_param_spec_string ("birth-date", NULL, NULL, NULL, flags);
  properties[PROP_ID_TYPE] = g_param_spec_string ("id-type", NULL, NULL, "none", flags);
  properties[PROP_ID_NUMBER] = g_param_spec_string ("id-number", NULL, NULL, NULL, flags);
  properties[PROP_PHONE] = g_param_spec_string ("phone", NULL, NULL, NULL, flags);
  properties[PROP_CARD_NO] = g_param_spec_string ("card-no", NULL, NULL, NULL, flags);
  properties[PROP_DISABLED] = g_param_spec_boolean ("disabled", NULL, NULL, FALSE, flags);
  properties[PROP_MILITARY] = g_param_spec_boolean ("military", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_patient_init (RdPatient *self)
{
  self->id_type = g_strdup ("none");
}

RdPatient *
rd_patient_new (void)
{
  return g_object_new (RD_TYPE_PATIENT, NULL);
}

gint64
rd_patient_get_id (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), 0);
  return self->id;
}

const char *
rd_patient_get_name (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), NULL);
  return self->name;
}

const char *
rd_patient_get_pinyin (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), NULL);
  return self->pinyin;
}

const char *
rd_patient_get_sex (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), NULL);
  return self->sex;
}

const char *
rd_patient_get_birth_date (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), NULL);
  return self->birth_date;
}

const char *
rd_patient_get_id_type (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), NULL);
  return self->id_type;
}

const char *
rd_patient_get_id_number (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), NULL);
  return self->id_number;
}

const char *
rd_patient_get_phone (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), NULL);
  return self->phone;
}

const char *
rd_patient_get_card_no (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), NULL);
  return self->card_no;
}

gboolean
rd_patient_get_disabled (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), FALSE);
  return self->disabled;
}

gboolean
rd_patient_get_military (RdPatient *self)
{
  g_return_val_if_fail (RD_IS_PATIENT (self), FALSE);
  return self->military;
}
