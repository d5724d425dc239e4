/* test-slot-grid.c: RdSlotGrid on a model of slots, under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rd-slot.h"
#include "rd-slot-grid.h"
#include "rd-ui-resources.h"
#include "ui-test-util.h"

#define N_SLOTS 24

static GtkWindow *window;
static RdSlotGrid *grid;
static GListStore *store;
static char *artifacts_dir;


static RdSlot *
make_slot (int seq)
{
  RdSlot *slot = rd_slot_new (seq);
  int minutes = 8 * 60 + (seq - 1) * 10;
  g_autofree char *starts_at = g_strdup_printf ("%02d:%02d", minutes / 60, minutes % 60);
  g_autofree char *ends_at = g_strdup_printf ("%02d:%02d", (minutes + 10) / 60,
                                              (minutes + 10) % 60);

  rd_slot_set_starts_at (slot, starts_at);
  rd_slot_set_ends_at (slot, ends_at);

  return slot;
}

/* A morning of 24 slots in every state a desk meets. */
static void
fill_store (void)
{
  static const struct
  {
    RdSlotStatus  status;
    RdChannel     channel;
    const char   *label;
  } kinds[] = {
    { RD_SLOT_STATUS_CHECKED_IN, RD_CHANNEL_WINDOW, "张*三" },
    { RD_SLOT_STATUS_PAID, RD_CHANNEL_WINDOW, "李*" },
    { RD_SLOT_STATUS_PAID, RD_CHANNEL_ONLINE, "欧**明" },
    { RD_SLOT_STATUS_HELD, RD_CHANNEL_WINDOW, "王*华" },
    { RD_SLOT_STATUS_BOOKED, RD_CHANNEL_PHONE, "赵*" },
    { RD_SLOT_STATUS_NO_SHOW, RD_CHANNEL_WINDOW, "孙*红" },
    { RD_SLOT_STATUS_LOCKED, RD_CHANNEL_WINDOW, NULL },
  };

  for (int seq = 1; seq <= N_SLOTS; seq++)
    {
      g_autoptr(RdSlot) slot = make_slot (seq);

      if ((guint) seq <= G_N_ELEMENTS (kinds))
        {
          rd_slot_set_status (slot, kinds[seq - 1].status);
          rd_slot_set_channel (slot, kinds[seq - 1].channel);
          rd_slot_set_patient_label (slot, kinds[seq - 1].label);
          if (kinds[seq - 1].label != NULL)
            rd_slot_set_appointment_id (slot, 1000 + seq);
        }
      else if (seq > 16)
        {
          /* The online and phone pools, not yet released to the window. */
          rd_slot_set_channel (slot, seq > 21 ? RD_CHANNEL_PHONE : RD_CHANNEL_ONLINE);
        }
      if (seq == 1)
        rd_slot_set_queue_number (slot, 1);
      if (seq == 4)
        rd_slot_set_held_until (slot, "08:45");

      g_list_store_append (store, slot);
    }
}

static RdSlot *
store_slot (int seq)
{
  RdSlot *slot = g_list_model_get_item (G_LIST_MODEL (store), seq - 1);

  g_assert_nonnull (slot);
  g_assert_cmpint (rd_slot_get_seq (slot), ==, seq);
  /* The store keeps it alive. */
  g_object_unref (slot);

  return slot;
}

static gboolean
grid_laid_out (gpointer data)
{
  graphene_rect_t area;

  return rd_slot_grid_get_n_columns (grid) > 0
         && rd_slot_grid_get_cell_area (grid, N_SLOTS, &area)
         && gtk_widget_get_mapped (GTK_WIDGET (grid));
}

/* Activates what a key press would: the grid's own key binding, found in
 * its class shortcuts (GTK 4.8 offers no way to synthesize key events). */
static void
press_key (guint keyval)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (grid));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;

      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);

          if (!GTK_IS_KEYVAL_TRIGGER (trigger)
              || gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)) != keyval
              || gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)) != 0)
            continue;

          g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (shortcut),
                                                       GTK_SHORTCUT_ACTION_EXCLUSIVE,
                                                       GTK_WIDGET (grid),
                                                       gtk_shortcut_get_arguments (shortcut)));
          return;
        }
    }

  g_error ("no key binding for %s", gdk_keyval_name (keyval));
}

