-- SPDX-License-Identifier: GPL-3.0-or-later
CREATE TABLE mig_after (x integer);
