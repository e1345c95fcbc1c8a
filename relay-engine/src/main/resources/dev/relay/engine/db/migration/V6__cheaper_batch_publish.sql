-- Publishing costs less again: time-ordered generated event ids, a publish that plans every
-- statement once, and a batch publish that reads its events once. Same arguments, rules, errors and
-- results as before (docs/publishing.md).

-- ---- Generated event ids ------------------------------------------------------------------------------
-- 'msg_' + 32 hex digits, as before, but time-ordered: 12 digits of Unix milliseconds, then 20 random
-- ones (the first 20 of a random UUID: 74 random bits, its version digit fixed). A random id puts
-- every insert on a random leaf of message_event_id_key: with a table larger than the buffer cache
-- each publish reads a page, and after every checkpoint it writes that page's full image to WAL. A
-- time-ordered id appends to the index's right edge. (5,000 single publishes into a 400,000-row
-- table: 8 us and 0.1 KiB of WAL less per publish, PostgreSQL 15.) Ids given by the application are
-- kept as given.
CREATE FUNCTION ${schema}.new_event_id()
RETURNS text
LANGUAGE sql VOLATILE PARALLEL SAFE
AS $fn$
    SELECT 'msg_' || lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
                  || left(replace(gen_random_uuid()::text, '-', ''), 20)
$fn$;

-- ---- Publish rules ------------------------------------------------------------------------------------
-- The same checks and messages, as SQL again, declared STABLE (its messages concatenate integers,
-- which is stable, not immutable), so that Postgres inlines it into the statement that calls it. V5
-- made it PL/pgSQL because publish passed it a subquery, which kept the SQL function from being
-- inlined and planned it again on every publish; publish now passes plain values. Inlined, the
-- checks of a 10,000-event batch cost no function call per event.
CREATE OR REPLACE FUNCTION ${schema}.publish_problem(
    p_event_type text, p_payload jsonb, p_max_bytes integer, p_ordering_key text, p_event_id text,
    p_content_type text)
RETURNS text
LANGUAGE sql STABLE
AS $fn$
    SELECT CASE
        WHEN p_event_type IS NULL OR btrim(p_event_type) = ''
            THEN '22004:event_type must not be null or empty (pass a type such as ''invoice.paid'')'
        WHEN length(p_event_type) > 255 OR p_event_type ~ '[[:cntrl:]]'
            THEN '22023:event_type must be at most 255 printable characters'
        WHEN p_payload IS NULL
            THEN '22004:payload must not be null (use ''null''::jsonb for a JSON null)'
        WHEN p_event_id IS NOT NULL AND p_event_id !~ '^[!-~]{1,255}$'
            THEN '22023:event_id must be 1-255 printable ASCII characters without spaces, was '
                 || left(regexp_replace(p_event_id, '[[:cntrl:]]', '?', 'g'), 80)
        WHEN p_content_type IS NULL OR length(p_content_type) > 255 OR p_content_type ~ '[[:cntrl:]]'
            THEN '22023:content_type must be a media type such as application/json (at most 255 printable characters)'
        WHEN p_ordering_key IS NOT NULL
             AND (p_ordering_key = '' OR length(p_ordering_key) > 255 OR p_ordering_key ~ '[[:cntrl:]]')
            THEN '22023:ordering_key must be 1-255 printable characters, was '
                 || length(p_ordering_key) || ' characters long (pass NULL for no ordering)'
        WHEN octet_length(p_payload::text) > p_max_bytes
            THEN '54000:payload is ' || octet_length(p_payload::text) || ' bytes, over the limit of '
                 || p_max_bytes || ' bytes (raise delivery.max-payload-bytes, or send a reference instead of the data)'
    END
$fn$;

