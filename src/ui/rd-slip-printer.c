/* rd-slip-printer.c: the registration slip on paper and in PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <errno.h>

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "rd-application.h"
#include "rd-enums.h"
#include "rd-money.h"
#include "rd-order-row.h"
#include "rd-qr-paintable.h"
#include "rd-slip-printer.h"
#include "rd-ui-util.h"

#define PT_PER_MM (72.0 / 25.4)
#define PAGE_WIDTH (RD_SLIP_WIDTH_MM * PT_PER_MM)
#define MARGIN (4.0 * PT_PER_MM)
#define QR_SIZE (30.0 * PT_PER_MM)
#define ROW_GAP 2.5
#define COLUMN_GAP 6.0

/* Noto Sans CJK draws both scripts; the rest are fallbacks. */
#define FONT_SANS "Noto Sans CJK SC, Noto Sans, Sans"
#define FONT_MONO "Noto Sans Mono CJK SC, Noto Sans Mono, Monospace"

/* Where the next line goes, and the fonts. */
typedef struct
{
  cairo_t      *cr;
  PangoContext *context;
  double        y;
} Painter;

static PangoLayout *
painter_layout (Painter    *painter,
                const char *text,
                const char *font,
                double      width)
{
  g_autoptr(PangoFontDescription) description = pango_font_description_from_string (font);
  PangoLayout *layout = pango_layout_new (painter->context);

  pango_layout_set_font_description (layout, description);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_width (layout, width > 0 ? pango_units_from_double (width) : -1);
  pango_layout_set_text (layout, text, -1);

  return layout;
}

static void
painter_show (Painter     *painter,
              PangoLayout *layout,
              double       x)
{
  cairo_move_to (painter->cr, x, painter->y);
  pango_cairo_show_layout (painter->cr, layout);
}

static double
layout_height (PangoLayout *layout)
{
  int height;

  pango_layout_get_size (layout, NULL, &height);

  return pango_units_to_double (height);
}

static double
layout_width (PangoLayout *layout)
{
  int width;

  pango_layout_get_size (layout, &width, NULL);

  return pango_units_to_double (width);
}

/* A centred paragraph across the printable width. */
static void
painter_centered (Painter    *painter,
                  const char *text,
                  const char *font)
{
  g_autoptr(PangoLayout) layout = NULL;

  if (text == NULL || *text == '\0')
    return;

  layout = painter_layout (painter, text, font, PAGE_WIDTH - 2 * MARGIN);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  painter_show (painter, layout, MARGIN);
  painter->y += layout_height (layout);
}

static void
painter_rule (Painter *painter)
{
  static const double dashes[] = { 2.0, 2.0 };

  painter->y += 5.0;
  cairo_save (painter->cr);
  cairo_set_line_width (painter->cr, 0.6);
  cairo_set_dash (painter->cr, dashes, G_N_ELEMENTS (dashes), 0);
  cairo_move_to (painter->cr, MARGIN, painter->y);
  cairo_line_to (painter->cr, PAGE_WIDTH - MARGIN, painter->y);
  cairo_stroke (painter->cr);
  cairo_restore (painter->cr);
  painter->y += 5.0;
}

typedef struct
{
  const char *label;
  char       *value;
} Row;

static void
row_clear (Row *row)
{
  g_clear_pointer (&row->value, g_free);
}

static void
add_row (GArray     *rows,
         const char *label,
         char       *value)
{
  Row row = { label, value };

  if (value == NULL || *value == '\0')
    {
      g_free (value);
      return;
    }
  g_array_append_val (rows, row);
}

