/* rd-patient-editor.c: registering a patient, or correcting one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ui"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-identity.h"
#include "rd-patient-editor.h"
#include "rd-patients.h"

struct _RdPatientEditor
{
  AdwWindow          parent_instance;

  GtkButton         *save_button;
  GtkSpinner        *saving_spinner;
  GtkRevealer       *duplicate_revealer;
  GtkLabel          *duplicate_label;
  GtkLabel          *duplicate_detail;
  GtkButton         *use_existing_button;
  GtkLabel          *general_error;
  AdwEntryRow       *name_row;
  AdwComboRow       *id_type_row;
  AdwEntryRow       *id_number_row;
  AdwActionRow      *sex_row;
  GtkToggleButton   *female_button;
  GtkToggleButton   *male_button;
  AdwEntryRow       *birth_row;
  AdwEntryRow       *phone_row;
  AdwEntryRow       *card_row;
  GtkSwitch         *disabled_switch;
  GtkSwitch         *military_switch;
  /* indexed by RdPatientField */
  GtkWidget         *error_rows[RD_PATIENT_N_FIELDS];
  GtkLabel          *error_labels[RD_PATIENT_N_FIELDS];

  RdDb              *db;
  RdPatient         *patient;
  RdPatient         *existing;
  GCancellable      *cancellable;
  /* one per dialog: a save retried after a lost answer is not a second patient */
  char              *request_id;
  gint64             saved_id;

  RdPatientFormResult form;
  gboolean           touched[RD_PATIENT_N_FIELDS];
  /* a refusal from the database for one field, until that field changes */
  char              *server_errors[RD_PATIENT_N_FIELDS];
  gboolean           valid;
  gboolean           busy;
  gboolean           filling;
};

G_DEFINE_FINAL_TYPE (RdPatientEditor, rd_patient_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_DB,
  PROP_PATIENT,
  PROP_VALID,
  PROP_BUSY,
  N_PROPS
};

enum {
  SAVED,
  EXISTING_CHOSEN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static const char * const error_names[RD_PATIENT_N_FIELDS] = {
  [RD_PATIENT_FIELD_NAME] = "name_error",
  [RD_PATIENT_FIELD_ID_NUMBER] = "id_number_error",
  [RD_PATIENT_FIELD_SEX] = "sex_error",
  [RD_PATIENT_FIELD_BIRTH_DATE] = "birth_date_error",
  [RD_PATIENT_FIELD_PHONE] = "phone_error",
  [RD_PATIENT_FIELD_CARD_NO] = "card_no_error",
};

static RdIdType
selected_id_type (RdPatientEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->id_type_row);

  return selected <= RD_ID_TYPE_NONE ? (RdIdType) selected : RD_ID_TYPE_RESIDENT_ID;
}

static const char *
selected_sex (RdPatientEditor *self)
{
  if (gtk_toggle_button_get_active (self->female_button))
    return "F";
  if (gtk_toggle_button_get_active (self->male_button))
    return "M";

  return NULL;
}

static void
set_sex (RdPatientEditor *self,
         const char      *sex)
{
  gtk_toggle_button_set_active (self->female_button, g_strcmp0 (sex, "F") == 0);
  gtk_toggle_button_set_active (self->male_button, g_strcmp0 (sex, "M") == 0);
}

static void
set_busy (RdPatientEditor *self,
          gboolean         busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_spinner_set_spinning (self->saving_spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), self->valid && !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
show_general_error (RdPatientEditor *self,
                    const char      *message)
{
  gtk_label_set_text (self->general_error, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->general_error), message != NULL);
}

/* Re-reads every field, shows what is wrong with the fields the clerk has
 * touched, and locks sex and birth date to a resident ID. */
