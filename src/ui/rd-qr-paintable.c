/* rd-qr-paintable.c: a QR code (libqrencode) as a GdkPaintable and on cairo
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <qrencode.h>
#include <string.h>

#include "rd-qr-paintable.h"

/* Modules with the quiet zone, row by row, TRUE for dark. */
typedef struct
{
  guint   size;
  guint8 *modules;
} QrMatrix;

struct _RdQrPaintable
{
  GObject   parent_instance;

  char     *text;
  QrMatrix *matrix;
};

static void rd_qr_paintable_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RdQrPaintable, rd_qr_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      rd_qr_paintable_paintable_init))

enum {
  PROP_0,
  PROP_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Pixels per module when nothing else decides. */
#define INTRINSIC_MODULE_PX 4

static void
qr_matrix_free (QrMatrix *matrix)
{
  if (matrix == NULL)
    return;

  g_free (matrix->modules);
  g_free (matrix);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QrMatrix, qr_matrix_free)

static QrMatrix *
qr_matrix_new (const char *text)
{
  QRcode *code;
  QrMatrix *matrix;
  guint width;

  if (text == NULL || *text == '\0')
    return NULL;

  /* Byte mode and case kept: order numbers and gateway URLs are read back
   * exactly as written. */
  code = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == NULL)
    {
      g_warning ("Could not make a QR code of %zu bytes: %s", strlen (text), g_strerror (errno));
      return NULL;
    }

  width = (guint) code->width;
  matrix = g_new0 (QrMatrix, 1);
  matrix->size = width + 2 * RD_QR_QUIET_ZONE;
  matrix->modules = g_new0 (guint8, matrix->size * matrix->size);
  for (guint y = 0; y < width; y++)
    for (guint x = 0; x < width; x++)
      matrix->modules[(y + RD_QR_QUIET_ZONE) * matrix->size + x + RD_QR_QUIET_ZONE] =
        code->data[y * width + x] & 1;
  QRcode_free (code);

  return matrix;
}

static inline gboolean
qr_matrix_dark (const QrMatrix *matrix,
                guint           x,
                guint           y)
{
  return matrix->modules[y * matrix->size + x] != 0;
}

/* Calls @func once per horizontal run of dark modules. */
static void
qr_matrix_foreach_run (const QrMatrix *matrix,
                       void          (*func) (guint    x,
                                              guint    y,
                                              guint    length,
                                              gpointer data),
                       gpointer        data)
{
  for (guint y = 0; y < matrix->size; y++)
    {
      guint x = 0;

      while (x < matrix->size)
        {
          guint start;

          if (!qr_matrix_dark (matrix, x, y))
            {
              x++;
              continue;
            }
          start = x;
          while (x < matrix->size && qr_matrix_dark (matrix, x, y))
            x++;
          func (start, y, x - start, data);
        }
    }
}

typedef struct
{
  GtkSnapshot *snapshot;
  float        x0;
  float        y0;
  float        module;
} SnapshotRuns;

static const GdkRGBA white = { 1.f, 1.f, 1.f, 1.f };
static const GdkRGBA black = { 0.f, 0.f, 0.f, 1.f };

static void
snapshot_run (guint    x,
              guint    y,
              guint    length,
              gpointer data)
{
  SnapshotRuns *runs = data;

  gtk_snapshot_append_color (runs->snapshot, &black,
                             &GRAPHENE_RECT_INIT (runs->x0 + x * runs->module,
                                                  runs->y0 + y * runs->module,
                                                  length * runs->module, runs->module));
}

static void
rd_qr_paintable_snapshot (GdkPaintable *paintable,
                          GdkSnapshot  *snapshot,
                          double        width,
                          double        height)
{
  RdQrPaintable *self = RD_QR_PAINTABLE (paintable);
  SnapshotRuns runs;
  double side = MIN (width, height);
  double module;

  if (self->matrix == NULL || side <= 0)
    return;

  /* Whole pixels per module keep the edges sharp for a scanner; below one
   * pixel a module there is nothing sharp to keep. */
  module = side / self->matrix->size;
  if (module >= 1.0)
    module = floor (module);
  side = module * self->matrix->size;

  runs.snapshot = GTK_SNAPSHOT (snapshot);
  runs.module = (float) module;
  runs.x0 = (float) floor ((width - side) / 2);
  runs.y0 = (float) floor ((height - side) / 2);

  gtk_snapshot_append_color (runs.snapshot, &white,
                             &GRAPHENE_RECT_INIT (runs.x0, runs.y0, (float) side, (float) side));
  qr_matrix_foreach_run (self->matrix, snapshot_run, &runs);
}

