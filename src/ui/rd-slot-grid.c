/* rd-slot-grid.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-slot-grid.h"

/* A cell is at least this wide (room for "Online" next to a two-digit
 * number at the default font); columns share what is left evenly. */
#define MIN_CELL_WIDTH 96
#define SPACING        6
#define PADDING        8
#define LINE_GAP       2
#define RADIUS         8.0f
#define NATURAL_COLUMNS 8

struct _RdSlotGrid
{
  GtkWidget   parent_instance;

  GListModel *model;
  gulong      items_changed_handler;
  /* The model's slots, each with our notify handler. */
  GPtrArray  *slots;

  int         selected_seq;
  int         hover_index;
  int         pressed_index;

  /* Layout of the last allocation. */
  guint       n_columns;
  int         cell_width;
  int         cell_height;
};

G_DEFINE_FINAL_TYPE (RdSlotGrid, rd_slot_grid, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_SELECTED_SEQ,
  N_PROPS
};

enum {
  SLOT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef enum
{
  TEXT_SEQ,
  TEXT_SMALL,
  TEXT_BADGE,
} TextKind;

typedef struct
{
  GdkRGBA bg;
  GdkRGBA fg;
  GdkRGBA border;
  gboolean has_border;
} CellColors;

/* Light-theme values for a grid shown without the application's style
 * sheet (the named colours are the real source). */
static const struct
{
  const char *bg_name;
  const char *fg_name;
  const char *bg_fallback;
  const char *fg_fallback;
} status_colors[] = {
  [RD_SLOT_STATUS_FREE] = { "slot_free_bg", "slot_free_fg", "#d4f2de", "#1e1e1e" },
  [RD_SLOT_STATUS_HELD] = { "slot_held_bg", "slot_held_fg", "#f8e6b4", "#1e1e1e" },
  [RD_SLOT_STATUS_BOOKED] = { "slot_booked_bg", "slot_booked_fg", "#cfe0f7", "#1e1e1e" },
  [RD_SLOT_STATUS_PAID] = { "slot_paid_bg", "slot_paid_fg", "#3584e4", "#ffffff" },
  [RD_SLOT_STATUS_CHECKED_IN] = { "slot_checked_in_bg", "slot_checked_in_fg",
                                  "#26a269", "#ffffff" },
  [RD_SLOT_STATUS_NO_SHOW] = { "slot_no_show_bg", "slot_no_show_fg", "#f6cfd2", "#1e1e1e" },
  [RD_SLOT_STATUS_LOCKED] = { "slot_locked_bg", "slot_locked_fg", "#e4e4e4", "#7a7a7a" },
};

static void
lookup_color (RdSlotGrid *self,
              const char *name,
              const char *fallback,
              GdkRGBA    *color)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

static void
cell_colors (RdSlotGrid *self,
             RdSlot     *slot,
             CellColors *colors)
{
  RdSlotStatus status = rd_slot_get_status (slot);

  if (status > RD_SLOT_STATUS_LOCKED)
    status = RD_SLOT_STATUS_LOCKED;

  /* Free but kept for another channel: not bookable here until released,
   * so it must not look like the window's free cells. */
  if (status == RD_SLOT_STATUS_FREE && rd_slot_get_channel (slot) != RD_CHANNEL_WINDOW)
    {
      lookup_color (self, "slot_pool_bg", "#f6f6f6", &colors->bg);
      lookup_color (self, "slot_pool_fg", "#4a4a4a", &colors->fg);
      lookup_color (self, "slot_pool_border", "#8fd1a5", &colors->border);
      colors->has_border = TRUE;
      return;
    }

  lookup_color (self, status_colors[status].bg_name, status_colors[status].bg_fallback,
                &colors->bg);
  lookup_color (self, status_colors[status].fg_name, status_colors[status].fg_fallback,
                &colors->fg);
  colors->has_border = FALSE;
}

static PangoLayout *
create_layout (RdSlotGrid *self,
               TextKind    kind,
               const char *text,
               int         width)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

  switch (kind)
    {
    case TEXT_SEQ:
      pango_attr_list_insert (attrs, pango_attr_scale_new (1.4));
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
      break;
    case TEXT_SMALL:
      pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
      break;
    case TEXT_BADGE:
      pango_attr_list_insert (attrs, pango_attr_scale_new (0.75));
      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      break;
    default:
      g_assert_not_reached ();
    }
  pango_layout_set_attributes (layout, attrs);

