/* rd-result.h: the rows a statement returned, without libpq types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _RdResult RdResult;

#define RD_TYPE_RESULT (rd_result_get_type ())
GType        rd_result_get_type          (void) G_GNUC_CONST;

RdResult    *rd_result_ref               (RdResult   *self);
void         rd_result_unref             (RdResult   *self);
guint        rd_result_get_n_rows        (RdResult   *self);
guint        rd_result_get_n_columns     (RdResult   *self);
/* -1 when there is no column of that name. */
int          rd_result_get_column        (RdResult   *self,
                                          const char *name);
const char  *rd_result_get_column_name   (RdResult   *self,
                                          guint       column);
gboolean     rd_result_is_null           (RdResult   *self,
                                          guint       row,
                                          guint       column);
/* Text value; NULL for SQL NULL. */
const char  *rd_result_get_string        (RdResult   *self,
                                          guint       row,
                                          guint       column);
gint64       rd_result_get_int64         (RdResult   *self,
                                          guint       row,
                                          guint       column);
gboolean     rd_result_get_boolean       (RdResult   *self,
                                          guint       row,
                                          guint       column);
double       rd_result_get_double        (RdResult   *self,
                                          guint       row,
                                          guint       column);
/* Rows affected by INSERT/UPDATE/DELETE, 0 otherwise. */
guint64      rd_result_get_n_affected    (RdResult   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdResult, rd_result_unref)

G_END_DECLS
