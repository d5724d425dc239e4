/* rd-staff.c: who is logged in, and staff logins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-staff.h"

#define WHOAMI_SQL \
  "SELECT login, display_name, roles, hospital_id, hospital_name, time_zone " \
  "FROM api.whoami()"

/* Splits a one-dimensional array literal ({a,b}, {"a b",c}) into its
 * elements. Unquoted NULL elements are dropped: a role name is never NULL. */
static GPtrArray *
parse_text_array (const char *literal)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) item = NULL;
  const char *p = literal;
  gboolean quoted = FALSE;
  gboolean was_quoted = FALSE;

  if (p == NULL || *p != '{')
    return g_steal_pointer (&items);

  for (p++; *p != '\0'; p++)
    {
      if (item == NULL)
        item = g_string_new (NULL);

      if (quoted)
        {
          if (*p == '\\' && p[1] != '\0')
            g_string_append_c (item, *++p);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (item, *p);
        }
      else if (*p == '"')
        {
          quoted = TRUE;
          was_quoted = TRUE;
        }
      else if (*p == ',' || *p == '}')
        {
          if (was_quoted ||
              (item->len > 0 && g_ascii_strcasecmp (item->str, "NULL") != 0))
            g_ptr_array_add (items, g_string_free (g_steal_pointer (&item), FALSE));
          else
            g_string_truncate (item, 0);
          was_quoted = FALSE;
          if (*p == '}')
            break;
        }
      else if (!g_ascii_isspace (*p))
        g_string_append_c (item, *p);
    }

  return g_steal_pointer (&items);
}

static RdWhoami *
whoami_from_result (RdResult  *result,
                    GError   **error)
{
  g_autoptr(RdWhoami) whoami = NULL;
  g_autoptr(GPtrArray) groups = NULL;

  if (rd_result_get_n_rows (result) != 1 || rd_result_get_n_columns (result) < 6)
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_SCHEMA,
                           _("The database did not say who is logged in"));
      return NULL;
    }

  whoami = g_new0 (RdWhoami, 1);
  whoami->login = g_strdup (rd_result_get_string (result, 0, 0));
  whoami->display_name = g_strdup (rd_result_get_string (result, 0, 1));
  groups = parse_text_array (rd_result_get_string (result, 0, 2));
  for (guint i = 0; i < groups->len; i++)
    whoami->roles |= rd_role_from_db (g_ptr_array_index (groups, i));
  if (!rd_result_is_null (result, 0, 3))
    whoami->hospital_id = rd_result_get_int64 (result, 0, 3);
  whoami->hospital_name = g_strdup (rd_result_get_string (result, 0, 4));
  whoami->time_zone = g_strdup (rd_result_get_string (result, 0, 5));

  if (whoami->roles == RD_ROLE_NONE)
    {
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION,
                   _("The login “%s” is not Regdesk staff"), whoami->login);
      return NULL;
    }

  return g_steal_pointer (&whoami);
}

static void
whoami_query_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GError) error = NULL;
  RdWhoami *whoami;

  rows = rd_db_query_finish (RD_DB (object), result, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  whoami = whoami_from_result (rows, &error);
  if (whoami == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, whoami, (GDestroyNotify) rd_whoami_free);
}

void
rd_whoami_free (RdWhoami *whoami)
{
  if (whoami == NULL)
    return;

  g_free (whoami->login);
  g_free (whoami->display_name);
  g_free (whoami->hospital_name);
  g_free (whoami->time_zone);
  g_free (whoami);
}

void
rd_staff_whoami_async (RdDb                *db,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (RD_IS_DB (db));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_staff_whoami_async);

  rd_db_query_async (db, WHOAMI_SQL, 0, NULL, cancellable,
                     whoami_query_cb, g_steal_pointer (&task));
}

RdWhoami *
rd_staff_whoami_finish (RdDb          *db,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (g_task_is_valid (result, db), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_staff_whoami_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

RdWhoami *
rd_staff_whoami_sync (RdDb          *db,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(RdResult) rows = NULL;

  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  rows = rd_db_query_sync (db, WHOAMI_SQL, 0, NULL, cancellable, error);
  if (rows == NULL)
    return NULL;

  return whoami_from_result (rows, error);
}

gboolean
rd_staff_add_sync (RdDb          *db,
                   const char    *login,
                   const char    *display_name,
                   RdRoles        role,
                   const char    *password,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(RdResult) rows = NULL;
  g_autofree char *verifier = NULL;
  const char *params[4];
  const char *role_name;

  g_return_val_if_fail (RD_IS_DB (db), FALSE);
  g_return_val_if_fail (login != NULL && *login != '\0', FALSE);
  g_return_val_if_fail (display_name != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch ((int) role)
    {
    case RD_ROLE_CLERK:
      role_name = "clerk";
      break;
    case RD_ROLE_MANAGER:
      role_name = "manager";
      break;
    case RD_ROLE_FINANCE:
      role_name = "finance";
      break;
    case RD_ROLE_ADMIN:
      role_name = "admin";
      break;
    default:
      g_return_val_if_reached (FALSE);
    }

  if (*password == '\0')
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID,
                           _("A staff login needs a password"));
      return FALSE;
    }

  /* The server only ever sees the verifier, never the password. */
  verifier = rd_db_encrypt_password (db, login, password, error);
  if (verifier == NULL)
    return FALSE;

  params[0] = login;
  params[1] = display_name;
  params[2] = role_name;
  params[3] = verifier;
  rows = rd_db_query_sync (db, "SELECT api.staff_add($1, $2, $3, $4)",
                           G_N_ELEMENTS (params), params, cancellable, error);

  return rows != NULL;
}
