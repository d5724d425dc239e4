/* test-patient-form.c: what the patient editor decides, without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-patient-form.h"
#include "rd-store-error.h"

/* "110105" + birth + sequence + the GB 11643 check character */
static char *
resident_id (const char *birth,
             int         seq)
{
  g_autofree char *first17 = g_strdup_printf ("110105%s%03d", birth, seq);

  return g_strdup_printf ("%s%c", first17, rd_resident_id_check_char (first17));
}

static void
test_resident_id_derives (void)
{
  g_autoptr(GDate) today = g_date_new_dmy (1, 6, 2024);
  g_autofree char *id = resident_id ("19900307", 11);
  g_autofree char *lower_x = NULL;
  RdPatientFormInput input = {
    .name = "  张三 ", .id_type = RD_ID_TYPE_RESIDENT_ID, .id_number = id,
    .sex = "F", .birth_date = "2001-01-01", .phone = "+86 138-0013-8000", .card_no = " ab12 ",
  };
  RdPatientFormResult result;
  g_autoptr(RdPatient) patient = NULL;

  /* the ID's birth date and sex win over whatever the other fields hold */
  g_assert_true (rd_patient_form_check (&input, today, &result));
  g_assert_true (result.derived);
  g_assert_cmpstr (result.name, ==, "张三");
  g_assert_cmpstr (result.birth_date, ==, "1990-03-07");
  g_assert_cmpstr (result.sex, ==, "M");
  g_assert_cmpstr (result.phone, ==, "13800138000");
  g_assert_cmpstr (result.card_no, ==, "AB12");
  for (guint i = 0; i < RD_PATIENT_N_FIELDS; i++)
    g_assert_null (result.errors[i]);

  patient = rd_patient_form_result_to_patient (&result, RD_ID_TYPE_RESIDENT_ID, 0, FALSE, TRUE);
  g_assert_cmpstr (rd_patient_get_id_type (patient), ==, "resident_id");
  g_assert_cmpstr (rd_patient_get_id_number (patient), ==, id);
  g_assert_cmpstr (rd_patient_get_pinyin (patient), ==, "");
  g_assert_true (rd_patient_get_military (patient));
  rd_patient_form_result_clear (&result);

  /* a wrong last character is the ID field's problem alone */
  id[17] = id[17] == '0' ? '1' : '0';
  g_assert_false (rd_patient_form_check (&input, today, &result));
  g_assert_false (result.derived);
  g_assert_cmpstr (result.errors[RD_PATIENT_FIELD_ID_NUMBER], ==,
                   "This ID number is mistyped: its last character does not match");
  g_assert_null (result.errors[RD_PATIENT_FIELD_SEX]);
  g_assert_null (result.errors[RD_PATIENT_FIELD_BIRTH_DATE]);
  g_assert_null (result.errors[RD_PATIENT_FIELD_NAME]);
  rd_patient_form_result_clear (&result);

  /* born after "today": not yet a person */
  g_free (id);
  id = resident_id ("20240602", 12);
  input.id_number = id;
  g_assert_false (rd_patient_form_check (&input, today, &result));
  g_assert_nonnull (result.errors[RD_PATIENT_FIELD_ID_NUMBER]);
  rd_patient_form_result_clear (&result);

  /* a lower-case x is the same X */
  lower_x = g_strdup ("11010519491231002x");
  input.id_number = lower_x;
  if (rd_resident_id_check_char (lower_x) == 'X')
    {
      g_assert_true (rd_patient_form_check (&input, today, &result));
      g_assert_cmpstr (result.id_number, ==, "11010519491231002X");
      g_assert_cmpstr (result.sex, ==, "F");
      rd_patient_form_result_clear (&result);
    }
}