  if (width > 0)
    {
      pango_layout_set_width (layout, width * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }

  return layout;
}

static int
text_height (RdSlotGrid *self,
             TextKind    kind)
{
  g_autoptr(PangoLayout) layout = create_layout (self, kind, "0123456789", -1);
  int height;

  pango_layout_get_pixel_size (layout, NULL, &height);

  return height;
}

/* Number, time window, and a line for the state or the patient. */
static int
compute_cell_height (RdSlotGrid *self)
{
  return 2 * PADDING + text_height (self, TEXT_SEQ) + 2 * (LINE_GAP + text_height (self,
                                                                                    TEXT_SMALL));
}

static guint
columns_for_width (int width)
{
  if (width <= MIN_CELL_WIDTH)
    return 1;

  return (guint) ((width + SPACING) / (MIN_CELL_WIDTH + SPACING));
}

static guint
n_rows_for (RdSlotGrid *self,
            guint       n_columns)
{
  if (n_columns == 0)
    return 0;

  return (self->slots->len + n_columns - 1) / n_columns;
}

static RdSlot *
slot_at (RdSlotGrid *self,
         int         index)
{
  if (index < 0 || (guint) index >= self->slots->len)
    return NULL;

  return g_ptr_array_index (self->slots, index);
}

static int
index_of_seq (RdSlotGrid *self,
              int         seq)
{
  if (seq <= 0)
    return -1;

  for (guint i = 0; i < self->slots->len; i++)
    {
      if (rd_slot_get_seq (g_ptr_array_index (self->slots, i)) == seq)
        return (int) i;
    }

  return -1;
}

static gboolean
cell_rect (RdSlotGrid      *self,
           int              index,
           graphene_rect_t *rect)
{
  guint column;
  guint row;

  if (self->n_columns == 0 || slot_at (self, index) == NULL)
    return FALSE;

  column = (guint) index % self->n_columns;
  row = (guint) index / self->n_columns;
  graphene_rect_init (rect,
                      column * (self->cell_width + SPACING),
                      row * (self->cell_height + SPACING),
                      self->cell_width,
                      self->cell_height);

  return TRUE;
}

static int
index_at (RdSlotGrid *self,
          double      x,
          double      y)
{
  int column;
  int row;
  int index;

  if (self->n_columns == 0 || x < 0 || y < 0)
    return -1;

  column = (int) x / (self->cell_width + SPACING);
  row = (int) y / (self->cell_height + SPACING);

  /* The gaps between cells belong to no cell. */
  if ((guint) column >= self->n_columns
      || (int) x - column * (self->cell_width + SPACING) >= self->cell_width
      || (int) y - row * (self->cell_height + SPACING) >= self->cell_height)
    return -1;

  index = row * (int) self->n_columns + column;

  return slot_at (self, index) != NULL ? index : -1;
}

static void
update_accessible_description (RdSlotGrid *self)
{
  RdSlot *slot = slot_at (self, index_of_seq (self, self->selected_seq));
  g_autofree char *description = NULL;

  /* GTK 4.8 cannot expose custom-drawn cells as accessible children: the
   * grid describes its selected cell instead. */
  if (slot != NULL)
    description = rd_slot_grid_describe_slot (slot);

  if (description != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                    -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

/* Brings the cell into view when the grid sits in a scrolled window. */
static void
scroll_to_index (RdSlotGrid *self,
                 int         index)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content;
  GtkAdjustment *vadjustment;
  graphene_rect_t rect;
  double x;
  double y;

  if (scrolled == NULL || !cell_rect (self, index, &rect))
    return;

  content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  if (GTK_IS_VIEWPORT (content))
    content = gtk_viewport_get_child (GTK_VIEWPORT (content));
  if (content == NULL
      || !gtk_widget_translate_coordinates (GTK_WIDGET (self), content,
                                            rect.origin.x, rect.origin.y, &x, &y))
    return;

  vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_clamp_page (vadjustment, y - SPACING, y + rect.size.height + SPACING);
}

static void
select_index (RdSlotGrid *self,
              int         index)
{
  RdSlot *slot = slot_at (self, index);

  if (slot == NULL)
    return;

  rd_slot_grid_set_selected_seq (self, rd_slot_get_seq (slot));
  scroll_to_index (self, index);
}

static void
activate_index (RdSlotGrid *self,
                int         index)
{
  RdSlot *slot = slot_at (self, index);

  if (slot != NULL)
    g_signal_emit (self, signals[SLOT_ACTIVATED], 0, rd_slot_get_seq (slot));
}

static void
on_slot_notify (RdSlot     *slot,
                GParamSpec *pspec,
                RdSlotGrid *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (rd_slot_get_seq (slot) == self->selected_seq)
    update_accessible_description (self);
}

static void
release_slot (gpointer  data,
              gpointer  user_data)
{
  g_signal_handlers_disconnect_by_func (data, on_slot_notify, user_data);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  RdSlotGrid *self)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_full (added, g_object_unref);

  for (guint i = 0; i < removed; i++)
    release_slot (g_ptr_array_index (self->slots, position + i), self);

  for (guint i = 0; i < added; i++)
    {
      RdSlot *slot = g_list_model_get_item (model, position + i);

      g_signal_connect (slot, "notify", G_CALLBACK (on_slot_notify), self);
      g_ptr_array_add (fresh, slot);
    }

  g_ptr_array_remove_range (self->slots, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (self->slots, position + i, g_object_ref (g_ptr_array_index (fresh, i)));

  self->hover_index = -1;
  self->pressed_index = -1;

  /* The number of rows may have changed. */
  gtk_widget_queue_resize (GTK_WIDGET (self));
  update_accessible_description (self);
}

static void
append_rounded_rect (GtkSnapshot           *snapshot,
                     const graphene_rect_t *rect,
                     float                  radius,
                     const GdkRGBA         *color)
{
  GskRoundedRect rounded;

  gsk_rounded_rect_init_from_rect (&rounded, rect, radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rounded);
  gtk_snapshot_append_color (snapshot, color, rect);
  gtk_snapshot_pop (snapshot);
}

static void
append_outline (GtkSnapshot           *snapshot,
                const graphene_rect_t *rect,
                float                  radius,
                float                  width,
                const GdkRGBA         *color)
{
  GskRoundedRect rounded;
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rounded, rect, radius);
  gtk_snapshot_append_border (snapshot, &rounded, widths, colors);
}

static void
append_layout (GtkSnapshot   *snapshot,
               PangoLayout   *layout,
               float          x,
               float          y,
               const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static char *
time_window (RdSlot *slot)
{
  const char *starts_at = rd_slot_get_starts_at (slot);
  const char *ends_at = rd_slot_get_ends_at (slot);

  if (starts_at == NULL || ends_at == NULL)
    return g_strdup (starts_at != NULL ? starts_at : "");

  /* Translators: a slot's time window, "08:00–08:10" */
  return g_strdup_printf (_("%s–%s"), starts_at, ends_at);
}

static void
snapshot_cell (RdSlotGrid  *self,
               GtkSnapshot *snapshot,
               int          index,
               gboolean     has_focus,
               GdkRGBA     *focus_color)
{
  RdSlot *slot = slot_at (self, index);
  int text_width = self->cell_width - 2 * PADDING;
  g_autoptr(PangoLayout) seq_layout = NULL;
  g_autoptr(PangoLayout) time_layout = NULL;
  g_autoptr(PangoLayout) label_layout = NULL;
  g_autofree char *seq_text = NULL;
  g_autofree char *time_text = NULL;
  const char *label;
  graphene_rect_t rect;
  CellColors colors;
  float y;
  int seq_height;
  int small_height;

  if (!cell_rect (self, index, &rect))
    return;

  cell_colors (self, slot, &colors);
  append_rounded_rect (snapshot, &rect, RADIUS, &colors.bg);
  if (colors.has_border)
    append_outline (snapshot, &rect, RADIUS, 1.0f, &colors.border);

  if (index == self->hover_index)
    {
      GdkRGBA hover = colors.fg;

      hover.alpha = 0.08f;
      append_rounded_rect (snapshot, &rect, RADIUS, &hover);
    }

  /* The top right corner names the pool a cell is kept for. */
  if (rd_slot_get_channel (slot) != RD_CHANNEL_WINDOW)
    {
      const char *channel = rd_channel_to_string (rd_slot_get_channel (slot));
      g_autoptr(PangoLayout) badge = create_layout (self, TEXT_BADGE, channel, -1);
      graphene_rect_t pill;
      GdkRGBA pill_color = colors.fg;
      int badge_width;
      int badge_height;

      pango_layout_get_pixel_size (badge, &badge_width, &badge_height);
      graphene_rect_init (&pill,
                          rect.origin.x + rect.size.width - PADDING / 2 - badge_width - 8,
                          rect.origin.y + PADDING / 2,
                          badge_width + 8,
                          badge_height + 2);
      pill_color.alpha = 0.12f;
      append_rounded_rect (snapshot, &pill, pill.size.height / 2, &pill_color);
      append_layout (snapshot, badge, pill.origin.x + 4, pill.origin.y + 1, &colors.fg);
      text_width -= badge_width + 8;
    }

  seq_text = g_strdup_printf ("%d", rd_slot_get_seq (slot));
  seq_layout = create_layout (self, TEXT_SEQ, seq_text, MAX (1, text_width));
  pango_layout_get_pixel_size (seq_layout, NULL, &seq_height);
  y = rect.origin.y + PADDING;
  append_layout (snapshot, seq_layout, rect.origin.x + PADDING, y, &colors.fg);
  y += seq_height + LINE_GAP;

  time_text = time_window (slot);
  time_layout = create_layout (self, TEXT_SMALL, time_text, self->cell_width - 2 * PADDING);
  pango_layout_get_pixel_size (time_layout, NULL, &small_height);
  append_layout (snapshot, time_layout, rect.origin.x + PADDING, y, &colors.fg);
  y += small_height + LINE_GAP;

  label = rd_slot_get_patient_label (slot);
  if (label == NULL || *label == '\0')
    label = rd_slot_status_to_string (rd_slot_get_status (slot));
  label_layout = create_layout (self, TEXT_SMALL, label, self->cell_width - 2 * PADDING);
  append_layout (snapshot, label_layout, rect.origin.x + PADDING, y, &colors.fg);

  if (rd_slot_get_seq (slot) == self->selected_seq)
    {
      append_outline (snapshot, &rect, RADIUS, 2.0f, focus_color);

      if (has_focus)
        {
          graphene_rect_t ring;
          GdkRGBA ring_color = *focus_color;

          graphene_rect_inset_r (&rect, -3.0f, -3.0f, &ring);
          ring_color.alpha *= 0.5f;
          append_outline (snapshot, &ring, RADIUS + 3.0f, 2.0f, &ring_color);
        }
    }
}

static void
rd_slot_grid_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  RdSlotGrid *self = RD_SLOT_GRID (widget);
  GtkStateFlags state = gtk_widget_get_state_flags (widget);
  gboolean has_focus = (state & GTK_STATE_FLAG_FOCUS_VISIBLE) != 0
                       && (state & GTK_STATE_FLAG_FOCUSED) != 0;
  GdkRGBA focus_color;

  lookup_color (self, "slot_focus", "#3584e4", &focus_color);

  for (guint i = 0; i < self->slots->len; i++)
    snapshot_cell (self, snapshot, (int) i, has_focus, &focus_color);
}

static GtkSizeRequestMode
rd_slot_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
rd_slot_grid_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  RdSlotGrid *self = RD_SLOT_GRID (widget);
  guint n_items = self->slots->len;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      guint columns = CLAMP (n_items, 1, NATURAL_COLUMNS);