static void
record_activated (RdSlotGrid *activated_grid,
                  int         seq,
                  GArray     *seqs)
{
  g_array_append_val (seqs, seq);
}

static void
test_layout (void)
{
  guint columns = rd_slot_grid_get_n_columns (grid);
  int width = gtk_widget_get_width (GTK_WIDGET (grid));
  guint rows;
  graphene_rect_t first;
  graphene_rect_t second;
  graphene_rect_t below;
  graphene_rect_t last;
  graphene_rect_t row_end;
  graphene_rect_t none;
  int min_height;
  int nat_height;

  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (grid)), ==,
                   GTK_ACCESSIBLE_ROLE_GRID);

  /* As many columns of at least 96 px as fit, sharing the width. */
  g_assert_cmpuint (columns, ==, (guint) (width + 6) / (96 + 6));
  g_assert_cmpuint (columns, >, 1);
  rows = (N_SLOTS + columns - 1) / columns;

  g_assert_true (rd_slot_grid_get_cell_area (grid, 1, &first));
  g_assert_true (rd_slot_grid_get_cell_area (grid, 2, &second));
  g_assert_true (rd_slot_grid_get_cell_area (grid, 1 + columns, &below));
  g_assert_true (rd_slot_grid_get_cell_area (grid, N_SLOTS, &last));
  g_assert_true (rd_slot_grid_get_cell_area (grid, columns, &row_end));
  g_assert_false (rd_slot_grid_get_cell_area (grid, N_SLOTS + 1, &none));

  g_assert_cmpfloat (first.origin.x, ==, 0);
  g_assert_cmpfloat (first.origin.y, ==, 0);
  g_assert_cmpfloat (first.size.width, >=, 96);
  g_assert_cmpfloat (second.origin.y, ==, 0);
  g_assert_cmpfloat (second.origin.x, >, first.origin.x + first.size.width);
  g_assert_cmpfloat (below.origin.x, ==, 0);
  g_assert_cmpfloat (below.origin.y, >, first.origin.y + first.size.height);
  /* The row fills the width, give or take the pixels the division leaves. */
  g_assert_cmpfloat (row_end.origin.x + row_end.size.width, <=, width);
  g_assert_cmpfloat (row_end.origin.x + row_end.size.width, >, width - (int) columns);
  /* It asks for just the height of its rows at that width. */
  gtk_widget_measure (GTK_WIDGET (grid), GTK_ORIENTATION_VERTICAL, width,
                      &min_height, &nat_height, NULL, NULL);
  g_assert_cmpint (min_height, ==, nat_height);
  g_assert_cmpfloat (last.origin.y + last.size.height, ==, min_height);
  g_assert_cmpfloat (last.origin.y, ==, (rows - 1) * (first.size.height + 6));
}

static void
test_descriptions (void)
{
  g_autofree char *checked_in = rd_slot_grid_describe_slot (store_slot (1));
  g_autofree char *held = rd_slot_grid_describe_slot (store_slot (4));
  g_autofree char *pool = rd_slot_grid_describe_slot (store_slot (18));
  g_autofree char *free_slot = rd_slot_grid_describe_slot (store_slot (10));

  g_assert_cmpstr (checked_in, ==,
                   "No. 1, 08:00–08:10\nChecked in\nPatient: 张*三\nQueue number: 1");
  g_assert_cmpstr (held, ==, "No. 4, 08:30–08:40\nHeld\nHeld until 08:45\nPatient: 王*华");
  g_assert_cmpstr (pool, ==, "No. 18, 10:50–11:00\nFree\n"
                             "Kept for online booking until the pool is released");
  g_assert_cmpstr (free_slot, ==, "No. 10, 09:30–09:40\nFree");
}

