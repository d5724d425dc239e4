/* rd-ctl.h: what every regdesk-ctl command shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "rd-cluster.h"
#include "rd-db.h"

G_BEGIN_DECLS

/* Exit statuses: scripts tell a refusal from a mistake by these. */
typedef enum
{
  RD_CTL_EXIT_OK = 0,
  RD_CTL_EXIT_FAILED = 1, /* refused by a rule or a permission, or failed */
  RD_CTL_EXIT_USAGE = 2,  /* bad arguments, or no usable connection */
} RdCtlExit;

#define RD_CTL_ERROR (rd_ctl_error_quark ())

typedef enum
{
  RD_CTL_ERROR_USAGE,
} RdCtlError;

GQuark rd_ctl_error_quark (void);

typedef struct _RdCtl RdCtl;
typedef struct _RdCtlCommand RdCtlCommand;

/* A command gets argv with argv[0] the program and the words after the
 * command's name, parses its options with rd_ctl_parse_options() and
 * returns an RdCtlExit. */
typedef int (*RdCtlCommandFunc) (RdCtl  *ctl,
                                 int     argc,
                                 char  **argv);

struct _RdCtlCommand
{
  const char       *name;     /* "db migrate" */
  const char       *summary;  /* one line, N_() */
  RdCtlCommandFunc  run;
};

struct _RdCtl
{
  const RdCtlCommand *command;
  char               *conninfo;   /* -d/--conninfo */
  gboolean            demo;       /* --demo */
  gboolean            verbose;    /* -v/--verbose */
  RdCluster          *demo_cluster;
};

/* Parses the command's @entries and the global options after the command's
 * name. @parameter_string names the positional arguments ("NAME"). */
gboolean     rd_ctl_parse_options    (RdCtl               *ctl,
                                      const GOptionEntry  *entries,
                                      const char          *parameter_string,
                                      int                 *argc,
                                      char              ***argv,
                                      GError             **error);

/* The conninfo the global options, $REGDESK_CONNINFO or libpq's defaults
 * give; with --demo the embedded demo cluster's owner (started if needed). */
char        *rd_ctl_get_conninfo     (RdCtl               *ctl,
                                      GError             **error);
/* A connected RdDb that never reconnects behind the command's back. */
RdDb        *rd_ctl_connect          (RdCtl               *ctl,
                                      GError             **error);

/* Prints "regdesk-ctl: MESSAGE" as one line on stderr and returns the exit
 * status @error calls for. */
int          rd_ctl_fail             (RdCtl               *ctl,
                                      const GError        *error);
int          rd_ctl_usage_error      (RdCtl               *ctl,
                                      const char          *format,
                                      ...) G_GNUC_PRINTF (2, 3);

/* Pretty-prints @node on stdout, with a final newline. */
void         rd_ctl_print_json       (JsonNode            *node);
/* Prints @node compactly as one line on stdout (for a reader that waits
 * for a line), and flushes. */
void         rd_ctl_print_json_line  (JsonNode            *node);

/* TRUE for a real calendar date written YYYY-MM-DD. */
gboolean     rd_ctl_is_iso_date      (const char          *text);
/* Parses the value of @option as a positive id; a usage error otherwise. */
gboolean     rd_ctl_parse_id         (const char          *option,
                                      const char          *text,
                                      gint64              *id,
                                      GError             **error);

/* Commands (one function each, listed in rd-ctl-main.c). */
int          rd_ctl_db_migrate       (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_db_status        (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_staff_add        (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_demo_load        (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_demo_serve       (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_sessions         (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_patients_search  (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_book             (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_cancel           (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_pay_cash         (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_pay_card         (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_pay_query        (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_pay_close        (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_pay_refund       (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_checkin          (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_lottery_draw     (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_maintenance_run  (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_gateway_sim      (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_bench_booking    (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_bench_sync       (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_bench_payments   (RdCtl *ctl, int argc, char **argv);
int          rd_ctl_worker           (RdCtl *ctl, int argc, char **argv);

G_END_DECLS
