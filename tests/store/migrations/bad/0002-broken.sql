-- SPDX-License-Identifier: GPL-3.0-or-later
CREATE TABLE mig_half (x integer);
SELECT 1 / 0;