      *minimum = MIN_CELL_WIDTH;
      *natural = columns * MIN_CELL_WIDTH + (columns - 1) * SPACING;
    }
  else
    {
      guint columns = for_size > 0 ? columns_for_width (for_size)
                                   : CLAMP (n_items, 1, NATURAL_COLUMNS);
      guint rows = n_rows_for (self, columns);
      int cell_height = compute_cell_height (self);

      *minimum = *natural = rows > 0 ? (int) rows * cell_height + ((int) rows - 1) * SPACING : 0;
    }
}

static void
rd_slot_grid_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  RdSlotGrid *self = RD_SLOT_GRID (widget);
  guint columns = columns_for_width (width);

  self->n_columns = columns;
  self->cell_width = MAX (1, (width - ((int) columns - 1) * SPACING) / (int) columns);
  self->cell_height = compute_cell_height (self);
}

static gboolean
rd_slot_grid_query_tooltip (GtkWidget  *widget,
                            int         x,
                            int         y,
                            gboolean    keyboard_mode,
                            GtkTooltip *tooltip)
{
  RdSlotGrid *self = RD_SLOT_GRID (widget);
  int index = keyboard_mode ? index_of_seq (self, self->selected_seq) : index_at (self, x, y);
  RdSlot *slot = slot_at (self, index);
  g_autofree char *text = NULL;
  graphene_rect_t rect;

  if (slot == NULL || !cell_rect (self, index, &rect))
    return FALSE;

  text = rd_slot_grid_describe_slot (slot);
  gtk_tooltip_set_text (tooltip, text);
  gtk_tooltip_set_tip_area (tooltip,
                            &(GdkRectangle) { (int) rect.origin.x, (int) rect.origin.y,
                                              (int) rect.size.width, (int) rect.size.height });

  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           RdSlotGrid               *self)
{
  int index = index_at (self, x, y);

  if (index == self->hover_index)
    return;

  self->hover_index = index;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *controller,
          RdSlotGrid               *self)
{
  if (self->hover_index == -1)
    return;

  self->hover_index = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_pressed (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            RdSlotGrid      *self)
{
  int index = index_at (self, x, y);

  self->pressed_index = index;
  if (index < 0)
    return;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  select_index (self, index);
}

static void
on_released (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             RdSlotGrid      *self)
{
  int index = index_at (self, x, y);

  /* Pressed on one cell and let go on another: a change of mind. */
  if (index >= 0 && index == self->pressed_index && n_press == 1)
    activate_index (self, index);

  self->pressed_index = -1;
}

static void
on_focus_enter (GtkEventControllerFocus *controller,
                RdSlotGrid              *self)
{
  /* The keyboard needs a cell to start from. */
  if (index_of_seq (self, self->selected_seq) < 0)
    select_index (self, 0);
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RdSlotGrid *self = RD_SLOT_GRID (widget);
  int current = index_of_seq (self, self->selected_seq);
  int n_items = (int) self->slots->len;
  int columns = MAX (1, (int) self->n_columns);
  int dx;
  int dy;
  int target;

  if (n_items == 0)
    return;

  g_variant_get (parameter, "(ii)", &dx, &dy);

  if (current < 0)
    {
      select_index (self, 0);
      return;
    }

  target = current + dx + dy * columns;

  /* Up and down stay in the column (the last row may be short); left and
   * right run on through the rows like text. */
  if (dy != 0 && (target < 0 || target >= n_items))
    return;

  select_index (self, CLAMP (target, 0, n_items - 1));
}

static void
first_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  RdSlotGrid *self = RD_SLOT_GRID (widget);

  select_index (self, 0);
}