static void
rd_patient_editor_validate (RdPatientEditor *self)
{
  RdIdType id_type = selected_id_type (self);
  RdPatientFormInput input = {
    .name = gtk_editable_get_text (GTK_EDITABLE (self->name_row)),
    .id_type = id_type,
    .id_number = gtk_editable_get_text (GTK_EDITABLE (self->id_number_row)),
    .sex = selected_sex (self),
    .birth_date = gtk_editable_get_text (GTK_EDITABLE (self->birth_row)),
    .phone = gtk_editable_get_text (GTK_EDITABLE (self->phone_row)),
    .card_no = gtk_editable_get_text (GTK_EDITABLE (self->card_row)),
  };
  gboolean resident = id_type == RD_ID_TYPE_RESIDENT_ID;
  gboolean valid;

  rd_patient_form_result_clear (&self->form);
  valid = rd_patient_form_check (&input, NULL, &self->form);

  if (self->form.derived)
    {
      /* show what the ID says; the fields follow it, the clerk cannot disagree */
      self->filling = TRUE;
      set_sex (self, self->form.sex);
      gtk_editable_set_text (GTK_EDITABLE (self->birth_row), self->form.birth_date);
      self->filling = FALSE;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->sex_row), !resident);
  gtk_widget_set_sensitive (GTK_WIDGET (self->birth_row), !resident);
  gtk_widget_set_sensitive (GTK_WIDGET (self->id_number_row), id_type != RD_ID_TYPE_NONE);

  for (guint i = 0; i < RD_PATIENT_N_FIELDS; i++)
    {
      const char *message = self->server_errors[i] != NULL ? self->server_errors[i]
                                                           : self->form.errors[i];
      gboolean shown = message != NULL && self->touched[i];

      gtk_label_set_text (self->error_labels[i], shown ? message : "");
      gtk_widget_set_visible (self->error_rows[i], shown);
      if (self->server_errors[i] != NULL)
        valid = FALSE;
    }

  if (valid != self->valid)
    {
      self->valid = valid;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), self->valid && !self->busy);
}

static RdPatientField
field_of (RdPatientEditor *self,
          gpointer         widget)
{
  if (widget == self->name_row)
    return RD_PATIENT_FIELD_NAME;
  if (widget == self->id_number_row)
    return RD_PATIENT_FIELD_ID_NUMBER;
  if (widget == self->birth_row)
    return RD_PATIENT_FIELD_BIRTH_DATE;
  if (widget == self->phone_row)
    return RD_PATIENT_FIELD_PHONE;
  if (widget == self->card_row)
    return RD_PATIENT_FIELD_CARD_NO;

  return RD_PATIENT_FIELD_SEX;
}

static void
touch (RdPatientEditor *self,
       RdPatientField   field)
{
  self->touched[field] = TRUE;
  g_clear_pointer (&self->server_errors[field], g_free);
}

static void
on_field_changed (RdPatientEditor *self,
                  GtkEditable     *editable)
{
  if (self->filling)
    return;

  touch (self, field_of (self, editable));
  gtk_revealer_set_reveal_child (self->duplicate_revealer, FALSE);
  show_general_error (self, NULL);
  rd_patient_editor_validate (self);
}

static void
on_sex_toggled (RdPatientEditor *self)
{
  if (self->filling)
    return;

  touch (self, RD_PATIENT_FIELD_SEX);
  rd_patient_editor_validate (self);
}

static void
on_id_type_changed (RdPatientEditor *self)
{
  if (self->filling)
    return;

  touch (self, RD_PATIENT_FIELD_ID_NUMBER);
  if (selected_id_type (self) == RD_ID_TYPE_NONE)
    gtk_editable_set_text (GTK_EDITABLE (self->id_number_row), "");
  rd_patient_editor_validate (self);
}

static void
on_entry_activated (RdPatientEditor *self,
                    AdwEntryRow     *row)
{
  /* Enter moves on, and saves in the last field */
  if (row == self->card_row)
    {
      for (guint i = 0; i < RD_PATIENT_N_FIELDS; i++)
        self->touched[i] = TRUE;
      rd_patient_editor_validate (self);
      rd_patient_editor_save (self);
    }
  else if (row == self->name_row)
    gtk_widget_grab_focus (GTK_WIDGET (self->id_number_row));
  else if (row == self->id_number_row || row == self->birth_row)
    gtk_widget_grab_focus (GTK_WIDGET (self->phone_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->card_row));
}

static void
finish_saved (RdPatientEditor *self,
              RdPatient       *patient)
{
  set_busy (self, FALSE);
  g_signal_emit (self, signals[SAVED], 0, patient);
  gtk_window_close (GTK_WINDOW (self));
}

