-- SPDX-License-Identifier: GPL-3.0-or-later
ALTER TABLE mig_first ADD COLUMN extra integer NOT NULL DEFAULT 0;
CREATE TABLE mig_second (id integer PRIMARY KEY REFERENCES mig_first);
-- the last line is a comment without a newline
-- trailing