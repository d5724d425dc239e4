/* rd-department.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include "rd-department.h"

struct _RdDepartment
{
  GObject  parent_instance;

  gint64   id;
  gint64   parent_id;
  gint64   hospital_id;
  char    *code;
  char    *name;
  char    *pinyin;
  int      n_sessions;
  int      n_free;
};

G_DEFINE_FINAL_TYPE (RdDepartment, rd_department, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_PARENT_ID,
  PROP_HOSPITAL_ID,
  PROP_CODE,
  PROP_NAME,
  PROP_PINYIN,
  PROP_N_SESSIONS,
  PROP_N_FREE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_string (RdDepartment  *self,
            char         **field,
            const char    *value,
            guint          prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
rd_department_finalize (GObject *object)
{
  RdDepartment *self = (RdDepartment *) object;

  g_clear_pointer (&self->code, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->pinyin, g_free);

  G_OBJECT_CLASS (rd_department_parent_class)->finalize (object);
}

static void
rd_department_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  RdDepartment *self = RD_DEPARTMENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_PARENT_ID:
      g_value_set_int64 (value, self->parent_id);
      break;
    case PROP_HOSPITAL_ID:
      g_value_set_int64 (value, self->hospital_id);
      break;
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PINYIN:
      g_value_set_string (value, self->pinyin);
      break;
    case PROP_N_SESSIONS:
      g_value_set_int (value, self->n_sessions);
      break;
    case PROP_N_FREE:
      g_value_set_int (value, self->n_free);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_department_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  RdDepartment *self = RD_DEPARTMENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;
    case PROP_PARENT_ID:
      rd_department_set_parent_id (self, g_value_get_int64 (value));
      break;
    case PROP_HOSPITAL_ID:
      rd_department_set_hospital_id (self, g_value_get_int64 (value));
      break;
    case PROP_CODE:
      rd_department_set_code (self, g_value_get_string (value));
      break;
    case PROP_NAME:
      rd_department_set_name (self, g_value_get_string (value));
      break;
    case PROP_PINYIN:
      rd_department_set_pinyin (self, g_value_get_string (value));
      break;
    case PROP_N_SESSIONS:
      rd_department_set_n_sessions (self, g_value_get_int (value));
      break;
    case PROP_N_FREE:
      rd_department_set_n_free (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_department_class_init (RdDepartmentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = rd_department_finalize;
  object_class->get_property = rd_department_get_property;
  object_class->set_property = rd_department_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PARENT_ID] =
    g_param_spec_int64 ("parent-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_HOSPITAL_ID] =
    g_param_spec_int64 ("hospital-id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_PINYIN] =
    g_param_spec_string ("pinyin", NULL, NULL, NULL, flags);
  properties[PROP_N_SESSIONS] =
    g_param_spec_int ("n-sessions", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_N_FREE] =
    g_param_spec_int ("n-free", NULL, NULL, 0, G_MAXINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_department_init (RdDepartment *self)
{
}

RdDepartment *
rd_department_new (gint64 id)
{
  g_return_val_if_fail (id >= 0, NULL);

  return g_object_new (RD_TYPE_DEPARTMENT, "id", id, NULL);
}

gint64
rd_department_get_id (RdDepartment *self)
{
  g_return_val_if_fail (RD_IS_DEPARTMENT (self), 0);

  return self->id;
}

gint64
rd_department_get_parent_id (RdDepartment *self)
{
  g_return_val_if_fail (RD_IS_DEPARTMENT (self), 0);

  return self->parent_id;
}

gint64
rd_department_get_hospital_id (RdDepartment *self)
{
  g_return_val_if_fail (RD_IS_DEPARTMENT (self), 0);

  return self->hospital_id;
}

const char *
rd_department_get_name (RdDepartment *self)
{
  g_return_val_if_fail (RD_IS_DEPARTMENT (self), NULL);

  return self->name;
}

const char *
rd_department_get_code (RdDepartment *self)
{
  g_return_val_if_fail (RD_IS_DEPARTMENT (self), NULL);

  return self->code;
}

const char *
rd_department_get_pinyin (RdDepartment *self)
{
  g_return_val_if_fail (RD_IS_DEPARTMENT (self), NULL);

  return self->pinyin;
}

int
rd_department_get_n_sessions (RdDepartment *self)
{
  g_return_val_if_fail (RD_IS_DEPARTMENT (self), 0);

  return self->n_sessions;
}

int
rd_department_get_n_free (RdDepartment *self)
{
  g_return_val_if_fail (RD_IS_DEPARTMENT (self), 0);

  return self->n_free;
}

void
rd_department_set_parent_id (RdDepartment *self,
                             gint64        parent_id)
{
  g_return_if_fail (RD_IS_DEPARTMENT (self));
  g_return_if_fail (parent_id >= 0);

  if (self->parent_id == parent_id)
    return;

  self->parent_id = parent_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARENT_ID]);
}

void
rd_department_set_hospital_id (RdDepartment *self,
                               gint64        hospital_id)
{
  g_return_if_fail (RD_IS_DEPARTMENT (self));
  g_return_if_fail (hospital_id >= 0);

  if (self->hospital_id == hospital_id)
    return;

  self->hospital_id = hospital_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOSPITAL_ID]);
}

void
rd_department_set_code (RdDepartment *self,
                        const char   *code)
{
  g_return_if_fail (RD_IS_DEPARTMENT (self));

  set_string (self, &self->code, code, PROP_CODE);
}

void
rd_department_set_name (RdDepartment *self,
                        const char   *name)
{
  g_return_if_fail (RD_IS_DEPARTMENT (self));

  set_string (self, &self->name, name, PROP_NAME);
}

void
rd_department_set_pinyin (RdDepartment *self,
                          const char   *pinyin)
{
  g_return_if_fail (RD_IS_DEPARTMENT (self));

  set_string (self, &self->pinyin, pinyin, PROP_PINYIN);
}

void
rd_department_set_n_sessions (RdDepartment *self,
                              int           n_sessions)
{
  g_return_if_fail (RD_IS_DEPARTMENT (self));
  g_return_if_fail (n_sessions >= 0);

  if (self->n_sessions == n_sessions)
    return;

  self->n_sessions = n_sessions;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SESSIONS]);
}

void
rd_department_set_n_free (RdDepartment *self,
                          int           n_free)
{
  g_return_if_fail (RD_IS_DEPARTMENT (self));
  g_return_if_fail (n_free >= 0);

  if (self->n_free == n_free)
    return;

  self->n_free = n_free;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FREE]);
}