static void
saved_get_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(RdPatientEditor) self = user_data;
  g_autoptr(RdPatient) patient = NULL;
  g_autoptr(GError) error = NULL;

  patient = rd_patients_get_finish (RD_DB (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (patient == NULL)
    {
      /* written all the same: go on with what was sent */
      g_debug ("Could not read the saved patient back: %s", error->message);
      patient = rd_patient_form_result_to_patient (&self->form, selected_id_type (self),
                                                   self->saved_id,
                                                   gtk_switch_get_active (self->disabled_switch),
                                                   gtk_switch_get_active (self->military_switch));
    }

  finish_saved (self, patient);
}

static void
duplicate_get_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(RdPatientEditor) self = user_data;
  g_autoptr(RdPatient) existing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *masked = NULL;
  g_autofree char *detail = NULL;
  const char *number;

  existing = rd_patients_get_finish (RD_DB (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (existing == NULL)
    {
      show_general_error (self, _("This patient is already registered"));
      return;
    }

  g_set_object (&self->existing, existing);
  /* Translators: the name of the patient registered before */
  title = g_strdup_printf (_("Already registered: %s"), rd_patient_get_name (existing));
  number = rd_patient_get_id_number (existing);
  masked = number != NULL ? rd_id_number_mask (number) : g_strdup ("");
  /* Translators: born <date>, <masked document number> <mobile> */
  detail = g_strdup_printf (_("Born %s  %s  %s"), rd_patient_get_birth_date (existing), masked,
                            rd_patient_get_phone (existing) != NULL
                            ? rd_patient_get_phone (existing) : "");
  gtk_label_set_text (self->duplicate_label, title);
  gtk_label_set_text (self->duplicate_detail, g_strstrip (detail));
  gtk_revealer_set_reveal_child (self->duplicate_revealer, TRUE);
}

static void
handle_save_error (RdPatientEditor *self,
                   GError          *error)
{
  g_autofree char *message = NULL;
  RdPatientField field;
  gint64 duplicate_id = rd_patients_error_get_duplicate_id (error);

  if (duplicate_id > 0)
    {
      rd_patients_get_async (self->db, duplicate_id, self->cancellable, duplicate_get_cb,
                             g_object_ref (self));
      return;
    }

  set_busy (self, FALSE);
  field = rd_patient_form_describe_error (error, &message);
  if (field < RD_PATIENT_N_FIELDS)
    {
      g_free (self->server_errors[field]);
      self->server_errors[field] = g_steal_pointer (&message);
      self->touched[field] = TRUE;
      rd_patient_editor_validate (self);
    }
  else
    {
      show_general_error (self, message);
    }
}

static void
create_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RdPatientEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = rd_patients_create_finish (RD_DB (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (id == 0)
    {
      handle_save_error (self, error);
      return;
    }

  self->saved_id = id;
  rd_patients_get_async (self->db, id, self->cancellable, saved_get_cb, g_object_ref (self));
}

static void
update_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(RdPatientEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!rd_patients_update_finish (RD_DB (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        handle_save_error (self, error);
      return;
    }

  self->saved_id = rd_patient_get_id (self->patient);
  rd_patients_get_async (self->db, self->saved_id, self->cancellable, saved_get_cb,
                         g_object_ref (self));
}

static void
on_save_clicked (RdPatientEditor *self)
{
  rd_patient_editor_save (self);
}

static void
on_use_existing_clicked (RdPatientEditor *self)
{
  g_autoptr(RdPatient) existing = NULL;

  if (self->existing == NULL)
    return;

  existing = g_object_ref (self->existing);
  g_signal_emit (self, signals[EXISTING_CHOSEN], 0, existing);
  gtk_window_close (GTK_WINDOW (self));
}

static void
fill_from_patient (RdPatientEditor *self,
                   RdPatient       *patient)
{
  int id_type = rd_id_type_from_db (rd_patient_get_id_type (patient));

  self->filling = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row),
                         rd_patient_get_name (patient) != NULL
                         ? rd_patient_get_name (patient) : "");
  adw_combo_row_set_selected (self->id_type_row, id_type >= 0 ? (guint) id_type
                                                              : RD_ID_TYPE_NONE);
  gtk_editable_set_text (GTK_EDITABLE (self->id_number_row),
                         rd_patient_get_id_number (patient) != NULL
                         ? rd_patient_get_id_number (patient) : "");
  set_sex (self, rd_patient_get_sex (patient));
  gtk_editable_set_text (GTK_EDITABLE (self->birth_row),
                         rd_patient_get_birth_date (patient) != NULL
                         ? rd_patient_get_birth_date (patient) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->phone_row),
                         rd_patient_get_phone (patient) != NULL
                         ? rd_patient_get_phone (patient) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->card_row),
                         rd_patient_get_card_no (patient) != NULL
                         ? rd_patient_get_card_no (patient) : "");
  gtk_switch_set_active (self->disabled_switch, rd_patient_get_disabled (patient));
  gtk_switch_set_active (self->military_switch, rd_patient_get_military (patient));
  self->filling = FALSE;

  /* a registered patient's fields are all the clerk's to see */
  for (guint i = 0; i < RD_PATIENT_N_FIELDS; i++)
    self->touched[i] = TRUE;
}