static void
test_keyboard (void)
{
  g_autoptr(GArray) activated = g_array_new (FALSE, FALSE, sizeof (int));
  int columns = (int) rd_slot_grid_get_n_columns (grid);
  int rows = (N_SLOTS + columns - 1) / columns;

  g_signal_connect (grid, "slot-activated", G_CALLBACK (record_activated), activated);

  /* Focus arriving puts the cursor on the first cell. */
  rd_slot_grid_set_selected_seq (grid, 0);
  g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (grid)));
  ui_test_settle (50);
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (grid)));
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, 1);

  press_key (GDK_KEY_Right);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, 2);
  press_key (GDK_KEY_Down);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, 2 + columns);
  press_key (GDK_KEY_Left);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, 1 + columns);
  press_key (GDK_KEY_KP_Up);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, 1);

  /* Edges hold the cursor. */
  press_key (GDK_KEY_Up);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, 1);
  press_key (GDK_KEY_Left);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, 1);
  press_key (GDK_KEY_End);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, N_SLOTS);
  press_key (GDK_KEY_Right);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, N_SLOTS);
  press_key (GDK_KEY_Home);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, 1);
  for (int i = 0; i < rows + 2; i++)
    press_key (GDK_KEY_Down);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, 1 + (rows - 1) * columns);

  /* Right runs on into the next row like text. */
  rd_slot_grid_set_selected_seq (grid, columns);
  press_key (GDK_KEY_Right);
  g_assert_cmpint (rd_slot_grid_get_selected_seq (grid), ==, columns + 1);

  g_assert_cmpuint (activated->len, ==, 0);
  press_key (GDK_KEY_Return);
  rd_slot_grid_set_selected_seq (grid, 7);
  press_key (GDK_KEY_space);
  press_key (GDK_KEY_KP_Enter);
  g_assert_cmpuint (activated->len, ==, 3);
  g_assert_cmpint (g_array_index (activated, int, 0), ==, columns + 1);
  g_assert_cmpint (g_array_index (activated, int, 1), ==, 7);
  g_assert_cmpint (g_array_index (activated, int, 2), ==, 7);

  g_signal_handlers_disconnect_by_data (grid, activated);
}

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* The window as its last frame painted it, after a frame that paints
 * whatever was queued. Only widgets that queued a draw are drawn again:
 * the others' cached render nodes are used as they are. */
static GdkTexture *
render (void)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  gboolean painted = FALSE;
  gulong handler;
  int width = gtk_widget_get_width (GTK_WIDGET (window));
  int height = gtk_widget_get_height (GTK_WIDGET (window));

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  g_assert_true (ui_test_wait_for (is_true, &painted, 5000));
  g_signal_handler_disconnect (clock, handler);

  /* A widget paintable shows the render node the widget has now. */
  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);

  return gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static void
save_screenshot (const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file_name = g_strdup_printf ("%s.png", name);
  g_autofree char *path = g_build_filename (artifacts_dir, file_name, NULL);

  ui_test_settle (200);
  texture = render ();
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

/* The colour at (@x, @y) of @texture, as 0xAARRGGBB. */
static guint32
pixel_at (GdkTexture *texture,
          int         x,
          int         y)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint32 *pixels = g_new (guint32, (gsize) width * height);

  g_assert_cmpint (x, <, width);
  g_assert_cmpint (y, <, height);
  gdk_texture_download (texture, (guchar *) pixels, (gsize) width * 4);

  return pixels[y * width + x];
}

static void
count_invalidations (GdkPaintable *paintable,
                     guint        *n_invalidated)
{
  (*n_invalidated)++;
}

static gboolean
is_nonzero (gpointer data)
{
  return *(guint *) data > 0;
}