static void
last_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  RdSlotGrid *self = RD_SLOT_GRID (widget);

  select_index (self, (int) self->slots->len - 1);
}

static void
activate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  RdSlotGrid *self = RD_SLOT_GRID (widget);

  activate_index (self, index_of_seq (self, self->selected_seq));
}

static void
add_move_binding (GtkWidgetClass *widget_class,
                  guint           keyval,
                  guint           kp_keyval,
                  int             dx,
                  int             dy)
{
  gtk_widget_class_add_binding_action (widget_class, keyval, 0, "slot-grid.move", "(ii)", dx, dy);
  gtk_widget_class_add_binding_action (widget_class, kp_keyval, 0, "slot-grid.move", "(ii)",
                                       dx, dy);
}

static void
rd_slot_grid_dispose (GObject *object)
{
  RdSlotGrid *self = RD_SLOT_GRID (object);

  if (self->model != NULL)
    g_clear_signal_handler (&self->items_changed_handler, self->model);
  g_ptr_array_foreach (self->slots, release_slot, self);
  g_ptr_array_set_size (self->slots, 0);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (rd_slot_grid_parent_class)->dispose (object);
}

static void
rd_slot_grid_finalize (GObject *object)
{
  RdSlotGrid *self = RD_SLOT_GRID (object);

  g_clear_pointer (&self->slots, g_ptr_array_unref);

  G_OBJECT_CLASS (rd_slot_grid_parent_class)->finalize (object);
}