static void
test_other_documents (void)
{
  g_autoptr(GDate) today = g_date_new_dmy (1, 6, 2024);
  RdPatientFormInput input = {
    .name = "John Smith", .id_type = RD_ID_TYPE_PASSPORT, .id_number = "e1234567",
    .sex = "M", .birth_date = "1980/2/29", .phone = "", .card_no = NULL,
  };
  RdPatientFormResult result;
  struct
  {
    RdIdType    type;
    const char *number;
    gboolean    ok;
  } documents[] = {
    { RD_ID_TYPE_PASSPORT, "E12", FALSE },
    { RD_ID_TYPE_HK_MACAU_PERMIT, "H12345678", TRUE },
    { RD_ID_TYPE_HK_MACAU_PERMIT, "X12345678", FALSE },
    { RD_ID_TYPE_TAIWAN_PERMIT, "12345678", TRUE },
    { RD_ID_TYPE_TAIWAN_PERMIT, "1234567", FALSE },
    { RD_ID_TYPE_NONE, "anything", TRUE },
  };

  g_assert_true (rd_patient_form_check (&input, today, &result));
  g_assert_false (result.derived);
  g_assert_cmpstr (result.id_number, ==, "E1234567");
  g_assert_cmpstr (result.birth_date, ==, "1980-02-29");
  g_assert_null (result.phone);
  rd_patient_form_result_clear (&result);

  for (guint i = 0; i < G_N_ELEMENTS (documents); i++)
    {
      input.id_type = documents[i].type;
      input.id_number = documents[i].number;
      g_assert_cmpint (rd_patient_form_check (&input, today, &result), ==, documents[i].ok);
      g_assert_cmpint (result.errors[RD_PATIENT_FIELD_ID_NUMBER] == NULL, ==, documents[i].ok);
      if (documents[i].type == RD_ID_TYPE_NONE)
        {
          g_autoptr(RdPatient) patient = NULL;

          patient = rd_patient_form_result_to_patient (&result, RD_ID_TYPE_NONE, 7, FALSE, FALSE);
          g_assert_null (rd_patient_get_id_number (patient));
          g_assert_cmpint (rd_patient_get_id (patient), ==, 7);
        }
      rd_patient_form_result_clear (&result);
    }
}

static void
test_field_errors (void)
{
  g_autoptr(GDate) today = g_date_new_dmy (1, 6, 2024);
  struct
  {
    const char     *birth_date;
    const char     *sex;
    const char     *phone;
    const char     *card;
    RdPatientField  wrong;
  } cases[] = {
    { "1990-02-30", "F", NULL, NULL, RD_PATIENT_FIELD_BIRTH_DATE },
    { "1990-13-01", "F", NULL, NULL, RD_PATIENT_FIELD_BIRTH_DATE },
    { "1990-1/01", "F", NULL, NULL, RD_PATIENT_FIELD_BIRTH_DATE },
    { "2024-06-02", "F", NULL, NULL, RD_PATIENT_FIELD_BIRTH_DATE },
    { "1879-12-31", "F", NULL, NULL, RD_PATIENT_FIELD_BIRTH_DATE },
    { "", "F", NULL, NULL, RD_PATIENT_FIELD_BIRTH_DATE },
    { "1990-01-01", NULL, NULL, NULL, RD_PATIENT_FIELD_SEX },
    { "1990-01-01", "X", NULL, NULL, RD_PATIENT_FIELD_SEX },
    { "1990-01-01", "F", "1380013800", NULL, RD_PATIENT_FIELD_PHONE },
    { "1990-01-01", "F", "12345678901", NULL, RD_PATIENT_FIELD_PHONE },
    { "1990-01-01", "F", "138a0138000", NULL, RD_PATIENT_FIELD_PHONE },
    { "1990-01-01", "F", NULL, "AB1", RD_PATIENT_FIELD_CARD_NO },
    { "1990-01-01", "F", NULL, "AB-123", RD_PATIENT_FIELD_CARD_NO },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RdPatientFormInput input = {
        .name = "李四", .id_type = RD_ID_TYPE_NONE, .sex = cases[i].sex,
        .birth_date = cases[i].birth_date, .phone = cases[i].phone, .card_no = cases[i].card,
      };
      RdPatientFormResult result;

      g_assert_false (rd_patient_form_check (&input, today, &result));
      for (guint f = 0; f < RD_PATIENT_N_FIELDS; f++)
        {
          if (f == cases[i].wrong)
            g_assert_nonnull (result.errors[f]);
          else
            g_assert_null (result.errors[f]);
        }
      g_test_message ("%s: %s", cases[i].birth_date, result.errors[cases[i].wrong]);
      rd_patient_form_result_clear (&result);
    }

  {
    RdPatientFormInput input = {
      .name = "   ", .id_type = RD_ID_TYPE_NONE, .sex = "M", .birth_date = "19900101",
    };
    RdPatientFormResult result;

    g_assert_false (rd_patient_form_check (&input, today, &result));
    g_assert_nonnull (result.errors[RD_PATIENT_FIELD_NAME]);
    g_assert_cmpstr (result.birth_date, ==, "1990-01-01");
    rd_patient_form_result_clear (&result);
  }
}