static void
test_status_change_redraws (void)
{
  g_autoptr(GdkPaintable) watcher = NULL;
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) after = NULL;
  RdSlot *slot = store_slot (10);
  guint n_invalidated = 0;
  graphene_rect_t area;
  double x;
  double y;
  int px;
  int py;

  g_assert_true (rd_slot_grid_get_cell_area (grid, 10, &area));
  /* A point of the cell's background: the bottom padding, mid-width. */
  g_assert_true (gtk_widget_translate_coordinates (GTK_WIDGET (grid), GTK_WIDGET (window),
                                                   area.origin.x + area.size.width / 2,
                                                   area.origin.y + area.size.height - 3,
                                                   &x, &y));
  px = (int) x;
  py = (int) y;

  rd_slot_grid_set_selected_seq (grid, 1);
  before = render ();
  /* The watcher hears of every new drawing of the grid; painted frames
   * of an unchanged grid are not. */
  watcher = gtk_widget_paintable_new (GTK_WIDGET (grid));
  ui_test_settle (100);
  g_signal_connect (watcher, "invalidate-contents", G_CALLBACK (count_invalidations),
                    &n_invalidated);
  gtk_widget_queue_draw (GTK_WIDGET (window));
  ui_test_settle (100);
  g_assert_cmpuint (n_invalidated, ==, 0);

  /* Another desk books the cell: its slot changes and the grid redraws. */
  rd_slot_set_patient_label (slot, "周*");
  rd_slot_set_status (slot, RD_SLOT_STATUS_PAID);
  g_assert_true (ui_test_wait_for (is_nonzero, &n_invalidated, 2000));
  after = render ();

  g_assert_cmphex (pixel_at (before, px, py), !=, pixel_at (after, px, py));
  /* Its neighbour, unchanged, looks the same. */
  g_assert_true (rd_slot_grid_get_cell_area (grid, 11, &area));
  g_assert_true (gtk_widget_translate_coordinates (GTK_WIDGET (grid), GTK_WIDGET (window),
                                                   area.origin.x + area.size.width / 2,
                                                   area.origin.y + area.size.height - 3,
                                                   &x, &y));
  g_assert_cmphex (pixel_at (before, (int) x, (int) y), ==, pixel_at (after, (int) x, (int) y));

  /* A slot that joins the model gets a cell (and a row if needed). */
  n_invalidated = 0;
  {
    g_autoptr(RdSlot) extra = make_slot (N_SLOTS + 1);

    g_list_store_append (store, extra);
  }
  g_assert_true (ui_test_wait_for (is_nonzero, &n_invalidated, 2000));
  ui_test_settle (100);
  g_assert_true (rd_slot_grid_get_cell_area (grid, N_SLOTS + 1, &area));
  g_list_store_remove (store, N_SLOTS);
  ui_test_settle (100);
  g_assert_false (rd_slot_grid_get_cell_area (grid, N_SLOTS + 1, &area));

  g_signal_handlers_disconnect_by_data (watcher, &n_invalidated);
}

static void
test_screenshot (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  rd_slot_grid_set_selected_seq (grid, 12);
  gtk_widget_grab_focus (GTK_WIDGET (grid));
  save_screenshot ("slot-grid");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  save_screenshot ("slot-grid-dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;
  GtkWidget *box;
  GtkWidget *scrolled;
  int status;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("GTK_A11Y", "none", TRUE);

  if (!gtk_init_check ())
    {
      g_printerr ("Bail out! The ui suite needs a display: run it under xvfb-run -a\n");
      return 1;
    }
  adw_init ();
  g_object_set (gtk_settings_get_default (),
                "gtk-enable-animations", FALSE,
                "gtk-cursor-blink", FALSE,
                NULL);

  /* The application's style sheet, as the application loads it. */
  g_resources_register (rd_ui_get_resource ());
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/github/regdesk/Regdesk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  artifacts_dir = g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL ?
                                    g_getenv ("G_TEST_BUILDDIR") : ".",
                                    "ui", "artifacts", NULL);
  g_mkdir_with_parents (artifacts_dir, 0755);

  store = g_list_store_new (RD_TYPE_SLOT);
  fill_store ();

  grid = RD_SLOT_GRID (rd_slot_grid_new ());
  rd_slot_grid_set_model (grid, G_LIST_MODEL (store));
  g_assert_true (rd_slot_grid_get_model (grid) == G_LIST_MODEL (store));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), rd_slot_grid_legend_new ());
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (grid));
  gtk_box_append (GTK_BOX (box), scrolled);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_title (window, "Slots");
  gtk_window_set_default_size (window, 760, 560);
  gtk_window_set_child (window, box);
  gtk_window_present (window);
  g_assert_true (ui_test_wait_for (grid_laid_out, NULL, 5000));
  ui_test_settle (200);

  g_test_add_func ("/ui/slot-grid/layout", test_layout);
  g_test_add_func ("/ui/slot-grid/descriptions", test_descriptions);
  g_test_add_func ("/ui/slot-grid/keyboard", test_keyboard);
  g_test_add_func ("/ui/slot-grid/status-change-redraws", test_status_change_redraws);
  g_test_add_func ("/ui/slot-grid/screenshot", test_screenshot);

  status = g_test_run ();

  gtk_window_destroy (window);
  g_clear_object (&store);
  g_clear_pointer (&artifacts_dir, g_free);

  return status;
}