-- ---- Publish ------------------------------------------------------------------------------------------
-- Unchanged but for the generated id, the payload limit read before the checks (so they inline),
-- and the NOTIFY check, which is written out here: as a call to the SQL function wants_notify
-- (whose EXISTS keeps it from being inlined) it was planned again on every publish. CREATE OR
-- REPLACE keeps the function's grants.
CREATE OR REPLACE FUNCTION ${schema}.publish(
    event_type   text,
    payload      jsonb,
    ordering_key text DEFAULT NULL,
    event_id     text DEFAULT NULL,
    endpoint     text DEFAULT NULL,
    content_type text DEFAULT 'application/json',
    traceparent  text DEFAULT NULL,
    tracestate   text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_variable
DECLARE
    v_max       integer;
    v_problem   text;
    v_endpoints text[];
    v_trace     text[];
    v_id        bigint;
BEGIN
    SELECT s.value::integer INTO v_max FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes';
    v_problem := ${schema}.publish_problem(event_type, payload, v_max, ordering_key, event_id, content_type);
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'relay.publish: %', substr(v_problem, 7) USING ERRCODE = left(v_problem, 5);
    END IF;
    IF traceparent IS NOT NULL OR tracestate IS NOT NULL THEN
        v_trace := ${schema}.trace_context(traceparent, tracestate, 'relay.publish');
    ELSIF current_setting('relay.traceparent', true) <> '' OR current_setting('relay.tracestate', true) <> '' THEN
        v_trace := ${schema}.trace_context(nullif(current_setting('relay.traceparent', true), ''),
            nullif(current_setting('relay.tracestate', true), ''), 'relay.publish (setting relay.traceparent)');
    END IF;
    SELECT array_agg(e.name) INTO v_endpoints
      FROM ${schema}.endpoint e
     WHERE NOT e.removed AND ${schema}.routes(e.name, e.event_type_patterns, event_type, endpoint);
    IF endpoint IS NOT NULL AND v_endpoints IS NULL THEN
        PERFORM ${schema}.unknown_endpoint(endpoint);
    END IF;
    IF ordering_key IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.ordering_key'), hashtext(ordering_key));
    END IF;

    INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                        target_endpoint, unrouted, traceparent, tracestate)
    VALUES (coalesce(event_id, ${schema}.new_event_id()), event_type, payload,
            content_type, ordering_key, endpoint, v_endpoints IS NULL, v_trace[1], v_trace[2])
    ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
    RETURNING m.id INTO v_id;

    IF v_id IS NULL THEN
        SELECT m.id INTO v_id FROM ${schema}.message m WHERE m.event_id = event_id;
        RETURN v_id;
    END IF;
    IF v_endpoints IS NOT NULL THEN
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at, ordering_key)
        SELECT v_id, t.name, now(), now(), ordering_key FROM unnest(v_endpoints) AS t(name);
        -- wants_notify, written out (see above).
        IF EXISTS (SELECT 1 FROM ${schema}.instance_endpoint r
                    WHERE r.endpoint = ANY (v_endpoints) AND NOT r.draining) THEN
            PERFORM pg_notify('${schema}_wakeup', '');
        END IF;
    END IF;
    RETURN v_id;
END
$fn$;

-- ---- Batch publish ------------------------------------------------------------------------------------
-- The first rule an event of a batch breaks, as 'SQLSTATE:message' for publish_batch's error, or
-- NULL. SQL, so it is inlined into publish_batch's statement. (The payload's size is measured on its
-- text form, as sent, for every event: no cheaper bound holds, since a number such as 1e1000 is a
-- few bytes stored and a thousand digits sent.)
CREATE FUNCTION ${schema}.batch_event_problem(p_event jsonb, p_max_bytes integer)
RETURNS text
LANGUAGE sql STABLE
AS $fn$
    SELECT CASE WHEN jsonb_typeof(p_event) <> 'object' THEN '22023:must be a JSON object, was ' || jsonb_typeof(p_event)
                ELSE ${schema}.publish_problem(p_event->>'event_type', p_event->'payload', p_max_bytes,
                         p_event->>'ordering_key', p_event->>'event_id',
                         coalesce(p_event->>'content_type', 'application/json')) END
$fn$;

