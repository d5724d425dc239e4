-- demo.sql: the demo hospital generator (not a migration)
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Creates schema regdesk_demo with regdesk_demo.load(seed, today), which
-- fills an empty Regdesk database with one believable hospital, in the
-- caller's transaction, as the schema owner. Every choice comes from a hash
-- of (seed, a key naming the choice), never from random(): the same seed and
-- today give the same rows whatever order the planner evaluates them in.

CREATE SCHEMA IF NOT EXISTS regdesk_demo;
REVOKE ALL ON SCHEMA regdesk_demo FROM PUBLIC;

-- A number in [0, 1) from the seed and a key.
CREATE OR REPLACE FUNCTION regdesk_demo.h (seed int, key text)
RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT ('x' || substr(md5(seed::text || '/' || key), 1, 8))::bit(32)::bigint
         / 4294967296.0::float8
$$;

-- An integer in [0, n).
CREATE OR REPLACE FUNCTION regdesk_demo.hi (seed int, key text, n int)
RETURNS int
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT floor(regdesk_demo.h(seed, key) * n)::int $$;

-- Wall-clock time in the hospital's zone.
CREATE OR REPLACE FUNCTION regdesk_demo.at (d date, t interval)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT (d + t) AT TIME ZONE 'Asia/Shanghai' $$;