static void
rd_slot_grid_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RdSlotGrid *self = RD_SLOT_GRID (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    case PROP_SELECTED_SEQ:
      g_value_set_int (value, self->selected_seq);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_slot_grid_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  RdSlotGrid *self = RD_SLOT_GRID (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      rd_slot_grid_set_model (self, g_value_get_object (value));
      break;
    case PROP_SELECTED_SEQ:
      rd_slot_grid_set_selected_seq (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_slot_grid_class_init (RdSlotGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = rd_slot_grid_dispose;
  object_class->finalize = rd_slot_grid_finalize;
  object_class->get_property = rd_slot_grid_get_property;
  object_class->set_property = rd_slot_grid_set_property;

  widget_class->snapshot = rd_slot_grid_snapshot;
  widget_class->get_request_mode = rd_slot_grid_get_request_mode;
  widget_class->measure = rd_slot_grid_measure;
  widget_class->size_allocate = rd_slot_grid_size_allocate;
  widget_class->query_tooltip = rd_slot_grid_query_tooltip;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SELECTED_SEQ] =
    g_param_spec_int ("selected-seq", NULL, NULL,
                      0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SLOT_ACTIVATED] =
    g_signal_new ("slot-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_install_action (widget_class, "slot-grid.move", "(ii)", move_action);
  gtk_widget_class_install_action (widget_class, "slot-grid.first", NULL, first_action);
  gtk_widget_class_install_action (widget_class, "slot-grid.last", NULL, last_action);
  gtk_widget_class_install_action (widget_class, "slot-grid.activate", NULL, activate_action);

  add_move_binding (widget_class, GDK_KEY_Left, GDK_KEY_KP_Left, -1, 0);
  add_move_binding (widget_class, GDK_KEY_Right, GDK_KEY_KP_Right, 1, 0);
  add_move_binding (widget_class, GDK_KEY_Up, GDK_KEY_KP_Up, 0, -1);
  add_move_binding (widget_class, GDK_KEY_Down, GDK_KEY_KP_Down, 0, 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "slot-grid.first", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Home, 0, "slot-grid.first", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "slot-grid.last", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_End, 0, "slot-grid.last", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0,
                                       "slot-grid.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_ISO_Enter, 0,
                                       "slot-grid.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0,
                                       "slot-grid.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0,
                                       "slot-grid.activate", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Space, 0,
                                       "slot-grid.activate", NULL);

  gtk_widget_class_set_css_name (widget_class, "slotgrid");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID);
}

static void
rd_slot_grid_init (RdSlotGrid *self)
{
  GtkEventController *controller;
  GtkGesture *click;

  self->slots = g_ptr_array_new_with_free_func (g_object_unref);
  self->hover_index = -1;
  self->pressed_index = -1;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  controller = gtk_event_controller_focus_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (on_focus_enter), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Slots"),
                                  -1);
}

GtkWidget *
rd_slot_grid_new (void)
{
  return g_object_new (RD_TYPE_SLOT_GRID, NULL);
}

GListModel *
rd_slot_grid_get_model (RdSlotGrid *self)
{
  g_return_val_if_fail (RD_IS_SLOT_GRID (self), NULL);

  return self->model;
}

void
rd_slot_grid_set_model (RdSlotGrid *self,
                        GListModel *model)
{
  guint n_items;

  g_return_if_fail (RD_IS_SLOT_GRID (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));
  g_return_if_fail (model == NULL || g_type_is_a (g_list_model_get_item_type (model),
                                                  RD_TYPE_SLOT));

  if (self->model == model)
    return;

  if (self->model != NULL)
    {
      g_clear_signal_handler (&self->items_changed_handler, self->model);
      g_ptr_array_foreach (self->slots, release_slot, self);
      g_ptr_array_set_size (self->slots, 0);
      g_clear_object (&self->model);
    }

  if (model != NULL)
    {
      self->model = g_object_ref (model);
      self->items_changed_handler =
        g_signal_connect_object (model, "items-changed",
                                 G_CALLBACK (on_items_changed), self, G_CONNECT_DEFAULT);
      n_items = g_list_model_get_n_items (model);
      on_items_changed (model, 0, 0, n_items, self);
    }
  else
    {
      gtk_widget_queue_resize (GTK_WIDGET (self));
      update_accessible_description (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

int
rd_slot_grid_get_selected_seq (RdSlotGrid *self)
{
  g_return_val_if_fail (RD_IS_SLOT_GRID (self), 0);

  return self->selected_seq;
}

void
rd_slot_grid_set_selected_seq (RdSlotGrid *self,
                               int         seq)
{
  g_return_if_fail (RD_IS_SLOT_GRID (self));
  g_return_if_fail (seq >= 0);

  if (self->selected_seq == seq)
    return;

  self->selected_seq = seq;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  update_accessible_description (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_SEQ]);
}

guint
rd_slot_grid_get_n_columns (RdSlotGrid *self)
{
  g_return_val_if_fail (RD_IS_SLOT_GRID (self), 0);

  return self->n_columns;
}

gboolean
rd_slot_grid_get_cell_area (RdSlotGrid      *self,
                            int              seq,
                            graphene_rect_t *area)
{
  g_return_val_if_fail (RD_IS_SLOT_GRID (self), FALSE);
  g_return_val_if_fail (area != NULL, FALSE);

  return cell_rect (self, index_of_seq (self, seq), area);
}

char *
rd_slot_grid_describe_slot (RdSlot *slot)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *window = NULL;
  RdSlotStatus status;
  RdChannel channel;
  const char *label;

  g_return_val_if_fail (RD_IS_SLOT (slot), NULL);

  status = rd_slot_get_status (slot);
  channel = rd_slot_get_channel (slot);
  label = rd_slot_get_patient_label (slot);
  window = time_window (slot);

  /* Translators: first line of a slot's tooltip, "No. 12, 08:00–08:10" */
  g_string_append_printf (text, _("No. %d, %s"), rd_slot_get_seq (slot), window);
  g_string_append_c (text, '\n');
  g_string_append (text, rd_slot_status_to_string (status));

  if (status == RD_SLOT_STATUS_FREE && channel == RD_CHANNEL_ONLINE)
    g_string_append_printf (text, "\n%s",
                            _("Kept for online booking until the pool is released"));
  else if (status == RD_SLOT_STATUS_FREE && channel == RD_CHANNEL_PHONE)
    g_string_append_printf (text, "\n%s",
                            _("Kept for phone booking until the pool is released"));
  else if (channel != RD_CHANNEL_WINDOW)
    {
      g_string_append_c (text, '\n');
      /* Translators: the channel a slot was booked through, "Channel: Online" */
      g_string_append_printf (text, _("Channel: %s"), rd_channel_to_string (channel));
    }

  if (status == RD_SLOT_STATUS_HELD && rd_slot_get_held_until (slot) != NULL)
    {
      g_string_append_c (text, '\n');
      /* Translators: an unpaid slot is held for the patient until this time */
      g_string_append_printf (text, _("Held until %s"), rd_slot_get_held_until (slot));
    }

  if (label != NULL && *label != '\0')
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Patient: %s"), label);
    }

  if (rd_slot_get_queue_number (slot) > 0)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Queue number: %d"), rd_slot_get_queue_number (slot));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

GtkWidget *
rd_slot_grid_legend_new (void)
{
  static const struct
  {
    const char *css_class;
    int         status;     /* -1: a free cell of another pool */
  } entries[] = {
    { "free", RD_SLOT_STATUS_FREE },
    { "pool", -1 },
    { "held", RD_SLOT_STATUS_HELD },
    { "booked", RD_SLOT_STATUS_BOOKED },
    { "paid", RD_SLOT_STATUS_PAID },
    { "checked-in", RD_SLOT_STATUS_CHECKED_IN },
    { "no-show", RD_SLOT_STATUS_NO_SHOW },
    { "locked", RD_SLOT_STATUS_LOCKED },
  };
  GtkWidget *legend = gtk_flow_box_new ();

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (legend), GTK_SELECTION_NONE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (legend), G_N_ELEMENTS (entries));
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (legend), 12);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (legend), 6);
  gtk_widget_add_css_class (legend, "slot-legend");

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      GtkWidget *item = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *swatch = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      const char *words = entries[i].status >= 0
                          ? rd_slot_status_to_string (entries[i].status)
                          : _("Free, online or phone pool");
      GtkWidget *label = gtk_label_new (words);
      GtkWidget *child;

      gtk_widget_add_css_class (swatch, "slot-legend-swatch");
      gtk_widget_add_css_class (swatch, entries[i].css_class);
      gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (label, "caption");
      gtk_box_append (GTK_BOX (item), swatch);
      gtk_box_append (GTK_BOX (item), label);

      gtk_flow_box_append (GTK_FLOW_BOX (legend), item);
      child = gtk_widget_get_parent (item);
      gtk_widget_set_focusable (child, FALSE);
    }

  return legend;
}