/* The label: value lines, in the order a patient reads them. */
static GArray *
slip_rows (const RdSlip *slip)
{
  GArray *rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_autofree char *date = NULL;
  int period;

  g_array_set_clear_func (rows, (GDestroyNotify) row_clear);

  add_row (rows, _("Patient"), g_strdup (slip->patient_name));
  add_row (rows, _("ID number"), g_strdup (slip->patient_id_masked));
  add_row (rows, _("Department"), g_strdup (slip->department_name));
  if (slip->doctor_name != NULL)
    add_row (rows, _("Doctor"),
             slip->doctor_title != NULL ?
             /* Translators: a doctor and their title, "王芳 主任医师" */
             g_strdup_printf (_("%s, %s"), slip->doctor_name,
                              rd_doctor_title_to_string (slip->doctor_title)) :
             g_strdup (slip->doctor_name));
  if (slip->clinic_type != NULL)
    add_row (rows, _("Clinic"), g_strdup (rd_clinic_type_to_string (slip->clinic_type)));
  if (slip->date != NULL)
    {
      date = rd_ui_format_date (slip->date);
      period = rd_period_from_db (slip->period);
      add_row (rows, _("Date"),
               period >= 0 ?
               /* Translators: a visit's date and half-day, "Mon, 3 June 2024 · Morning" */
               g_strdup_printf (_("%s · %s"), date, rd_period_to_string (period)) :
               g_strdup (date));
    }
  add_row (rows, _("Time"), rd_ui_format_time_range (slip->starts_at, slip->ends_at));
  add_row (rows, _("Fee"), rd_money_format (slip->fee));
  if (slip->paid_amount > 0)
    {
      add_row (rows, _("Paid"), rd_money_format (slip->paid_amount));
      add_row (rows, _("Payment"), rd_slip_describe_methods (slip));
    }
  if (slip->tendered >= 0)
    {
      add_row (rows, _("Cash tendered"), rd_money_format (slip->tendered));
      add_row (rows, _("Change"), rd_money_format (MAX (slip->change, 0)));
    }
  add_row (rows, _("Status"), g_strdup (rd_order_status_to_string (slip->order_status)));

  return rows;
}

static void
painter_rows (Painter      *painter,
              const RdSlip *slip)
{
  g_autoptr(GArray) rows = slip_rows (slip);
  double label_width = 0;
  double value_x;

  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(PangoLayout) label = NULL;

      label = painter_layout (painter, g_array_index (rows, Row, i).label, FONT_SANS " 8.5", -1);
      label_width = MAX (label_width, layout_width (label));
    }
  label_width = MIN (label_width, (PAGE_WIDTH - 2 * MARGIN) * 0.4);
  value_x = MARGIN + label_width + COLUMN_GAP;

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = &g_array_index (rows, Row, i);
      g_autoptr(PangoLayout) label = NULL;
      g_autoptr(PangoLayout) value = NULL;

      label = painter_layout (painter, row->label, FONT_SANS " 8.5", label_width);
      value = painter_layout (painter, row->value, FONT_SANS " Bold 9",
                              PAGE_WIDTH - MARGIN - value_x);
      painter_show (painter, label, MARGIN);
      painter_show (painter, value, value_x);
      painter->y += MAX (layout_height (label), layout_height (value)) + ROW_GAP;
    }
}

/* Lays the slip out from the top; returns the page height it needed. */
static double
slip_paint (cairo_t      *cr,
            const RdSlip *slip)
{
  PangoContext *context;
  cairo_font_options_t *options;
  Painter painter;
  int number;

  context = pango_cairo_create_context (cr);
  /* One point per unit on every surface, and metrics that do not depend
   * on the device: print, PDF and PNG lay out alike. */
  pango_cairo_context_set_resolution (context, 72.0);
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);
  /* Han characters in their Simplified Chinese forms */
  pango_context_set_language (context, pango_language_from_string ("zh-cn"));

  painter.cr = cr;
  painter.context = context;
  painter.y = MARGIN;

  cairo_save (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);

  painter_centered (&painter, slip->hospital_name, FONT_SANS " Bold 12");
  painter.y += 2.0;
  painter_centered (&painter, _("Registration Slip"), FONT_SANS " 9.5");
  painter_rule (&painter);

  number = rd_slip_get_number (slip);
  if (number > 0)
    {
      g_autofree char *text = g_strdup_printf ("%d", number);

      painter_centered (&painter, slip->queue_no > 0 ? _("Queue number") : _("Number"),
                        FONT_SANS " 8");
      painter_centered (&painter, text, FONT_SANS " Bold 26");
      painter_rule (&painter);
    }

  painter_rows (&painter, slip);
  painter_rule (&painter);

  if (slip->order_no != NULL)
    {
      painter.y += 2.0;
      if (rd_qr_draw_cairo (cr, slip->order_no, (PAGE_WIDTH - QR_SIZE) / 2, painter.y, QR_SIZE))
        painter.y += QR_SIZE + 2.0;
      cairo_set_source_rgb (cr, 0, 0, 0);
      painter_centered (&painter, slip->order_no, FONT_MONO " 9");
    }
  if (slip->printed_at != NULL)
    {
      g_autofree char *printed = NULL;

      /* Translators: when the slip was printed, "Printed 2024-06-03 08:12" */
      printed = g_strdup_printf (_("Printed %s"), slip->printed_at);
      painter.y += 3.0;
      painter_centered (&painter, printed, FONT_SANS " 7.5");
    }
  painter.y += 3.0;
  painter_centered (&painter,
                    _("Keep this slip. Check in at the clinic on the day of your visit."),
                    FONT_SANS " 7.5");
  cairo_restore (cr);
  g_object_unref (context);

  return painter.y + MARGIN;
}