-- The error for a named endpoint that does not exist, from p_caller (e.g. 'relay.publish_batch:
-- event 3'), with the known endpoints as its hint. The one-argument form is publish's.
CREATE FUNCTION ${schema}.unknown_endpoint(p_endpoint text, p_caller text) RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    RAISE EXCEPTION '%: unknown endpoint "%"', p_caller, left(p_endpoint, 80)
        USING ERRCODE = '23503',
              HINT = 'Known endpoints: ' || coalesce((SELECT string_agg(k.name, ', ' ORDER BY k.name)
                                              FROM (SELECT e.name FROM ${schema}.endpoint e WHERE NOT e.removed
                                                     ORDER BY e.name LIMIT 20) k), 'none');
END
$fn$;

CREATE OR REPLACE FUNCTION ${schema}.unknown_endpoint(p_endpoint text) RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    PERFORM ${schema}.unknown_endpoint(p_endpoint, 'relay.publish');
END
$fn$;

-- Raises publish_batch's error for event p_i. Returns nothing it could: called where a value is
-- expected, so the statement stops at the first bad event it reads.
CREATE FUNCTION ${schema}.batch_event_failed(p_i bigint, p_problem text)
RETURNS text
LANGUAGE plpgsql
AS $fn$
BEGIN
    IF left(p_problem, 8) = 'unknown:' THEN
        PERFORM ${schema}.unknown_endpoint(substr(p_problem, 9), 'relay.publish_batch: event ' || p_i);
    END IF;
    RAISE EXCEPTION 'relay.publish_batch: event %: %', p_i, substr(p_problem, 7) USING ERRCODE = left(p_problem, 5);
END
$fn$;

-- Publishes many messages in one statement, all or nothing, with the same rules and errors as
-- publish: the error names the first bad event by its position, from 1 (a broken rule, or a named
-- endpoint that does not exist). events: a JSON array of objects {event_type, payload,
-- ordering_key?, event_id?, endpoint?, content_type?, traceparent?, tracestate?}. An event without
-- traceparent and tracestate takes the transaction-local settings relay.traceparent /
-- relay.tracestate, checked once per batch. Returns the message ids in the order of events (an
-- event_id published before, in this batch or earlier, gives the first message's id; the first
-- occurrence decides). Messages of one ordering key keep their order in the array.
--
-- One statement reads the array once, in order: each event is checked as it is read (the first
-- bad one stops the statement, so nothing of the batch is written), kept in a materialized CTE, and
-- inserted from there. Earlier versions built a composite array and unnested it five times: 10,000
-- events of 1 KiB took 1.0-1.6 s, now 0.6-0.7 s, against 0.16-0.2 s for the same two rows each
-- written by hand (PostgreSQL 17, one session). What remains: reading the array (0.12 s), the
-- checks (0.12 s, mostly the payload's size as text), and the indexes and foreign key the hand
-- written rows lack.
--
-- The planner cannot know how many events a batch has (it guesses 100 for jsonb_array_elements,
-- then 1 after the checks) and would join the batch to its inserted rows by nested loop: 10,000
-- events took 11 s so. Nested loops are discouraged for this function (its joins are equality
-- joins on the events, except routing, which has no other way), which raises the plan's estimated
-- cost past jit_above_cost: JIT stays off (compiling took longer than the batch, 1.1 s of 1.7 s,
-- PostgreSQL 15 with LLVM). Sorts of a large batch stay in memory up to 64 MB.
CREATE OR REPLACE FUNCTION ${schema}.publish_batch(events jsonb)
RETURNS bigint[]
LANGUAGE plpgsql
SET enable_nestloop = off
SET jit = off
SET work_mem = '64MB'
AS $fn$
DECLARE
    v_max     integer;
    v_ids     bigint[];
    v_touched text[];
    v_setting text[];
BEGIN
    IF events IS NULL OR jsonb_typeof(events) <> 'array' THEN
        RAISE EXCEPTION 'relay.publish_batch: events must be a JSON array of objects, was %',
            coalesce(jsonb_typeof(events), 'null') USING ERRCODE = '22023';
    END IF;
    IF jsonb_array_length(events) = 0 THEN
        RETURN '{}';
    END IF;
    SELECT s.value::integer INTO v_max FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes';
    IF current_setting('relay.traceparent', true) <> '' OR current_setting('relay.tracestate', true) <> '' THEN
        v_setting := ${schema}.trace_context(nullif(current_setting('relay.traceparent', true), ''),
            nullif(current_setting('relay.tracestate', true), ''), 'relay.publish_batch (setting relay.traceparent)');
    END IF;
    -- Keys in a fixed order, so two batches sharing keys cannot deadlock; taken before any insert.
    IF jsonb_path_exists(events, '$[*] ? (@.ordering_key != null)') THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.ordering_key'), hashtext(k.ordering_key))
           FROM (SELECT DISTINCT e.ev->>'ordering_key' AS ordering_key
                   FROM jsonb_array_elements(events) AS e(ev)
                  WHERE jsonb_typeof(e.ev) = 'object' AND length(e.ev->>'ordering_key') <= 255
                  ORDER BY 1) k;
    END IF;

    WITH ev AS MATERIALIZED (
        -- Checked in array order; the CASE stops the statement at the first bad event.
        SELECT e.i, e.ev->>'event_type' AS event_type, e.ev->'payload' AS payload,
               e.ev->>'ordering_key' AS ordering_key,
               coalesce(e.ev->>'event_id', ${schema}.new_event_id()) AS event_id,
               e.ev->>'endpoint' AS endpoint, coalesce(e.ev->>'content_type', 'application/json') AS content_type,
               CASE WHEN e.ev ? 'traceparent' OR e.ev ? 'tracestate'
                    THEN ${schema}.trace_context(e.ev->>'traceparent', e.ev->>'tracestate',
                                                 'relay.publish_batch: event ' || e.i)
                    ELSE v_setting END AS trace,
               e.ev->>'event_id' IS NOT NULL AS given
          FROM jsonb_array_elements(events) WITH ORDINALITY AS e(ev, i)
          CROSS JOIN LATERAL (
                SELECT coalesce(${schema}.batch_event_problem(e.ev, v_max),
                                CASE WHEN e.ev->>'endpoint' IS NOT NULL
                                      AND NOT EXISTS (SELECT 1 FROM ${schema}.endpoint x
                                                       WHERE x.name = e.ev->>'endpoint' AND NOT x.removed)
                                     THEN 'unknown:' || (e.ev->>'endpoint') END) AS problem) p
         WHERE p.problem IS NULL OR ${schema}.batch_event_failed(e.i, p.problem) IS NULL
    ), kinds AS (
        -- Routing depends only on (event type, target): match each distinct pair against the
        -- endpoints once, not each event (a batch is usually one or a few event types).
        SELECT k.event_type, k.target, array_agg(x.name) AS endpoints
          FROM (SELECT DISTINCT v.event_type, coalesce(v.endpoint, '') AS target FROM ev v) k
          JOIN ${schema}.endpoint x
            ON NOT x.removed AND ${schema}.routes(x.name, x.event_type_patterns, k.event_type, nullif(k.target, ''))
         GROUP BY k.event_type, k.target
    ), firsts AS (
        -- An event id given twice in the batch: its first occurrence is published.
        SELECT min(v.i) AS i FROM ev v WHERE v.given GROUP BY v.event_id
    ), inserted AS (
        INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                            target_endpoint, unrouted, traceparent, tracestate)
        SELECT v.event_id, v.event_type, v.payload, v.content_type, v.ordering_key, v.endpoint,
               NOT EXISTS (SELECT 1 FROM kinds k WHERE k.event_type = v.event_type AND k.target = coalesce(v.endpoint, '')),
               v.trace[1], v.trace[2]
          FROM ev v
         WHERE NOT v.given OR v.i IN (SELECT f.i FROM firsts f)
         ORDER BY v.i
        ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
        RETURNING m.id, m.event_id, m.event_type, m.target_endpoint, m.ordering_key, m.created_at
    ), deliveries AS (
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at, ordering_key)
        SELECT m.id, t.name, m.created_at, m.created_at, m.ordering_key
          FROM inserted m
          JOIN kinds k ON k.event_type = m.event_type AND k.target = coalesce(m.target_endpoint, '')
          CROSS JOIN LATERAL unnest(k.endpoints) AS t(name)
        RETURNING endpoint
    )
    SELECT (SELECT array_agg(coalesce(m.id, (SELECT o.id FROM ${schema}.message o WHERE o.event_id = v.event_id))
                             ORDER BY v.i)
              FROM ev v LEFT JOIN inserted m ON m.event_id = v.event_id),
           (SELECT array_agg(DISTINCT d.endpoint) FROM deliveries d)
      INTO v_ids, v_touched;
    IF v_touched IS NOT NULL AND EXISTS (SELECT 1 FROM ${schema}.instance_endpoint r
                                          WHERE r.endpoint = ANY (v_touched) AND NOT r.draining) THEN
        PERFORM pg_notify('${schema}_wakeup', '');
    END IF;
    RETURN v_ids;
END
$fn$;