static void
rd_patient_editor_constructed (GObject *object)
{
  RdPatientEditor *self = RD_PATIENT_EDITOR (object);

  G_OBJECT_CLASS (rd_patient_editor_parent_class)->constructed (object);

  if (self->patient != NULL)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Edit Patient"));
      fill_from_patient (self, self->patient);
    }

  rd_patient_editor_validate (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
}

static void
rd_patient_editor_dispose (GObject *object)
{
  RdPatientEditor *self = RD_PATIENT_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), RD_TYPE_PATIENT_EDITOR);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->db);
  g_clear_object (&self->patient);
  g_clear_object (&self->existing);

  G_OBJECT_CLASS (rd_patient_editor_parent_class)->dispose (object);
}

static void
rd_patient_editor_finalize (GObject *object)
{
  RdPatientEditor *self = RD_PATIENT_EDITOR (object);

  rd_patient_form_result_clear (&self->form);
  for (guint i = 0; i < RD_PATIENT_N_FIELDS; i++)
    g_clear_pointer (&self->server_errors[i], g_free);
  g_clear_pointer (&self->request_id, g_free);

  G_OBJECT_CLASS (rd_patient_editor_parent_class)->finalize (object);
}

static void
rd_patient_editor_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  RdPatientEditor *self = RD_PATIENT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_DB:
      g_value_set_object (value, self->db);
      break;

    case PROP_PATIENT:
      g_value_set_object (value, self->patient);
      break;

    case PROP_VALID:
      g_value_set_boolean (value, self->valid);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_patient_editor_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  RdPatientEditor *self = RD_PATIENT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_DB:
      self->db = g_value_dup_object (value);
      break;

    case PROP_PATIENT:
      self->patient = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_patient_editor_class_init (RdPatientEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = rd_patient_editor_constructed;
  object_class->dispose = rd_patient_editor_dispose;
  object_class->finalize = rd_patient_editor_finalize;
  object_class->get_property = rd_patient_editor_get_property;
  object_class->set_property = rd_patient_editor_set_property;

  properties[PROP_DB] =
    g_param_spec_object ("db", NULL, NULL, RD_TYPE_DB,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PATIENT] =
    g_param_spec_object ("patient", NULL, NULL, RD_TYPE_PATIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RD_TYPE_PATIENT);
  signals[EXISTING_CHOSEN] =
    g_signal_new ("existing-chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, RD_TYPE_PATIENT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/rd-patient-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, saving_spinner);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, duplicate_revealer);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, duplicate_label);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, duplicate_detail);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, use_existing_button);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, general_error);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, id_type_row);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, id_number_row);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, sex_row);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, female_button);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, male_button);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, birth_row);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, phone_row);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, card_row);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, disabled_switch);
  gtk_widget_class_bind_template_child (widget_class, RdPatientEditor, military_switch);
  for (guint i = 0; i < RD_PATIENT_N_FIELDS; i++)
    {
      g_autofree char *row_name = g_strconcat (error_names[i], "_row", NULL);

      gtk_widget_class_bind_template_child_full (widget_class, error_names[i], FALSE,
                                                 G_STRUCT_OFFSET (RdPatientEditor, error_labels)
                                                 + i * sizeof (gpointer));
      /* interned: the class keeps the name for good */
      gtk_widget_class_bind_template_child_full (widget_class, g_intern_string (row_name), FALSE,
                                                 G_STRUCT_OFFSET (RdPatientEditor, error_rows)
                                                 + i * sizeof (gpointer));
    }
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sex_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_id_type_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_use_existing_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
rd_patient_editor_init (RdPatientEditor *self)
{
  g_autoptr(GtkStringList) id_types = gtk_string_list_new (NULL);

  self->filling = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i <= RD_ID_TYPE_NONE; i++)
    gtk_string_list_append (id_types, rd_id_type_to_string (i));
  adw_combo_row_set_model (self->id_type_row, G_LIST_MODEL (id_types));
  adw_combo_row_set_selected (self->id_type_row, RD_ID_TYPE_RESIDENT_ID);
  self->filling = FALSE;

  self->cancellable = g_cancellable_new ();
  self->request_id = g_uuid_string_random ();
}

RdPatientEditor *
rd_patient_editor_new (GtkWindow *parent,
                       RdDb      *db,
                       RdPatient *patient)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (patient == NULL || RD_IS_PATIENT (patient), NULL);

  return g_object_new (RD_TYPE_PATIENT_EDITOR,
                       "transient-for", parent,
                       "db", db,
                       "patient", patient,
                       NULL);
}