void
rd_slip_get_page_size (const RdSlip *slip,
                       double       *width,
                       double       *height)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  double needed;

  g_return_if_fail (slip != NULL);

  /* The layout measures itself by drawing where nothing is kept. */
  surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cr = cairo_create (surface);
  needed = slip_paint (cr, slip);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  if (width != NULL)
    *width = PAGE_WIDTH;
  if (height != NULL)
    *height = ceil (needed);
}

void
rd_slip_draw (cairo_t      *cr,
              const RdSlip *slip)
{
  g_return_if_fail (cr != NULL);
  g_return_if_fail (slip != NULL);

  slip_paint (cr, slip);
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              const RdSlip      *slip)
{
  slip_paint (gtk_print_context_get_cairo_context (context), slip);
}

/* The folder a desk without a printer keeps its slips in ("slip-folder"),
 * or NULL to print. */
static char *
get_slip_folder (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *folder = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, RD_SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "slip-folder"))
    return NULL;

  settings = g_settings_new (RD_SETTINGS_SCHEMA_ID);
  folder = g_settings_get_string (settings, "slip-folder");
  if (folder[0] == '\0')
    return NULL;

  return g_steal_pointer (&folder);
}

gboolean
rd_slip_print (GtkWindow     *parent,
               const RdSlip  *slip,
               GError       **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GtkPageSetup) setup = NULL;
  g_autofree char *job_name = NULL;
  g_autofree char *folder = NULL;
  GtkPaperSize *paper;
  GtkPrintOperationResult result;
  double width, height;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), FALSE);
  g_return_val_if_fail (slip != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  folder = get_slip_folder ();
  if (folder != NULL)
    {
      g_autofree char *name = g_strdup_printf ("%s.pdf", slip->order_no != NULL ? slip->order_no
                                                                               : "slip");
      g_autofree char *path = g_build_filename (folder, name, NULL);

      if (g_mkdir_with_parents (folder, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("Cannot make the slip folder “%s”: %s"), folder,
                       g_strerror (saved_errno));
          return FALSE;
        }
      return rd_slip_export_pdf (slip, path, error);
    }

  rd_slip_get_page_size (slip, &width, &height);
  paper = gtk_paper_size_new_custom ("regdesk-slip", _("Receipt (80 mm)"), width, height,
                                     GTK_UNIT_POINTS);
  setup = gtk_page_setup_new ();
  gtk_page_setup_set_paper_size (setup, paper);
  gtk_paper_size_free (paper);
  gtk_page_setup_set_top_margin (setup, 0, GTK_UNIT_POINTS);
  gtk_page_setup_set_bottom_margin (setup, 0, GTK_UNIT_POINTS);
  gtk_page_setup_set_left_margin (setup, 0, GTK_UNIT_POINTS);
  gtk_page_setup_set_right_margin (setup, 0, GTK_UNIT_POINTS);

  operation = gtk_print_operation_new ();
  /* Translators: the print job's name, with the order number */
  job_name = g_strdup_printf (_("Registration slip %s"),
                              slip->order_no != NULL ? slip->order_no : "");
  gtk_print_operation_set_job_name (operation, job_name);
  gtk_print_operation_set_n_pages (operation, 1);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  /* The slip draws its own margins from the paper's corner. */
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page), (gpointer) slip);

  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent,
                                    error);

  if (result == GTK_PRINT_OPERATION_RESULT_CANCEL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Printing was cancelled."));
      return FALSE;
    }

  return result != GTK_PRINT_OPERATION_RESULT_ERROR;
}

gboolean
rd_slip_export_pdf (const RdSlip  *slip,
                    const char    *path,
                    GError       **error)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  double width, height;

  g_return_val_if_fail (slip != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  rd_slip_get_page_size (slip, &width, &height);
  surface = cairo_pdf_surface_create (path, width, height);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Regdesk");
  if (slip->order_no != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, slip->order_no);
  cr = cairo_create (surface);
  slip_paint (cr, slip);
  cairo_show_page (cr);
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autofree char *display_name = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   /* Translators: a file name and cairo's reason */
                   _("Could not save “%s”: %s"), display_name,
                   cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}