static void
test_query_fields (void)
{
  g_assert_cmpint (rd_patient_form_field_for_query ("13800138000"), ==, RD_PATIENT_FIELD_PHONE);
  g_assert_cmpint (rd_patient_form_field_for_query (" 110105199003070011 "), ==,
                   RD_PATIENT_FIELD_ID_NUMBER);
  g_assert_cmpint (rd_patient_form_field_for_query ("11010519491231002x"), ==,
                   RD_PATIENT_FIELD_ID_NUMBER);
  g_assert_cmpint (rd_patient_form_field_for_query ("900001234"), ==, RD_PATIENT_FIELD_CARD_NO);
  g_assert_cmpint (rd_patient_form_field_for_query ("张三"), ==, RD_PATIENT_FIELD_NAME);
  g_assert_cmpint (rd_patient_form_field_for_query ("zs"), ==, RD_PATIENT_N_FIELDS);
  g_assert_cmpint (rd_patient_form_field_for_query ("  "), ==, RD_PATIENT_N_FIELDS);
  g_assert_cmpint (rd_patient_form_field_for_query (NULL), ==, RD_PATIENT_N_FIELDS);
}

static void
test_describe (void)
{
  g_autoptr(GDate) today = g_date_new_dmy (1, 6, 2024);
  g_autofree char *adult = rd_patient_form_describe_sex_age ("M", "1990-06-02", today);
  g_autofree char *birthday = rd_patient_form_describe_sex_age ("F", "1990-06-01", today);
  g_autofree char *baby = rd_patient_form_describe_sex_age ("F", "2024-01-15", today);
  g_autofree char *unknown = rd_patient_form_describe_sex_age (NULL, NULL, today);
  g_autoptr(GError) refusal = NULL;
  g_autoptr(GError) lost = NULL;
  g_autofree char *message = NULL;

  g_assert_cmpstr (adult, ==, "Male · 33 years");
  g_assert_cmpstr (birthday, ==, "Female · 34 years");
  g_assert_cmpstr (baby, ==, "Female · 4 months");
  g_assert_cmpstr (unknown, ==, "");

  /* the store keeps the SQLSTATE in the error; a made-up one has none */
  refusal = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION, "gone");
  g_assert_cmpint (rd_patient_form_describe_error (refusal, &message), ==, RD_PATIENT_N_FIELDS);
  g_assert_cmpstr (message, ==, "The database cannot be reached: try again in a moment");
  g_clear_pointer (&message, g_free);
  lost = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION, "no");
  g_assert_cmpint (rd_patient_form_describe_error (lost, &message), ==, RD_PATIENT_N_FIELDS);
  g_assert_cmpstr (message, ==, "Your login may not register or change patients");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/patient-form/resident-id", test_resident_id_derives);
  g_test_add_func ("/patient-form/other-documents", test_other_documents);
  g_test_add_func ("/patient-form/field-errors", test_field_errors);
  g_test_add_func ("/patient-form/query-fields", test_query_fields);
  g_test_add_func ("/patient-form/describe", test_describe);

  return g_test_run ();
}
