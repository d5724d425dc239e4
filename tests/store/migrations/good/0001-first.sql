-- SPDX-License-Identifier: GPL-3.0-or-later
CREATE TABLE mig_first (id integer PRIMARY KEY, note text);
INSERT INTO mig_first VALUES (1, '第一');
