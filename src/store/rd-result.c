/* rd-result.c: the rows a statement returned, without libpq types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include "rd-result-private.h"

struct _RdResult
{
  gatomicrefcount  ref_count;
  PGresult        *result;
};

G_DEFINE_BOXED_TYPE (RdResult, rd_result, rd_result_ref, rd_result_unref)

RdResult *
rd_result_new_take (PGresult *result)
{
  RdResult *self;

  g_return_val_if_fail (result != NULL, NULL);

  self = g_new0 (RdResult, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->result = result;

  return self;
}

RdResult *
rd_result_ref (RdResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
rd_result_unref (RdResult *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      PQclear (self->result);
      g_free (self);
    }
}

guint
rd_result_get_n_rows (RdResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) PQntuples (self->result);
}

guint
rd_result_get_n_columns (RdResult *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (guint) PQnfields (self->result);
}

int
rd_result_get_column (RdResult   *self,
                      const char *name)
{
  int n_columns;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  /* An exact match, not PQfnumber's identifier folding and quoting rules. */
  n_columns = PQnfields (self->result);
  for (int i = 0; i < n_columns; i++)
    {
      if (g_strcmp0 (PQfname (self->result, i), name) == 0)
        return i;
    }

  return -1;
}

const char *
rd_result_get_column_name (RdResult *self,
                           guint     column)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (column < (guint) PQnfields (self->result), NULL);

  return PQfname (self->result, (int) column);
}

static inline gboolean
cell_is_valid (RdResult *self,
               guint     row,
               guint     column)
{
  return row < (guint) PQntuples (self->result) && column < (guint) PQnfields (self->result);
}

gboolean
rd_result_is_null (RdResult *self,
                   guint     row,
                   guint     column)
{
  g_return_val_if_fail (self != NULL, TRUE);
  g_return_val_if_fail (cell_is_valid (self, row, column), TRUE);

  return PQgetisnull (self->result, (int) row, (int) column);
}

const char *
rd_result_get_string (RdResult *self,
                      guint     row,
                      guint     column)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (cell_is_valid (self, row, column), NULL);

  if (PQgetisnull (self->result, (int) row, (int) column))
    return NULL;

  return PQgetvalue (self->result, (int) row, (int) column);
}

gint64
rd_result_get_int64 (RdResult *self,
                     guint     row,
                     guint     column)
{
  const char *value;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (cell_is_valid (self, row, column), 0);

  value = rd_result_get_string (self, row, column);
  if (value == NULL)
    return 0;

  return g_ascii_strtoll (value, NULL, 10);
}

gboolean
rd_result_get_boolean (RdResult *self,
                       guint     row,
                       guint     column)
{
  const char *value;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cell_is_valid (self, row, column), FALSE);

  value = rd_result_get_string (self, row, column);

  /* The text form of a boolean is "t" or "f". */
  return value != NULL && (value[0] == 't' || value[0] == 'T');
}

double
rd_result_get_double (RdResult *self,
                      guint     row,
                      guint     column)
{
  const char *value;

  g_return_val_if_fail (self != NULL, 0.0);
  g_return_val_if_fail (cell_is_valid (self, row, column), 0.0);

  value = rd_result_get_string (self, row, column);
  if (value == NULL)
    return 0.0;

  return g_ascii_strtod (value, NULL);
}

guint64
rd_result_get_n_affected (RdResult *self)
{
  static const char * const writes[] = { "INSERT ", "UPDATE ", "DELETE ", "MERGE ", "COPY " };
  const char *status;
  const char *tuples;
  gboolean is_write = FALSE;

  g_return_val_if_fail (self != NULL, 0);

  /* PQcmdTuples also counts the rows of a SELECT; the contract is writes. */
  status = PQcmdStatus (self->result);
  for (guint i = 0; status != NULL && i < G_N_ELEMENTS (writes); i++)
    is_write |= g_str_has_prefix (status, writes[i]);
  if (!is_write)
    return 0;

  tuples = PQcmdTuples (self->result);
  if (tuples == NULL || *tuples == '\0')
    return 0;

  return g_ascii_strtoull (tuples, NULL, 10);
}
