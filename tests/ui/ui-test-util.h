/* ui-test-util.h: what every UI test does with real widgets under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*UiTestCondition) (gpointer data);

/* Iterates the main context until @condition holds or @timeout_ms pass;
 * FALSE on timeout. */
gboolean  ui_test_wait_for        (UiTestCondition  condition,
                                   gpointer         data,
                                   guint            timeout_ms);
/* Lets layout and painting catch up for @ms. */
void      ui_test_settle          (guint            ms);
/* A template child of @widget (of template type @type); asserts it exists. */
gpointer  ui_test_child           (gpointer         widget,
                                   GType            type,
                                   const char      *name);
/* Renders @shown as it is on screen after a fresh frame into a PNG at
 * @path: an artefact to look at, not an assertion. */
void      ui_test_save_screenshot (GtkWindow       *shown,
                                   const char      *path);
/* Logs GTK 4.8's "Trying to snapshot <widget> without a current
 * allocation" as a message, so that it does not fail the test as warnings
 * do: AdwHeaderBar's title gizmo shows it now and then when the window
 * swaps its pages at login, a drawing quirk of the toolkit that nothing the
 * test checks depends on. Call it first in main(), before anything logs. */
void      ui_test_init_logging    (void);

G_END_DECLS
