/* ui-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ui-test-util.h"

gboolean
ui_test_wait_for (UiTestCondition condition,
                  gpointer        data,
                  guint           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (2000);
    }

  return TRUE;
}

static gboolean
always_false (gpointer data)
{
  return FALSE;
}

static GLogWriterOutput
write_log (GLogLevelFlags   log_level,
           const GLogField *fields,
           gsize            n_fields,
           gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0)
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
        message = fields[i].value;
    }

  /* Written as a message: g_log_writer_default() makes warnings fatal. */
  if ((log_level & G_LOG_LEVEL_WARNING) != 0 && g_strcmp0 (domain, "Gtk") == 0
      && message != NULL && g_str_has_prefix (message, "Trying to snapshot ")
      && g_str_has_suffix (message, " without a current allocation"))
    log_level = G_LOG_LEVEL_MESSAGE;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
ui_test_init_logging (void)
{
  g_log_set_writer_func (write_log, NULL, NULL);
}

void
ui_test_settle (guint ms)
{
  ui_test_wait_for (always_false, NULL, ms);
}

gpointer
ui_test_child (gpointer    widget,
               GType       type,
               const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return object;
}

typedef struct
{
  GtkWidget     *shown;
  GdkPaintable  *paintable;
  GskRenderNode *node;
  int            width;
  int            height;
} Shot;

static void
on_after_paint (GdkFrameClock *clock,
                Shot          *shot)
{
  GtkSnapshot *snapshot;

  /* right after a paint the whole tree is allocated */
  if (shot->node != NULL)
    return;

  shot->width = gtk_widget_get_width (shot->shown);
  shot->height = gtk_widget_get_height (shot->shown);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (shot->paintable, GDK_SNAPSHOT (snapshot), shot->width, shot->height);
  shot->node = gtk_snapshot_free_to_node (snapshot);
}

static gboolean
shot_taken (gpointer data)
{
  return ((Shot *) data)->node != NULL;
}

void
ui_test_save_screenshot (GtkWindow  *shown,
                         const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (shown));
  g_autoptr(GdkTexture) texture = NULL;
  Shot shot = { GTK_WIDGET (shown), paintable, NULL, 0, 0 };
  GdkFrameClock *clock;
  gulong handler;

  ui_test_settle (300);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (shown));
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &shot);
  gtk_widget_queue_draw (GTK_WIDGET (shown));
  g_assert_true (ui_test_wait_for (shot_taken, &shot, 5000));
  g_signal_handler_disconnect (clock, handler);

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (shown)), shot.node,
                                         &GRAPHENE_RECT_INIT (0, 0, shot.width, shot.height));
  gsk_render_node_unref (shot.node);
  if (!gdk_texture_save_to_png (texture, path))
    g_test_message ("could not save %s", path);
  else
    g_test_message ("saved %s", path);
}
