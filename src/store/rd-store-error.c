/* rd-store-error.c: errors of the database layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "rd-store-error-private.h"

/* A detail longer than this stays in the server log: the message must fit
 * one line of a dialog. */
#define SHORT_DETAIL 120

typedef struct
{
  char *sqlstate;
} RdStoreErrorPrivate;

static void
rd_store_error_private_init (RdStoreErrorPrivate *priv)
{
  priv->sqlstate = NULL;
}

static void
rd_store_error_private_copy (const RdStoreErrorPrivate *src,
                             RdStoreErrorPrivate       *dest)
{
  dest->sqlstate = g_strdup (src->sqlstate);
}

static void
rd_store_error_private_clear (RdStoreErrorPrivate *priv)
{
  g_clear_pointer (&priv->sqlstate, g_free);
}

G_DEFINE_EXTENDED_ERROR (RdStoreError, rd_store_error)

const char *
rd_store_error_get_sqlstate (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != RD_STORE_ERROR)
    return NULL;

  return rd_store_error_get_private (error)->sqlstate;
}

RdStoreError
rd_store_error_code_from_sqlstate (const char *sqlstate)
{
  if (sqlstate == NULL || strlen (sqlstate) != 5)
    return RD_STORE_ERROR_FAILED;

  /* Business rules raised by the api.* functions. */
  if (g_str_has_prefix (sqlstate, "RD"))
    return RD_STORE_ERROR_REJECTED;

  if (g_str_has_prefix (sqlstate, "08") ||
      g_str_equal (sqlstate, "57P01") ||
      g_str_equal (sqlstate, "57P02") ||
      g_str_equal (sqlstate, "57P03"))
    return RD_STORE_ERROR_CONNECTION;

  if (g_str_has_prefix (sqlstate, "28"))
    return RD_STORE_ERROR_AUTH;

  if (g_str_equal (sqlstate, "42501"))
    return RD_STORE_ERROR_PERMISSION;

  if (g_str_equal (sqlstate, "23505") ||
      g_str_equal (sqlstate, "40001") ||
      g_str_equal (sqlstate, "40P01"))
    return RD_STORE_ERROR_CONFLICT;

  if (g_str_has_prefix (sqlstate, "22") || g_str_has_prefix (sqlstate, "23"))
    return RD_STORE_ERROR_INVALID;

  if (g_str_equal (sqlstate, "42P01") ||
      g_str_equal (sqlstate, "42883") ||
      g_str_equal (sqlstate, "3F000"))
    return RD_STORE_ERROR_SCHEMA;

  return RD_STORE_ERROR_FAILED;
}

GError *
rd_store_error_new_sqlstate (RdStoreError  code,
                             const char   *sqlstate,
                             const char   *message)
{
  GError *error;

  error = g_error_new_literal (RD_STORE_ERROR, code, message);
  rd_store_error_get_private (error)->sqlstate = g_strdup (sqlstate);

  return error;
}

char *
rd_store_error_one_line (const char *message)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) str = g_string_new (NULL);

  if (message == NULL)
    return g_strdup ("");

  lines = g_strsplit (message, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (*line == '\0')
        continue;
      if (str->len > 0)
        g_string_append_c (str, ' ');
      g_string_append (str, line);
    }

  return g_string_free (g_steal_pointer (&str), FALSE);
}

GError *
rd_store_error_new_from_result (const PGresult *result,
                                PGconn         *conn)
{
  const char *sqlstate;
  const char *primary;
  const char *detail;
  g_autofree char *message = NULL;
  RdStoreError code;

  g_return_val_if_fail (result != NULL, NULL);

  sqlstate = PQresultErrorField (result, PG_DIAG_SQLSTATE);
  primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
  detail = PQresultErrorField (result, PG_DIAG_MESSAGE_DETAIL);

  if (primary == NULL)
    {
      const char *text = PQresultErrorMessage (result);

      if (text == NULL || *text == '\0')
        text = conn != NULL ? PQerrorMessage (conn) : NULL;
      message = rd_store_error_one_line (text);
      if (*message == '\0')
        {
          g_free (message);
          message = g_strdup (_("The database reported an unknown error"));
        }
    }
  else if (detail != NULL && strlen (detail) <= SHORT_DETAIL && strchr (detail, '\n') == NULL)
    message = g_strdup_printf ("%s (%s)", primary, detail);
  else
    message = rd_store_error_one_line (primary);

  code = rd_store_error_code_from_sqlstate (sqlstate);

  /* Errors libpq makes up itself (the server went away) carry no SQLSTATE. */
  if (sqlstate == NULL && conn != NULL && PQstatus (conn) == CONNECTION_BAD)
    code = RD_STORE_ERROR_CONNECTION;

  return rd_store_error_new_sqlstate (code, sqlstate, message);
}

