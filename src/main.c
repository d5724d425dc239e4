/* main.c: the regdesk program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(RdApplication) app = NULL;

  /* $REGDESK_LOCALEDIR lets a build tree run with its own translations */
  rd_application_init_i18n ();

  app = rd_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
