/* rd-ctl-patients.c: regdesk-ctl patients search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-ctl.h"
#include "rd-patient.h"
#include "rd-patients.h"

/* api.patient_search() takes 1 to 200 rows. */
#define MAX_LIMIT 200
#define DEFAULT_LIMIT 20

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_patient (JsonBuilder *builder,
             RdPatient   *patient)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, rd_patient_get_id (patient));
  add_string (builder, "name", rd_patient_get_name (patient));
  add_string (builder, "pinyin", rd_patient_get_pinyin (patient));
  add_string (builder, "sex", rd_patient_get_sex (patient));
  add_string (builder, "birth_date", rd_patient_get_birth_date (patient));
  add_string (builder, "id_type", rd_patient_get_id_type (patient));
  add_string (builder, "id_number", rd_patient_get_id_number (patient));
  add_string (builder, "phone", rd_patient_get_phone (patient));
  add_string (builder, "card_no", rd_patient_get_card_no (patient));
  json_builder_set_member_name (builder, "disabled");
  json_builder_add_boolean_value (builder, rd_patient_get_disabled (patient));
  json_builder_set_member_name (builder, "military");
  json_builder_add_boolean_value (builder, rd_patient_get_military (patient));
  json_builder_end_object (builder);
}

int
rd_ctl_patients_search (RdCtl  *ctl,
                        int     argc,
                        char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(GListModel) patients = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *limit_text = NULL;
  guint64 limit = DEFAULT_LIMIT;
  char *query;
  const GOptionEntry entries[] = {
    { "limit", 'n', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &limit_text,
      N_("At most N patients, 1 to 200 (default: 20)"), N_("N") },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, "TEXT", &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc < 2)
    return rd_ctl_usage_error (ctl, _("Give the text to search for"));
  if (argc > 2)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[2]);
  query = argv[1];
  if (g_utf8_strlen (g_strstrip (query), -1) == 0)
    return rd_ctl_usage_error (ctl, _("The search text is empty"));
  if (limit_text != NULL
      && !g_ascii_string_to_unsigned (limit_text, 10, 1, MAX_LIMIT, &limit, NULL))
    return rd_ctl_usage_error (ctl, _("--limit needs a number from 1 to %d, not “%s”"),
                               MAX_LIMIT, limit_text);

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  patients = rd_patients_search_sync (db, query, (guint) limit, NULL, &error);
  if (patients == NULL)
    return rd_ctl_fail (ctl, error);

  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (patients); i++)
    {
      g_autoptr(RdPatient) patient = g_list_model_get_item (patients, i);

      add_patient (builder, patient);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  rd_ctl_print_json (root);

  return RD_CTL_EXIT_OK;
}