RdPatient *
rd_patient_editor_get_patient (RdPatientEditor *self)
{
  g_return_val_if_fail (RD_IS_PATIENT_EDITOR (self), NULL);

  return self->patient;
}

gboolean
rd_patient_editor_get_valid (RdPatientEditor *self)
{
  g_return_val_if_fail (RD_IS_PATIENT_EDITOR (self), FALSE);

  return self->valid;
}

gboolean
rd_patient_editor_get_busy (RdPatientEditor *self)
{
  g_return_val_if_fail (RD_IS_PATIENT_EDITOR (self), FALSE);

  return self->busy;
}

void
rd_patient_editor_prefill (RdPatientEditor *self,
                           const char      *query)
{
  g_autofree char *clean = NULL;
  RdPatientField field;
  AdwEntryRow *row = NULL;

  g_return_if_fail (RD_IS_PATIENT_EDITOR (self));

  field = rd_patient_form_field_for_query (query);
  switch (field)
    {
    case RD_PATIENT_FIELD_NAME:
      row = self->name_row;
      break;

    case RD_PATIENT_FIELD_ID_NUMBER:
      row = self->id_number_row;
      break;

    case RD_PATIENT_FIELD_PHONE:
      row = self->phone_row;
      break;

    case RD_PATIENT_FIELD_CARD_NO:
      row = self->card_row;
      break;

    case RD_PATIENT_FIELD_SEX:
    case RD_PATIENT_FIELD_BIRTH_DATE:
    case RD_PATIENT_N_FIELDS:
    default:
      return;
    }

  clean = g_strstrip (g_strdup (query));
  gtk_editable_set_text (GTK_EDITABLE (row), clean);
}

const char *
rd_patient_editor_get_field_error (RdPatientEditor *self,
                                   RdPatientField   field)
{
  const char *text;

  g_return_val_if_fail (RD_IS_PATIENT_EDITOR (self), NULL);
  g_return_val_if_fail (field < RD_PATIENT_N_FIELDS, NULL);

  if (!gtk_widget_get_visible (self->error_rows[field]))
    return NULL;

  text = gtk_label_get_text (self->error_labels[field]);

  return text != NULL && *text != '\0' ? text : NULL;
}

void
rd_patient_editor_save (RdPatientEditor *self)
{
  g_autoptr(RdPatient) patient = NULL;

  g_return_if_fail (RD_IS_PATIENT_EDITOR (self));

  /* nothing is written until every field is right */
  if (!self->valid || self->busy)
    return;

  show_general_error (self, NULL);
  gtk_revealer_set_reveal_child (self->duplicate_revealer, FALSE);
  set_busy (self, TRUE);

  patient = rd_patient_form_result_to_patient (&self->form, selected_id_type (self),
                                               self->patient != NULL
                                               ? rd_patient_get_id (self->patient) : 0,
                                               gtk_switch_get_active (self->disabled_switch),
                                               gtk_switch_get_active (self->military_switch));
  if (self->patient != NULL)
    rd_patients_update_async (self->db, patient, self->cancellable, update_cb,
                              g_object_ref (self));
  else
    rd_patients_create_async (self->db, self->request_id, patient, self->cancellable,
                              create_cb, g_object_ref (self));
}