static gboolean
is_sqlstate_char (char c)
{
  return g_ascii_isdigit (c) || g_ascii_isupper (c);
}

/* "SEVERITY:  28P01: " — libpq writes the separators untranslated, so this
 * finds the code whatever language the server and the client speak.
 * Returns the offset of the code in @line, or -1. */
static gssize
find_sqlstate (const char *line)
{
  for (const char *p = strstr (line, ":  "); p != NULL; p = strstr (p + 1, ":  "))
    {
      const char *code = p + 3;
      gboolean ok = TRUE;

      for (guint i = 0; i < 5 && ok; i++)
        ok = is_sqlstate_char (code[i]);
      if (ok && code[5] == ':' && code[6] == ' ')
        return code - line;
    }

  return -1;
}

/* The LOCATION line of a verbose message: "<label>:  function, file.c:123";
 * the label is translated, the rest is not. */
static gboolean
is_location_line (const char *line)
{
  const char *label_end = strstr (line, ":  ");
  const char *colon = strrchr (line, ':');
  const char *comma;
  const char *p;

  if (label_end == NULL || colon == NULL || colon[1] == '\0')
    return FALSE;

  comma = strstr (label_end + 3, ", ");
  if (comma == NULL || comma > colon || !g_str_has_prefix (colon - 2, ".c"))
    return FALSE;

  for (p = colon + 1; g_ascii_isdigit (*p); p++)
    ;

  return *p == '\0';
}

char *
rd_store_error_parse_connection_message (const char  *message,
                                         char       **sqlstate)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) str = g_string_new (NULL);

  g_return_val_if_fail (sqlstate == NULL || *sqlstate == NULL, NULL);

  if (message == NULL)
    return g_strdup ("");

  lines = g_strsplit (message, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      gssize code;

      if (*line == '\0' || is_location_line (line))
        continue;

      code = find_sqlstate (line);
      if (str->len > 0)
        g_string_append_c (str, ' ');
      if (code < 0)
        {
          g_string_append (str, line);
          continue;
        }

      /* The last server error is the one that ended the attempt. */
      if (sqlstate != NULL)
        {
          g_free (*sqlstate);
          *sqlstate = g_strndup (line + code, 5);
        }
      g_string_append_len (str, line, code);
      g_string_append (str, line + code + 7);
    }

  return g_string_free (g_steal_pointer (&str), FALSE);
}

/* Only for servers that sent no SQLSTATE: these texts are English, so they
 * match only a server whose lc_messages is (as ours always is). */
static gboolean
is_english_auth_failure (const char *message)
{
  static const char * const patterns[] = {
    "password authentication failed",
    "no password supplied",
    "SCRAM authentication",
    "Peer authentication failed",
    "no pg_hba.conf entry",
    "pg_hba.conf rejects connection",
  };

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      if (strstr (message, patterns[i]) != NULL)
        return TRUE;
    }

  /* role "x" does not exist */
  return strstr (message, "role \"") != NULL && strstr (message, "\" does not exist") != NULL;
}

GError *
rd_store_error_new_from_connection (PGconn *conn)
{
  g_autofree char *message = NULL;
  g_autofree char *sqlstate = NULL;
  RdStoreError code;

  if (conn == NULL)
    return rd_store_error_new_sqlstate (RD_STORE_ERROR_CONNECTION, NULL,
                                        _("Out of memory while connecting to the database"));

  message = rd_store_error_parse_connection_message (PQerrorMessage (conn), &sqlstate);
  if (*message == '\0')
    {
      g_free (message);
      message = g_strdup (_("Could not connect to the database"));
    }

  /* Language-independent facts first: the server's SQLSTATE (present when
   * the connection was made with PQERRORS_VERBOSE) and libpq's own flag for
   * a password it was asked for and did not have. */
  if (sqlstate != NULL)
    code = g_str_has_prefix (sqlstate, "28") ? RD_STORE_ERROR_AUTH : RD_STORE_ERROR_CONNECTION;
  else if (PQconnectionNeedsPassword (conn) || is_english_auth_failure (message))
    code = RD_STORE_ERROR_AUTH;
  else
    code = RD_STORE_ERROR_CONNECTION;

  return rd_store_error_new_sqlstate (code, sqlstate, message);
}
