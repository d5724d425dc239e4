-- SPDX-License-Identifier: GPL-3.0-or-later
CREATE TABLE mig_slow (x integer);
SELECT pg_sleep(1);