-- 17 digits + the GB 11643 mod-11 check character.
CREATE OR REPLACE FUNCTION regdesk_demo.resident_id (body text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT body || substr('10X98765432',
                        (SELECT sum(substr(body, i, 1)::int
                                    * (ARRAY[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8,
                                             4, 2])[i])
                           FROM generate_series(1, 17) i)::int % 11 + 1, 1)
$$;

CREATE OR REPLACE FUNCTION regdesk_demo.load (seed int, today date)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  -- Surnames roughly by frequency; each element is the character and its
  -- pinyin initial.
  surnames CONSTANT text[] := ARRAY[
    '王w', '李l', '张z', '刘l', '陈c', '杨y', '赵z', '黄h', '周z', '吴w',
    '徐x', '孙s', '胡h', '朱z', '高g', '林l', '何h', '郭g', '马m', '罗l',
    '梁l', '宋s', '郑z', '谢x', '韩h', '唐t', '冯f', '于y', '董d', '萧x',
    '程c', '曹c', '袁y', '邓d', '许x', '傅f', '沈s', '曾z', '彭p', '吕l',
    '苏s', '卢l', '蒋j', '蔡c', '贾j', '丁d', '魏w', '薛x', '叶y', '阎y',
    '余y', '潘p', '杜d', '戴d', '夏x', '钟z', '汪w', '田t', '任r', '姜j'];
  male CONSTANT text[] := ARRAY[
    '伟w', '强q', '磊l', '军j', '勇y', '杰j', '涛t', '明m', '超c', '刚g',
    '平p', '辉h', '鹏p', '华h', '飞f', '鑫x', '波b', '斌b', '宇y', '浩h',
    '凯k', '健j', '俊j', '帆f', '帅s', '旭x', '宁n', '龙l', '林l', '成c',
    '建j', '国g', '志z', '文w', '博b', '晨c', '峰f', '亮l', '坤k', '毅y'];
  female CONSTANT text[] := ARRAY[
    '芳f', '娜n', '敏m', '静j', '丽l', '艳y', '娟j', '霞x', '秀x', '玲l',
    '燕y', '婷t', '慧h', '莹y', '雪x', '琳l', '晶j', '颖y', '倩q', '洁j',
    '佳j', '怡y', '欣x', '梅m', '兰l', '红h', '萍p', '丹d', '蕾l', '薇w',
    '悦y', '琪q', '雯w', '璐l', '菲f', '嘉j', '思s', '雨y', '梦m', '月y'];
  middle CONSTANT text[] := ARRAY[
    '晓x', '子z', '家j', '思s', '雨y', '嘉j', '文w', '建j', '志z', '海h',
    '春c', '玉y', '秀x', '永y', '德d', '金j', '新x', '天t', '明m', '少s'];
  -- Real county-level division codes (GB/T 2260); 20 of them so that the
  -- sequence numbers below never repeat within one region.
  regions CONSTANT text[] := ARRAY[
    '110101', '110105', '120101', '310101', '310104', '320102', '320506',
    '330102', '330106', '340102', '350102', '360102', '370102', '410105',
    '420102', '430102', '440103', '440304', '510104', '610113'];
  titles CONSTANT text[] := ARRAY['resident', 'attending', 'associate_chief', 'chief'];
  hid bigint;
  n_leaf int;
  tz CONSTANT text := 'Asia/Shanghai';
BEGIN
  IF seed IS NULL OR today IS NULL THEN
    RAISE EXCEPTION 'seed and today are required' USING ERRCODE = 'RD901';
  END IF;
  IF EXISTS (SELECT 1 FROM regdesk.meta WHERE key = 'demo_seed') THEN
    RAISE EXCEPTION 'demo data is already loaded' USING ERRCODE = 'RD902';
  END IF;
  IF EXISTS (SELECT 1 FROM regdesk.hospitals WHERE code = 'DEMO') THEN
    RAISE EXCEPTION 'a hospital with code DEMO already exists' USING ERRCODE = 'RD903';
  END IF;

  -- Nobody can have seen these rows yet: announce the new rosters once at
  -- the end instead of every row.
  PERFORM set_config('regdesk.bulk_load', 'on', true);

  INSERT INTO regdesk.hospitals (code, name, time_zone, created_at)
  VALUES ('DEMO', '示范市第一人民医院', tz, regdesk_demo.at(today - 400, '08:00'))
  RETURNING id INTO hid;

  -- Departments: a two-level tree ------------------------------------------
  CREATE TEMP TABLE demo_dept
  (
    ord    int PRIMARY KEY,
    parent int,
    code   text,
    name   text,
    pinyin text,
    id     bigint
  ) ON COMMIT DROP;
  INSERT INTO demo_dept (ord, parent, code, name, pinyin) VALUES
    (1, NULL, 'NK', '内科', 'nk'),
    (2, 1, 'XXGNK', '心血管内科', 'xxgnk'),
    (3, 1, 'XHNK', '消化内科', 'xhnk'),
    (4, 1, 'HXNK', '呼吸内科', 'hxnk'),
    (5, 1, 'SJNK', '神经内科', 'sjnk'),
    (6, 1, 'NFMK', '内分泌科', 'nfmk'),
    (7, 1, 'SNK', '肾内科', 'snk'),
    (8, 1, 'XYK', '血液科', 'xyk'),
    (9, NULL, 'WK', '外科', 'wk'),
    (10, 9, 'PWK', '普外科', 'pwk'),
    (11, 9, 'GK', '骨科', 'gk'),
    (12, 9, 'MNWK', '泌尿外科', 'mnwk'),
    (13, 9, 'SJWK', '神经外科', 'sjwk'),
    (14, 9, 'XXWK', '心胸外科', 'xxwk'),
    (15, NULL, 'FCK', '妇产科', 'fck'),
    (16, 15, 'FK', '妇科', 'fk'),
    (17, 15, 'CK', '产科', 'ck'),
    (18, NULL, 'EK', '儿科', 'ek'),
    (19, NULL, 'YK', '眼科', 'yk'),
    (20, NULL, 'EBHK', '耳鼻喉科', 'ebhk'),
    (21, NULL, 'KQK', '口腔科', 'kqk'),
    (22, NULL, 'PFK', '皮肤科', 'pfk'),
    (23, NULL, 'ZYK', '中医科', 'zyk'),
    (24, NULL, 'JZK', '急诊科', 'jzk'),
    (25, NULL, 'KFK', '康复医学科', 'kfyxk');

  -- Parents first, so a child's parent id is known when it is inserted.
  WITH ins AS (
    INSERT INTO regdesk.departments (hospital_id, code, name, pinyin, sort_order)
    SELECT hid, d.code, d.name, d.pinyin, d.ord * 10
      FROM demo_dept d WHERE d.parent IS NULL ORDER BY d.ord
    RETURNING id, code)
  UPDATE demo_dept d SET id = ins.id FROM ins WHERE ins.code = d.code;
  WITH ins AS (
    INSERT INTO regdesk.departments (hospital_id, parent_id, code, name, pinyin, sort_order)
    SELECT hid, p.id, d.code, d.name, d.pinyin, d.ord * 10
      FROM demo_dept d JOIN demo_dept p ON p.ord = d.parent ORDER BY d.ord
    RETURNING id, code)
  UPDATE demo_dept d SET id = ins.id FROM ins WHERE ins.code = d.code;

  -- Doctors see patients in the leaves of the tree.
  CREATE TEMP TABLE demo_leaf ON COMMIT DROP AS
  SELECT row_number() OVER (ORDER BY d.ord) - 1 AS n, d.*
    FROM demo_dept d
   WHERE NOT EXISTS (SELECT 1 FROM demo_dept c WHERE c.parent = d.ord);
  SELECT count(*) INTO n_leaf FROM demo_leaf;

  -- Doctors: 120, names unique by construction ((i mod 60, i mod 40) pairs
  -- repeat only after 120) -------------------------------------------------
  CREATE TEMP TABLE demo_doc ON COMMIT DROP AS
  SELECT i,
         l.id AS department_id,
         l.code AS dept_code,
         l.name AS dept_name,
         s || g1 || coalesce(g2, '') AS parts,
         CASE WHEN u_title < 0.25 THEN 'resident'
              WHEN u_title < 0.60 THEN 'attending'
              WHEN u_title < 0.85 THEN 'associate_chief'
              ELSE 'chief' END AS title,
         sex
    FROM generate_series(0, 119) i
    JOIN demo_leaf l ON l.n = i % n_leaf
    CROSS JOIN LATERAL (SELECT regdesk_demo.h(seed, 'doc-title:' || i) AS u_title,
                               CASE WHEN regdesk_demo.h(seed, 'doc-sex:' || i) < 0.45
                                    THEN 'F' ELSE 'M' END AS sex) a
    CROSS JOIN LATERAL (SELECT surnames[1 + (i + seed % 60 + 60) % 60] AS s,
                               (CASE WHEN a.sex = 'F' THEN female ELSE male END)
                                 [1 + (i + seed % 40 + 40) % 40] AS g1,
                               CASE WHEN regdesk_demo.h(seed, 'doc-g2:' || i) < 0.5
                                    THEN middle[1 + regdesk_demo.hi(seed, 'doc-m:' || i, 20)]
                               END AS g2) n;
  -- parts holds "王w伟w" (or with a middle character first): split it.
  ALTER TABLE demo_doc ADD COLUMN name text, ADD COLUMN pinyin text, ADD COLUMN id bigint;
  UPDATE demo_doc
     SET name = regexp_replace(parts, '[a-z]', '', 'g'),
         pinyin = regexp_replace(parts, '[^a-z]', '', 'g');
  -- A middle character is written between surname and given name.
  UPDATE demo_doc
     SET name = substr(name, 1, 1) || substr(name, 3, 1) || substr(name, 2, 1),
         pinyin = substr(pinyin, 1, 1) || substr(pinyin, 3, 1) || substr(pinyin, 2, 1)
   WHERE char_length(name) = 3;

  WITH ins AS (
    INSERT INTO regdesk.doctors (hospital_id, department_id, code, name, pinyin, title, sex,
                                 intro, created_at)
    SELECT hid, d.department_id, 'D' || lpad((1001 + d.i)::text, 4, '0'), d.name, d.pinyin,
           d.title, d.sex,
           format('从事%s临床工作%s年，擅长%s常见病、多发病及疑难病的诊治。',
                  d.dept_name,
                  CASE d.title WHEN 'resident' THEN 3 WHEN 'attending' THEN 8
                               WHEN 'associate_chief' THEN 15 ELSE 22 END
                    + regdesk_demo.hi(seed, 'doc-years:' || d.i, 5),
                  d.dept_name),
           regdesk_demo.at(today - 365 - d.i, '09:00')
      FROM demo_doc d ORDER BY d.i
    RETURNING id, code)
  UPDATE demo_doc d SET id = ins.id
    FROM ins WHERE ins.code = 'D' || lpad((1001 + d.i)::text, 4, '0');

  -- Fees in fen: everybody holds a general clinic; (associate) chiefs a
  -- specialist clinic; half the chiefs a special-needs clinic.
  INSERT INTO regdesk.doctor_fees (hospital_id, doctor_id, clinic_type, fee)
  SELECT hid, d.id, c.clinic_type, c.fee
    FROM demo_doc d
    CROSS JOIN LATERAL (
      VALUES ('general', CASE d.title WHEN 'resident' THEN 1000 WHEN 'attending' THEN 1500
                                      ELSE 2000 END::bigint),
             ('specialist',
              CASE d.title
                WHEN 'associate_chief' THEN 3000 + 500 * regdesk_demo.hi(seed, 'fee-s:' || d.i, 3)
                WHEN 'chief' THEN 5000 + 500 * regdesk_demo.hi(seed, 'fee-s:' || d.i, 3)
              END::bigint),
             ('special_needs', CASE WHEN d.title = 'chief' AND d.i % 2 = 0
                                    THEN 10000 * (1 + regdesk_demo.hi(seed, 'fee-n:' || d.i, 3))
                               END::bigint)) AS c (clinic_type, fee)
   WHERE c.fee IS NOT NULL
   ORDER BY d.i, c.clinic_type;

  -- Weekly templates ----------------------------------------------------------
  -- Three weekday half-days per doctor (the three best hashes of ten), a
  -- weekend morning for half of them, and the emergency department every
  -- half-day of the week; one paediatrician holds an evening clinic.
  CREATE TEMP TABLE demo_tpl ON COMMIT DROP AS
  SELECT d.i, d.id AS doctor_id, d.department_id, d.title, h.weekday, h.period
    FROM demo_doc d
    CROSS JOIN LATERAL (
      SELECT w.weekday, w.period
        FROM (SELECT wd AS weekday, p AS period,
                     regdesk_demo.h(seed, format('tpl:%s:%s:%s', d.i, wd, p)) AS u
                FROM generate_series(1, 5) wd, unnest(ARRAY['morning', 'afternoon']) p) w
       WHERE d.dept_code <> 'JZK'
       ORDER BY w.u
       LIMIT 3) h
  UNION ALL
  SELECT d.i, d.id, d.department_id, d.title, 6 + d.i % 4, 'morning'
    FROM demo_doc d
   WHERE d.dept_code <> 'JZK' AND d.i % 4 < 2
  UNION ALL
  SELECT d.i, d.id, d.department_id, d.title, wd, p
    FROM demo_doc d, generate_series(1, 7) wd, unnest(ARRAY['morning', 'afternoon']) p
   WHERE d.dept_code = 'JZK'
  UNION ALL
  SELECT d.i, d.id, d.department_id, d.title, wd, 'evening'
    FROM demo_doc d, generate_series(1, 5) wd
   WHERE d.i = (SELECT min(i) FROM demo_doc WHERE dept_code = 'EK');

  INSERT INTO regdesk.schedule_templates
    (hospital_id, doctor_id, department_id, weekday, period, starts_at, ends_at, clinic_type,
     capacity, slot_minutes, quota_window, quota_online, quota_phone, policy, valid_from)
  SELECT hid, t.doctor_id, t.department_id, t.weekday, t.period, c.starts_at, c.ends_at,
         c.clinic_type, q.capacity, c.slot_minutes,
         q.capacity - q.online - q.phone, q.online, q.phone,
         CASE WHEN c.clinic_type = 'special_needs' THEN 'lottery'
              WHEN d.dept_code IN ('XXGNK', 'SJNK', 'KFK') THEN 'priority'
              ELSE 'fcfs' END,
         today - 90
    FROM demo_tpl t
    JOIN demo_doc d ON d.id = t.doctor_id
    CROSS JOIN LATERAL (
      SELECT CASE t.period WHEN 'morning' THEN time '08:00' WHEN 'afternoon' THEN time '13:30'
                           ELSE time '18:00' END AS starts_at,
             CASE t.period WHEN 'morning' THEN time '12:00' WHEN 'afternoon' THEN time '17:00'
                           ELSE time '21:00' END AS ends_at,
             CASE WHEN t.title = 'chief' AND t.period = 'afternoon' AND t.weekday <= 5
                       AND EXISTS (SELECT 1 FROM regdesk.doctor_fees f
                                    WHERE f.doctor_id = t.doctor_id
                                      AND f.clinic_type = 'special_needs')
                  THEN 'special_needs'
                  WHEN t.title IN ('associate_chief', 'chief') THEN 'specialist'
                  ELSE 'general' END AS clinic_type) c0
    CROSS JOIN LATERAL (
      SELECT c0.*,
             CASE c0.clinic_type WHEN 'general' THEN 10 WHEN 'specialist' THEN 15
                                 ELSE 20 END AS slot_minutes) c
    CROSS JOIN LATERAL (
      SELECT (extract(epoch FROM c.ends_at - c.starts_at) / 60)::int / c.slot_minutes
               AS capacity) q0
    CROSS JOIN LATERAL (
      SELECT q0.capacity,
             (q0.capacity * 35 / 100) AS online,
             (q0.capacity * 15 / 100) AS phone) q
   ORDER BY t.i, t.weekday, t.period;

  -- Holidays: the fixed-date public holidays that fall in the four weeks.
  INSERT INTO regdesk.holidays (hospital_id, date, name)
  SELECT hid, x.date, x.name
    FROM generate_series(-14, 13) k
    CROSS JOIN LATERAL (
      SELECT today + k AS date,
             CASE WHEN to_char(today + k, 'MM-DD') = '01-01' THEN '元旦'
                  WHEN to_char(today + k, 'MM-DD') BETWEEN '05-01' AND '05-03' THEN '劳动节'
                  WHEN to_char(today + k, 'MM-DD') BETWEEN '10-01' AND '10-07' THEN '国庆节'
             END AS name) x
   WHERE x.name IS NOT NULL
   ORDER BY x.date;

  -- Sessions: four weeks from the templates ------------------------------------
  INSERT INTO regdesk.sessions
    (hospital_id, department_id, doctor_id, date, period, starts_at, ends_at, clinic_type, fee,
     status, policy, capacity, quota_window, quota_online, quota_phone, online_cutoff_at,
     phone_cutoff_at, lottery_draw_at, lottery_seed, suspended_reason, suspended_at,
     template_id, created_at, updated_at)
  SELECT hid, t.department_id, t.doctor_id, x.date, t.period, t.starts_at, t.ends_at,
         t.clinic_type, f.fee,
         CASE WHEN x.date < today THEN 'closed' WHEN x.suspend THEN 'suspended' ELSE 'open' END,
         t.policy, t.capacity, t.quota_window, t.quota_online, t.quota_phone,
         regdesk_demo.at(x.date, t.starts_at - time '00:00') - interval '120 minutes',
         regdesk_demo.at(x.date, t.starts_at - time '00:00') - interval '120 minutes',
         CASE WHEN t.policy = 'lottery' THEN regdesk_demo.at(x.date - 1, '20:00') END,
         CASE WHEN t.policy = 'lottery'
              THEN regdesk_demo.hi(seed, 'lot:' || t.id || ':' || regdesk.date_text(x.date),
                                   2147483647) END,
         CASE WHEN x.suspend THEN '医生外出会诊' END,
         CASE WHEN x.suspend THEN regdesk_demo.at(today, '08:00') END,
         t.id,
         regdesk_demo.at(least(x.date, today) - 21, '03:00'),
         regdesk_demo.at(least(x.date, today) - 21, '03:00')
    FROM generate_series(-14, 13) k
    JOIN regdesk.schedule_templates t
      ON t.hospital_id = hid AND t.weekday = extract(isodow FROM today + k)
    JOIN regdesk.doctor_fees f ON f.doctor_id = t.doctor_id AND f.clinic_type = t.clinic_type
    JOIN regdesk.departments dep ON dep.id = t.department_id
    CROSS JOIN LATERAL (
      SELECT today + k AS date,
             k > 0
               AND regdesk_demo.h(seed, 'suspend:' || t.doctor_id || ':' || k) < 0.03
               AS suspend) x
   WHERE dep.code = 'JZK'
      OR NOT EXISTS (SELECT 1 FROM regdesk.holidays ho
                      WHERE ho.hospital_id = hid AND ho.date = x.date)
   ORDER BY x.date, t.period, t.department_id, t.doctor_id;

  -- A suspended session is a doctor on leave that day.
  INSERT INTO regdesk.doctor_leave (hospital_id, doctor_id, starts_on, ends_on, reason,
                                    created_by, created_at)
  SELECT DISTINCT ON (s.doctor_id, s.date) hid, s.doctor_id, s.date, s.date, '外出会诊',
         'demo_manager', s.suspended_at
    FROM regdesk.sessions s
   WHERE s.hospital_id = hid AND s.status = 'suspended'
   ORDER BY s.doctor_id, s.date;

  -- Slots: the three channel pools interleaved through the session, e.g.
  -- W O W P W O ... so every pool has early and late times.
  INSERT INTO regdesk.slots (hospital_id, session_id, seq, starts_at, ends_at, channel, status,
                             updated_at)
  SELECT hid, s.id, k.seq,
         regdesk_demo.at(s.date, s.starts_at - time '00:00') + (k.seq - 1) * m.slot,
         regdesk_demo.at(s.date, s.starts_at - time '00:00') + k.seq * m.slot,
         k.channel,
         CASE WHEN s.status = 'suspended' THEN 'locked' ELSE 'free' END,
         s.created_at
    FROM regdesk.sessions s
    CROSS JOIN LATERAL (
      -- Whole minutes: 210 minutes of 20-minute slots make ten 20-minute slots.
      SELECT make_interval(mins => CASE s.clinic_type WHEN 'general' THEN 10
                                                       WHEN 'specialist' THEN 15
                                                       ELSE 20 END) AS slot) m
    CROSS JOIN LATERAL (
      SELECT row_number() OVER (ORDER BY c.pos, c.ord)::int AS seq, c.channel
        FROM (SELECT 'window' AS channel, 0 AS ord, (g - 0.5) / s.quota_window AS pos
                FROM generate_series(1, s.quota_window) g
              UNION ALL
              SELECT 'online', 1, (g - 0.5) / s.quota_online
                FROM generate_series(1, s.quota_online) g
              UNION ALL
              SELECT 'phone', 2, (g - 0.5) / s.quota_phone
                FROM generate_series(1, s.quota_phone) g) c) k
   WHERE s.hospital_id = hid
   ORDER BY s.id, k.seq;

  -- Patients: 2 000 ---------------------------------------------------------------
  CREATE TEMP TABLE demo_pat ON COMMIT DROP AS
  SELECT i, a.sex, a.birth_date, a.id_kind,
         surnames[1 + floor(60 * power(regdesk_demo.h(seed, 'pat-s:' || i), 1.8))::int] AS s,
         CASE WHEN regdesk_demo.h(seed, 'pat-two:' || i) < 0.6
              THEN middle[1 + regdesk_demo.hi(seed, 'pat-m:' || i, 20)] END AS m,
         (CASE WHEN a.sex = 'F' THEN female ELSE male END)
           [1 + regdesk_demo.hi(seed, 'pat-g:' || i, 40)] AS g,
         a.u_phone, a.u_card, a.u_flag
    FROM generate_series(0, 1999) i
    CROSS JOIN LATERAL (
      SELECT CASE WHEN regdesk_demo.h(seed, 'pat-sex:' || i) < 0.52 THEN 'F' ELSE 'M' END AS sex,
             (today - make_interval(years => regdesk_demo.hi(seed, 'pat-age:' || i, 90),
                                    days => regdesk_demo.hi(seed, 'pat-day:' || i, 365)))::date
               AS birth_date,
             regdesk_demo.h(seed, 'pat-kind:' || i) AS id_kind,
             regdesk_demo.h(seed, 'pat-phone:' || i) AS u_phone,
             regdesk_demo.h(seed, 'pat-card:' || i) AS u_card,
             regdesk_demo.h(seed, 'pat-flag:' || i) AS u_flag) a;

  INSERT INTO regdesk.patients (hospital_id, name, pinyin, sex, birth_date, id_type, id_number,
                                phone, card_no, disabled, military, created_at, created_by)
  SELECT hid,
         left(p.s, 1) || coalesce(left(p.m, 1), '') || left(p.g, 1),
         right(p.s, 1) || coalesce(right(p.m, 1), '') || right(p.g, 1),
         p.sex, p.birth_date,
         CASE WHEN p.id_kind < 0.97 THEN 'resident_id'
              WHEN p.id_kind < 0.985 THEN 'passport'
              ELSE 'none' END,
         CASE WHEN p.id_kind < 0.97
              -- Region and sequence from i: i and i + 500k never share a
              -- region, so no two patients share an ID number.
              THEN regdesk_demo.resident_id(
                     regions[1 + (p.i / 500 + 4 * regdesk_demo.hi(seed, 'pat-r:' || p.i % 500, 5))
                               % 20]
                     || to_char(p.birth_date, 'YYYYMMDD')
                     || lpad((2 * (p.i % 500) + CASE p.sex WHEN 'M' THEN 1 ELSE 0 END)::text,
                             3, '0'))
              WHEN p.id_kind < 0.985
              THEN 'E' || lpad((10000000 + p.i * 4099 % 89999999)::text, 8, '0')
         END,
         CASE WHEN p.u_phone < 0.96
              THEN '1' || (ARRAY['3', '5', '7', '8', '9'])[1 + p.i % 5]
                   || lpad(regdesk_demo.hi(seed, 'pat-num:' || p.i, 1000000000)::text, 9, '0')
         END,
         CASE WHEN p.u_card < 0.9 THEN '6' || lpad((100000000 + p.i * 37)::text, 11, '0') END,
         p.u_flag < 0.02,
         p.u_flag >= 0.02 AND p.u_flag < 0.03,
         regdesk_demo.at(today - 30 - regdesk_demo.hi(seed, 'pat-since:' || p.i, 1000),
                         make_interval(mins => 450 + regdesk_demo.hi(seed, 'pat-t:' || p.i, 540))),
         'demo_clerk'
    FROM demo_pat p
   ORDER BY p.i;

  CREATE TEMP TABLE demo_pid ON COMMIT DROP AS
  SELECT (row_number() OVER (ORDER BY id) - 1)::int AS n, id, phone, birth_date, disabled,
         military
    FROM regdesk.patients WHERE hospital_id = hid;
  CREATE UNIQUE INDEX ON demo_pid (n);

  -- Appointments ---------------------------------------------------------------------
  -- Which slots were taken, by whom and how far it got. Past sessions are
  -- busy and finished; today's partly booked; later days fill less the
  -- further away they are. Undrawn lottery pools stay empty.
  CREATE TEMP TABLE demo_appt ON COMMIT DROP AS
  SELECT sl.id AS slot_id, sl.seq, sl.channel, sl.starts_at, sl.ends_at,
         s.id AS session_id, s.date, s.status AS session_status, s.policy, s.fee,
         s.suspended_at, (s.date - today) AS d,
         pid.id AS patient_id, pid.phone, pid.birth_date, pid.disabled, pid.military,
         regdesk_demo.h(seed, 'appt-state:' || sl.id) AS u_state,
         regdesk_demo.h(seed, 'appt-pay:' || sl.id) AS u_pay,
         regdesk_demo.h(seed, 'appt-time:' || sl.id) AS u_time
    FROM regdesk.slots sl
    JOIN regdesk.sessions s ON s.id = sl.session_id
    JOIN demo_pid pid
      ON pid.n = (regdesk_demo.hi(seed, 'appt-pat:' || s.id, 2000) + sl.seq * 7919) % 2000
   WHERE sl.hospital_id = hid
     AND regdesk_demo.h(seed, 'appt-take:' || sl.id)
         < CASE WHEN s.date < today THEN 0.55 + 0.4 * regdesk_demo.h(seed, 'occ:' || s.id)
                WHEN s.date = today THEN 0.30 + 0.4 * regdesk_demo.h(seed, 'occ:' || s.id)
                ELSE greatest(0.05, 0.6 - 0.04 * (s.date - today))
                     * (0.5 + regdesk_demo.h(seed, 'occ:' || s.id)) END
     AND NOT (s.policy = 'lottery' AND s.date > today AND sl.channel <> 'window');

  ALTER TABLE demo_appt ADD COLUMN status text, ADD COLUMN created_at timestamptz,
                        ADD COLUMN paid boolean, ADD COLUMN method text,
                        ADD COLUMN priority_reason text, ADD COLUMN id bigint;
  UPDATE demo_appt a
     SET status = CASE
           WHEN a.session_status = 'suspended' THEN 'cancelled'
           WHEN a.d < 0 THEN CASE WHEN a.u_state < 0.80 THEN 'completed'
                                  WHEN a.u_state < 0.88 THEN 'no_show'
                                  WHEN a.u_state < 0.96 THEN 'cancelled'
                                  ELSE 'expired' END
           WHEN a.d = 0 THEN CASE WHEN a.u_state < 0.35 THEN 'checked_in'
                                  WHEN a.u_state < 0.80 THEN 'booked'
                                  WHEN a.u_state < 0.88 THEN 'pending_payment'
                                  WHEN a.u_state < 0.96 THEN 'cancelled'
                                  ELSE 'expired' END
           ELSE CASE WHEN a.u_state < 0.85 THEN 'booked'
                     WHEN a.u_state < 0.88 THEN 'pending_payment'
                     ELSE 'cancelled' END
         END,
         -- Walk-ins book on the day (an hour or two before); online and
         -- phone bookings up to a week ahead, never after today.
         created_at = CASE
           WHEN a.channel = 'window'
           THEN regdesk_demo.at(least(a.date, today),
                                make_interval(mins => 420 + floor(a.u_time * 90)::int
                                                      + CASE WHEN a.date <= today
                                                                  AND extract(hour FROM
                                                                      a.starts_at AT TIME ZONE
                                                                      'Asia/Shanghai') >= 13
                                                             THEN 300 ELSE 0 END))
           ELSE regdesk_demo.at(least(a.date - 1 - floor(a.u_time * 7)::int, today),
                                make_interval(mins => 480 + floor(a.u_time * 1000)::int % 720))
         END,
         priority_reason = CASE
           WHEN a.policy <> 'priority' THEN NULL
           WHEN a.disabled THEN 'disabled'
           WHEN a.military THEN 'military'
           WHEN a.birth_date <= a.date - interval '70 years' THEN 'elderly'
         END;
  UPDATE demo_appt a
     SET paid = a.status IN ('booked', 'checked_in', 'completed', 'no_show')
                OR (a.status = 'cancelled' AND (a.session_status = 'suspended' OR a.u_pay < 0.7)),
         method = CASE
           WHEN a.channel = 'window'
           THEN (ARRAY['cash', 'cash', 'cash', 'card', 'card', 'wechat', 'wechat', 'wechat',
                       'alipay', 'alipay'])[1 + floor(a.u_pay * 1000)::int % 10]
           ELSE (ARRAY['wechat', 'wechat', 'wechat', 'alipay', 'alipay'])
                  [1 + floor(a.u_pay * 1000)::int % 5]
         END;

  WITH ins AS (
    INSERT INTO regdesk.appointments
      (hospital_id, patient_id, session_id, slot_id, channel, status, priority_reason, queue_no,
       request_id, booked_by, created_at, paid_at, checked_in_at, completed_at, cancelled_at,
       cancel_reason)
    SELECT hid, a.patient_id, a.session_id, a.slot_id, a.channel, a.status, a.priority_reason,
           -- The queue number comes with check-in, in the order patients
           -- arrived (as api.check_in hands it out); the rest have none.
           CASE WHEN c.checked_in_at IS NOT NULL
                THEN row_number() OVER (PARTITION BY a.session_id, c.checked_in_at IS NULL
                                        ORDER BY c.checked_in_at, a.seq)
           END,
           'demo-' || seed || '-' || a.slot_id,
           CASE a.channel WHEN 'window' THEN 'demo_clerk' WHEN 'online' THEN 'demo_online'
                          ELSE 'demo_phone' END,
           a.created_at,
           CASE WHEN a.paid THEN a.created_at + interval '2 minutes' END,
           c.checked_in_at,
           CASE WHEN a.status = 'completed' THEN a.ends_at + interval '3 minutes' END,
           CASE WHEN a.status = 'cancelled'
                THEN greatest(a.created_at + interval '30 minutes', a.suspended_at) END,
           CASE WHEN a.status <> 'cancelled' THEN NULL
                WHEN a.session_status = 'suspended' THEN '停诊'
                WHEN a.u_pay < 0.35 THEN '行程变更'
                WHEN a.u_pay < 0.7 THEN '症状缓解'
                ELSE '重复挂号' END
      FROM demo_appt a
      CROSS JOIN LATERAL (SELECT CASE WHEN a.status IN ('checked_in', 'completed')
                                      THEN greatest(a.created_at + interval '5 minutes',
                                                    a.starts_at - interval '20 minutes')
                                 END AS checked_in_at) c
     ORDER BY a.slot_id
    RETURNING id, slot_id)
  UPDATE demo_appt a SET id = ins.id FROM ins WHERE ins.slot_id = a.slot_id;

  -- The slot follows its appointment: held while unpaid, paid, checked in,
  -- no-show; cancelled and expired appointments released theirs.
  UPDATE regdesk.slots sl
     SET status = CASE a.status WHEN 'pending_payment' THEN 'held'
                                WHEN 'booked' THEN 'paid'
                                WHEN 'checked_in' THEN 'checked_in'
                                WHEN 'completed' THEN 'checked_in'
                                WHEN 'no_show' THEN 'no_show' END,
         held_until = CASE WHEN a.status = 'pending_payment'
                           THEN a.created_at + interval '15 minutes' END,
         updated_at = a.created_at
    FROM demo_appt a
   WHERE sl.id = a.slot_id
     AND a.status IN ('pending_payment', 'booked', 'checked_in', 'completed', 'no_show');

  -- Orders, payments, refunds --------------------------------------------------------
  INSERT INTO regdesk.orders (hospital_id, order_no, appointment_id, patient_id, amount,
                              refunded_amount, status, expires_at, created_at, paid_at,
                              closed_at, created_by)
  SELECT hid,
         -- Numbered as regdesk.next_order_no() numbers a booking's order.
         'R' || to_char(a.created_at AT TIME ZONE tz, 'YYMMDD')
             || lpad(nextval('regdesk.order_no_seq')::text, 8, '0'),
         a.id, a.patient_id, a.fee,
         CASE WHEN a.paid AND a.status = 'cancelled' THEN a.fee ELSE 0 END,
         CASE WHEN a.paid AND a.status = 'cancelled' THEN 'refunded'
              WHEN a.paid THEN 'paid'
              WHEN a.status = 'pending_payment' THEN 'unpaid'
              ELSE 'closed' END,
         a.created_at + interval '15 minutes',
         a.created_at,
         CASE WHEN a.paid THEN a.created_at + interval '2 minutes' END,
         CASE WHEN a.status = 'expired' THEN a.created_at + interval '16 minutes'
              WHEN NOT a.paid AND a.status = 'cancelled'
              THEN greatest(a.created_at + interval '30 minutes', a.suspended_at) END,
         CASE a.channel WHEN 'window' THEN 'demo_clerk' WHEN 'online' THEN 'demo_online'
                        ELSE 'demo_phone' END
    FROM demo_appt a
   ORDER BY a.id;

  -- The desk's shifts: one a day for demo_clerk, closed at night; today's
  -- is still open. One evening the drawer was ten yuan short.
  INSERT INTO regdesk.shifts (hospital_id, clerk, opened_at, closed_at, closed_by, note)
  SELECT hid, 'demo_clerk', regdesk_demo.at(today + k, '07:00'),
         CASE WHEN k < 0 THEN regdesk_demo.at(today + k, '17:30') END,
         CASE WHEN k < 0 THEN 'demo_clerk' END,
         NULL
    FROM generate_series(-14, 0) k
   ORDER BY k;

  INSERT INTO regdesk.payments (hospital_id, order_id, method, provider, out_trade_no,
                                gateway_trade_no, amount, status, tendered, change,
                                card_reference, clerk, shift_id, created_at, finished_at, raw)
  SELECT hid, o.id, a.method,
         CASE a.method WHEN 'wechat' THEN 'wechatpay' WHEN 'alipay' THEN 'alipay'
                       WHEN 'card' THEN 'unionpay_pos' END,
         -- As regdesk.next_trade_no('P', …) numbers a payment.
         'P' || to_char(a.created_at AT TIME ZONE tz, 'YYMMDD')
             || lpad(nextval('regdesk.trade_no_seq')::text, 9, '0'),
         CASE WHEN a.method IN ('wechat', 'alipay') AND a.paid
              THEN CASE a.method WHEN 'wechat' THEN '4200' ELSE '2088' END
                   || to_char(a.created_at AT TIME ZONE tz, 'YYYYMMDD')
                   || lpad(regdesk_demo.hi(seed, 'gw:' || a.id, 1000000000)::text, 10, '0')
                   || lpad((a.id % 1000000)::text, 6, '0') END,
         a.fee,
         CASE WHEN a.paid THEN 'succeeded'
              WHEN a.status = 'expired' THEN 'closed'
              ELSE 'paying' END,
         CASE WHEN a.method = 'cash' THEN ((a.fee + 4999) / 5000) * 5000 END,
         CASE WHEN a.method = 'cash' THEN ((a.fee + 4999) / 5000) * 5000 - a.fee END,
         CASE WHEN a.method = 'card'
              THEN '6222****' || lpad(regdesk_demo.hi(seed, 'card:' || a.id, 10000)::text, 4,
                                      '0') END,
         CASE a.channel WHEN 'window' THEN 'demo_clerk' WHEN 'online' THEN 'demo_online'
                        ELSE 'demo_phone' END,
         sh.id,
         a.created_at + interval '30 seconds',
         CASE WHEN a.paid THEN a.created_at + interval '2 minutes'
              WHEN a.status = 'expired' THEN a.created_at + interval '16 minutes' END,
         CASE WHEN a.method IN ('wechat', 'alipay')
              THEN jsonb_build_object('demo', true, 'trade_state',
                                      CASE WHEN a.paid THEN 'SUCCESS' ELSE 'NOTPAY' END) END
    FROM demo_appt a
    JOIN regdesk.orders o ON o.appointment_id = a.id
    LEFT JOIN regdesk.shifts sh
      ON a.channel = 'window' AND sh.hospital_id = hid
     AND (sh.opened_at AT TIME ZONE tz)::date = (a.created_at AT TIME ZONE tz)::date
   -- Cash and card pay at once or not at all; a QR code shown to somebody who
   -- then walked away is a closed payment; an unpaid one may be in progress.
   WHERE a.paid
      OR (a.method IN ('wechat', 'alipay') AND a.status IN ('expired', 'pending_payment')
          AND a.u_time < 0.5)
   ORDER BY o.id;

  UPDATE regdesk.shifts sh
     SET cash_expected = coalesce(c.total, 0),
         cash_counted = coalesce(c.total, 0)
                        - CASE WHEN (sh.opened_at AT TIME ZONE tz)::date = today - 3
                               THEN least(1000, coalesce(c.total, 0)) ELSE 0 END,
         note = CASE WHEN (sh.opened_at AT TIME ZONE tz)::date = today - 3
                     THEN '短款10元，已登记' END
    FROM (SELECT sh2.id, sum(p.amount) AS total
            FROM regdesk.shifts sh2
            LEFT JOIN regdesk.payments p
              ON p.shift_id = sh2.id AND p.method = 'cash' AND p.status = 'succeeded'
           WHERE sh2.hospital_id = hid
           GROUP BY sh2.id) c
   WHERE c.id = sh.id AND sh.closed_at IS NOT NULL;

  INSERT INTO regdesk.refunds (hospital_id, payment_id, out_refund_no, gateway_refund_no, amount,
                               status, reason, requested_by, created_at, finished_at, raw)
  SELECT hid, p.id,
         -- As regdesk.next_trade_no('F', …) numbers a refund.
         'F' || to_char(ap.cancelled_at AT TIME ZONE tz, 'YYMMDD')
             || lpad(nextval('regdesk.trade_no_seq')::text, 9, '0'),
         CASE WHEN p.method IN ('wechat', 'alipay')
              THEN '50' || substr(p.gateway_trade_no, 5) END,
         p.amount, 'succeeded', ap.cancel_reason,
         CASE ap.channel WHEN 'window' THEN 'demo_clerk' ELSE ap.booked_by END,
         ap.cancelled_at, ap.cancelled_at + interval '1 minute',
         CASE WHEN p.method IN ('wechat', 'alipay')
              THEN jsonb_build_object('demo', true, 'status', 'SUCCESS') END
    FROM regdesk.payments p
    JOIN regdesk.orders o ON o.id = p.order_id
    JOIN regdesk.appointments ap ON ap.id = o.appointment_id
   WHERE o.hospital_id = hid AND o.status = 'refunded' AND p.status = 'succeeded'
   ORDER BY p.id;

  -- The gateways' daily bills up to yesterday, for reconciliation.
  INSERT INTO regdesk.bill_lines (hospital_id, provider, bill_date, kind, out_trade_no,
                                  gateway_trade_no, out_refund_no, amount, service_fee,
                                  traded_at, trade_status, imported_at)
  SELECT hid, x.provider, (x.at AT TIME ZONE tz)::date, x.kind, x.out_trade_no,
         x.gateway_trade_no, x.out_refund_no, x.amount, round(x.amount * 0.006)::bigint, x.at,
         x.trade_status, regdesk_demo.at((x.at AT TIME ZONE tz)::date + 1, '10:00')
    FROM (SELECT p.provider, 'payment' AS kind, p.out_trade_no, p.gateway_trade_no,
                 NULL::text AS out_refund_no, p.amount, p.finished_at AS at,
                 'SUCCESS' AS trade_status, p.id AS ord
            FROM regdesk.payments p
           WHERE p.hospital_id = hid AND p.status = 'succeeded'
             AND p.method IN ('wechat', 'alipay')
          UNION ALL
          SELECT p.provider, 'refund', p.out_trade_no, p.gateway_trade_no, r.out_refund_no,
                 r.amount, r.finished_at, 'REFUND', 1000000000 + r.id
            FROM regdesk.refunds r
            JOIN regdesk.payments p ON p.id = r.payment_id
           WHERE r.hospital_id = hid AND r.status = 'succeeded'
             AND p.method IN ('wechat', 'alipay')) x
   WHERE (x.at AT TIME ZONE tz)::date < today
   ORDER BY x.ord;

  -- Lottery sessions: drawn ones list the winners (the booked online and
  -- phone pool) and some losers; undrawn ones hold pending requests. A
  -- drawn session's order is that of regdesk.lottery_order with the stored
  -- seed (md5 of seed:request id): its first places go to the winners, in
  -- booking order, the others to the losers, and the ranks recorded are
  -- lottery_order's own (below), so api.lottery_preview repeats the draw.
  INSERT INTO regdesk.lottery_requests (hospital_id, session_id, patient_id, channel, request_id,
                                        status, appointment_id, created_at)
  WITH drawn AS (
    SELECT s.*
      FROM regdesk.sessions s
     WHERE s.hospital_id = hid AND s.policy = 'lottery' AND s.date <= today),
  people AS (
    SELECT ap.session_id, ap.patient_id, ap.channel, 'won' AS status, ap.id AS appointment_id,
           least(ap.created_at, d.lottery_draw_at - interval '1 day') AS created_at,
           row_number() OVER (PARTITION BY ap.session_id ORDER BY ap.id) AS place
      FROM regdesk.appointments ap
      JOIN drawn d ON d.id = ap.session_id
     WHERE ap.channel <> 'window'
    UNION ALL
    SELECT d.id, pid.id, CASE WHEN k % 3 = 0 THEN 'phone' ELSE 'online' END, 'lost', NULL,
           d.lottery_draw_at - make_interval(hours => 2 + k),
           (SELECT count(*) FROM regdesk.appointments ap
             WHERE ap.session_id = d.id AND ap.channel <> 'window') + k
      FROM drawn d
      CROSS JOIN LATERAL generate_series(1, (d.quota_online + d.quota_phone) / 2) k
      JOIN demo_pid pid
        ON pid.n = (regdesk_demo.hi(seed, 'appt-pat:' || d.id, 2000)
                    + (d.capacity + k) * 7919) % 2000
     WHERE d.status <> 'suspended'),
  draw AS (
    SELECT p.session_id, r.request_id,
           row_number() OVER (PARTITION BY p.session_id
                              ORDER BY md5(d.lottery_seed::text || ':' || r.request_id))
             AS place
      FROM people p
      JOIN drawn d ON d.id = p.session_id
      CROSS JOIN LATERAL (SELECT 'demo-' || seed || '-lot-' || p.session_id || '-' || p.place
                                   AS request_id) r)
  SELECT hid, x.session_id, x.patient_id, x.channel, x.request_id, x.status, x.appointment_id,
         x.created_at
    FROM (SELECT p.session_id, p.patient_id, p.channel, w.request_id, p.status,
                 p.appointment_id, p.created_at, p.session_id * 1000 + p.place AS ord
            FROM people p
            JOIN draw w ON w.session_id = p.session_id AND w.place = p.place
          UNION ALL
          SELECT s.id, pid.id, CASE WHEN k % 3 = 0 THEN 'phone' ELSE 'online' END,
                 'demo-' || seed || '-lot-' || s.id || '-' || k, 'pending', NULL,
                 s.lottery_draw_at - make_interval(hours => 2 + k),
                 1000000000 + s.id * 1000 + k
            FROM regdesk.sessions s
            CROSS JOIN LATERAL generate_series(1, (s.quota_online + s.quota_phone) / 2
                                                  + s.quota_online + s.quota_phone) k
            JOIN demo_pid pid
              ON pid.n = (regdesk_demo.hi(seed, 'appt-pat:' || s.id, 2000)
                          + (s.capacity + k) * 7919) % 2000
           WHERE s.hospital_id = hid AND s.policy = 'lottery' AND s.date > today
             AND s.status <> 'suspended') x
   ORDER BY x.ord;
  UPDATE regdesk.lottery_requests q
     SET drawn_rank = o.rank
    FROM regdesk.sessions s
   CROSS JOIN LATERAL regdesk.lottery_order(s.id, s.lottery_seed) o
   WHERE s.hospital_id = hid AND s.policy = 'lottery' AND s.date <= today
     AND q.id = o.lottery_request_id;

  -- Waiting lists on the busiest sessions of the coming week.
  INSERT INTO regdesk.waitlist (hospital_id, patient_id, session_id, channel, status,
                                created_at, created_by)
  SELECT hid, pid.id, s.id, CASE WHEN k = 1 THEN 'online' ELSE 'window' END, 'waiting',
         regdesk_demo.at(today, make_interval(mins => 420 + k * 7)),
         CASE WHEN k = 1 THEN 'demo_online' ELSE 'demo_clerk' END
    FROM (SELECT s2.*
            FROM regdesk.sessions s2
           WHERE s2.hospital_id = hid AND s2.status = 'open'
             AND s2.date BETWEEN today + 1 AND today + 7
           ORDER BY regdesk_demo.h(seed, 'wait:' || s2.id), s2.id
           LIMIT 15) s
    CROSS JOIN generate_series(1, 2) k
    JOIN demo_pid pid
      ON pid.n = (regdesk_demo.hi(seed, 'appt-pat:' || s.id, 2000)
                  + (s.capacity + 100 + k) * 7919) % 2000
   ORDER BY s.id, k;

  -- Text messages: confirmations sent, tomorrow's reminders queued,
  -- suspensions told.
  INSERT INTO regdesk.sms_outbox (hospital_id, to_phone, template, params, dedup_key, status,
                                  attempts, next_attempt_at, provider, provider_message_id,
                                  created_at, sent_at)
  SELECT hid, x.phone, x.template, x.params, x.template || ':' || x.appointment_id,
         x.status, CASE WHEN x.status = 'sent' THEN 1 ELSE 0 END, x.due,
         CASE WHEN x.status = 'sent' THEN 'aliyun' END,
         CASE WHEN x.status = 'sent'
              THEN upper(substr(md5(seed || ':sms:' || x.template || x.appointment_id), 1, 20))
         END,
         x.created_at,
         CASE WHEN x.status = 'sent' THEN x.due + interval '3 seconds' END
    FROM (SELECT a.phone, 'booking_confirmed' AS template,
                 jsonb_build_object('name', p.name, 'department', dep.name, 'doctor', doc.name,
                                    'date', regdesk.date_text(s.date),
                                    'time', to_char(a.starts_at AT TIME ZONE tz, 'HH24:MI'),
                                    'queue_no', a.seq) AS params,
                 a.id AS appointment_id, 'sent' AS status,
                 a.created_at + interval '2 minutes' AS due,
                 a.created_at + interval '2 minutes' AS created_at
            FROM demo_appt a
            JOIN regdesk.patients p ON p.id = a.patient_id
            JOIN regdesk.sessions s ON s.id = a.session_id
            JOIN regdesk.departments dep ON dep.id = s.department_id
            JOIN regdesk.doctors doc ON doc.id = s.doctor_id
           WHERE a.paid AND a.phone IS NOT NULL AND a.channel <> 'window'
          UNION ALL
          SELECT a.phone, 'reminder',
                 jsonb_build_object('name', p.name, 'date', regdesk.date_text(a.date),
                                    'time', to_char(a.starts_at AT TIME ZONE tz, 'HH24:MI')),
                 a.id, 'pending', regdesk_demo.at(a.date - 1, '18:00'),
                 a.created_at + interval '2 minutes'
            FROM demo_appt a
            JOIN regdesk.patients p ON p.id = a.patient_id
           WHERE a.status = 'booked' AND a.d > 0 AND a.phone IS NOT NULL
          UNION ALL
          SELECT a.phone, 'session_suspended',
                 jsonb_build_object('name', p.name, 'date', regdesk.date_text(a.date)),
                 a.id, 'sent', a.suspended_at + interval '1 minute',
                 a.suspended_at + interval '1 minute'
            FROM demo_appt a
            JOIN regdesk.patients p ON p.id = a.patient_id
           WHERE a.session_status = 'suspended' AND a.phone IS NOT NULL) x
   ORDER BY x.appointment_id, x.template;

  -- Staff: a login per role --------------------------------------------------------
  DECLARE
    st record;
  BEGIN
    FOR st IN SELECT * FROM (VALUES ('demo_clerk', '王晓红', 'clerk'),
                                    ('demo_manager', '李建国', 'manager'),
                                    ('demo_finance', '张丽华', 'finance'),
                                    ('demo_admin', '陈志强', 'admin')) v (login, display, role)
    LOOP
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = st.login) THEN
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I',
                       st.login, 'demo', 'regdesk_' || st.role);
      ELSIF NOT pg_has_role(st.login, 'regdesk_' || st.role, 'MEMBER') THEN
        EXECUTE format('GRANT %I TO %I', 'regdesk_' || st.role, st.login);
      END IF;
      INSERT INTO regdesk.staff (login, hospital_id, display_name, role, created_at, created_by)
      VALUES (st.login, hid, st.display, st.role, regdesk_demo.at(today - 60, '09:00'),
              'regdesk_owner');
    END LOOP;
  END;

  PERFORM set_config('regdesk.bulk_load', 'off', true);
  PERFORM regdesk.notify_change('roster', hid, regdesk.date_text(today + k))
     FROM generate_series(-14, 13) k;

  INSERT INTO regdesk.meta (key, value) VALUES ('demo_seed', seed::text),
                                               ('demo_today', regdesk.date_text(today));
  PERFORM regdesk.audit('demo_load', 'hospital', hid::text,
                        jsonb_build_object('seed', seed, 'today', regdesk.date_text(today)),
                        hid);
END
$$;

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA regdesk_demo FROM PUBLIC;
