/* rd-department.h: a department of the hospital (a tree)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RD_TYPE_DEPARTMENT (rd_department_get_type ())
G_DECLARE_FINAL_TYPE (RdDepartment, rd_department, RD, DEPARTMENT, GObject)

/* Properties: id, parent-id (0 = top level), hospital-id (gint64), code,
 * name, pinyin (initials, "nk" for 内科) (string), n-sessions, n-free (int:
 * sessions on the roster's date and their free slots). */
RdDepartment *rd_department_new             (gint64        id);
gint64        rd_department_get_id          (RdDepartment *self);
gint64        rd_department_get_parent_id   (RdDepartment *self);
const char   *rd_department_get_name        (RdDepartment *self);
const char   *rd_department_get_code        (RdDepartment *self);
int           rd_department_get_n_sessions  (RdDepartment *self);
int           rd_department_get_n_free      (RdDepartment *self);
gint64        rd_department_get_hospital_id (RdDepartment *self);
const char   *rd_department_get_pinyin      (RdDepartment *self);

/* Setters notify only on change. */
void          rd_department_set_parent_id   (RdDepartment *self,
                                             gint64        parent_id);
void          rd_department_set_hospital_id (RdDepartment *self,
                                             gint64        hospital_id);
void          rd_department_set_code        (RdDepartment *self,
                                             const char   *code);
void          rd_department_set_name        (RdDepartment *self,
                                             const char   *name);
void          rd_department_set_pinyin      (RdDepartment *self,
                                             const char   *pinyin);
void          rd_department_set_n_sessions  (RdDepartment *self,
                                             int           n_sessions);
void          rd_department_set_n_free      (RdDepartment *self,
                                             int           n_free);

G_END_DECLS