static int
rd_qr_paintable_get_intrinsic_size (GdkPaintable *paintable)
{
  RdQrPaintable *self = RD_QR_PAINTABLE (paintable);

  return self->matrix != NULL ? (int) self->matrix->size * INTRINSIC_MODULE_PX : 0;
}

static double
rd_qr_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  return 1.0;
}

static void
rd_qr_paintable_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = rd_qr_paintable_snapshot;
  iface->get_intrinsic_width = rd_qr_paintable_get_intrinsic_size;
  iface->get_intrinsic_height = rd_qr_paintable_get_intrinsic_size;
  iface->get_intrinsic_aspect_ratio = rd_qr_paintable_get_intrinsic_aspect_ratio;
}

static void
rd_qr_paintable_finalize (GObject *object)
{
  RdQrPaintable *self = RD_QR_PAINTABLE (object);

  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->matrix, qr_matrix_free);

  G_OBJECT_CLASS (rd_qr_paintable_parent_class)->finalize (object);
}

static void
rd_qr_paintable_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  RdQrPaintable *self = RD_QR_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_qr_paintable_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  RdQrPaintable *self = RD_QR_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      rd_qr_paintable_set_text (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_qr_paintable_class_init (RdQrPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rd_qr_paintable_finalize;
  object_class->get_property = rd_qr_paintable_get_property;
  object_class->set_property = rd_qr_paintable_set_property;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_qr_paintable_init (RdQrPaintable *self)
{
}

RdQrPaintable *
rd_qr_paintable_new (const char *text)
{
  return g_object_new (RD_TYPE_QR_PAINTABLE, "text", text, NULL);
}

const char *
rd_qr_paintable_get_text (RdQrPaintable *self)
{
  g_return_val_if_fail (RD_IS_QR_PAINTABLE (self), NULL);

  return self->text;
}

void
rd_qr_paintable_set_text (RdQrPaintable *self,
                          const char    *text)
{
  guint old_size;

  g_return_if_fail (RD_IS_QR_PAINTABLE (self));

  if (g_strcmp0 (self->text, text) == 0)
    return;

  old_size = rd_qr_paintable_get_size (self);
  g_free (self->text);
  self->text = g_strdup (text);
  g_clear_pointer (&self->matrix, qr_matrix_free);
  self->matrix = qr_matrix_new (text);

  if (rd_qr_paintable_get_size (self) != old_size)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

guint
rd_qr_paintable_get_size (RdQrPaintable *self)
{
  g_return_val_if_fail (RD_IS_QR_PAINTABLE (self), 0);

  return self->matrix != NULL ? self->matrix->size : 0;
}

gboolean
rd_qr_paintable_get_module (RdQrPaintable *self,
                            guint          x,
                            guint          y)
{
  g_return_val_if_fail (RD_IS_QR_PAINTABLE (self), FALSE);
  g_return_val_if_fail (self->matrix != NULL, FALSE);
  g_return_val_if_fail (x < self->matrix->size && y < self->matrix->size, FALSE);

  return qr_matrix_dark (self->matrix, x, y);
}

typedef struct
{
  cairo_t *cr;
  double   x0;
  double   y0;
  double   module;
} CairoRuns;

static void
cairo_run (guint    x,
           guint    y,
           guint    length,
           gpointer data)
{
  CairoRuns *runs = data;

  cairo_rectangle (runs->cr, runs->x0 + x * runs->module, runs->y0 + y * runs->module,
                   length * runs->module, runs->module);
}

gboolean
rd_qr_draw_cairo (cairo_t    *cr,
                  const char *text,
                  double      x,
                  double      y,
                  double      size)
{
  g_autoptr(QrMatrix) matrix = NULL;
  CairoRuns runs;

  g_return_val_if_fail (cr != NULL, FALSE);

  matrix = qr_matrix_new (text);
  if (matrix == NULL)
    return FALSE;

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_rectangle (cr, x, y, size, size);
  cairo_fill (cr);

  /* One path of all runs, filled once: no seams between touching modules. */
  runs.cr = cr;
  runs.x0 = x;
  runs.y0 = y;
  runs.module = size / matrix->size;
  cairo_new_path (cr);
  qr_matrix_foreach_run (matrix, cairo_run, &runs);
  cairo_set_fill_rule (cr, CAIRO_FILL_RULE_WINDING);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_fill (cr);
  cairo_restore (cr);

  return TRUE;
}
