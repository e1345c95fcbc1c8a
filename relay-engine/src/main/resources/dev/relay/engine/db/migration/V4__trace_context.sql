-- Trace context from the publishing transaction to the webhook (W3C Trace Context): a message keeps
-- the traceparent/tracestate its publisher attached, as arguments of relay.publish, as fields of
-- relay.publish_batch's events, or, for applications that cannot change the call, as the
-- transaction-local settings relay.traceparent and relay.tracestate. Malformed trace context is
-- dropped with a WARNING and counted; it never fails a publish.

ALTER TABLE ${schema}.message ADD COLUMN traceparent text, ADD COLUMN tracestate text;

-- Publishes whose trace context was dropped as malformed, cluster-wide. A sequence: nextval takes
-- no row lock (publishers never wait for each other), and the relay reads it as the counter
-- relay_publish_trace_context_ignored_total. Counted even when the publishing transaction rolls
-- back.
CREATE SEQUENCE ${schema}.trace_context_ignored;

-- ---- Shared rules -----------------------------------------------------------------------------------

-- What is wrong with a trace context, or NULL: 'traceparent:...' (drop both) or 'tracestate:...'
-- (keep the traceparent, drop the tracestate). The one place the trace context rules live, used by
-- publish and publish_batch. https://www.w3.org/TR/trace-context/: traceparent is
-- version-trace_id-parent_id-flags in lower-case hex, version ff is invalid, version 00 has nothing
-- after the flags, neither id is all zeros; tracestate is at most 32 comma-separated key=value
-- members, at most 512 characters here.
CREATE FUNCTION ${schema}.trace_context_problem(p_traceparent text, p_tracestate text)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $fn$
    SELECT CASE
        WHEN p_traceparent IS NULL
            THEN CASE WHEN p_tracestate IS NOT NULL THEN 'tracestate:tracestate given without a traceparent' END
        WHEN length(p_traceparent) > 255
             OR p_traceparent !~ '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-[!-~]*)?$'
             OR left(p_traceparent, 2) = 'ff'
             OR (left(p_traceparent, 2) = '00' AND length(p_traceparent) <> 55)
            THEN 'traceparent:traceparent is not a W3C traceparent (00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>), was '
                 || left(regexp_replace(p_traceparent, '[^ -~]', '?', 'g'), 60)
        WHEN substr(p_traceparent, 4, 32) = repeat('0', 32)
            THEN 'traceparent:traceparent has an all-zero trace id'
        WHEN substr(p_traceparent, 37, 16) = repeat('0', 16)
            THEN 'traceparent:traceparent has an all-zero parent id'
        WHEN p_tracestate IS NOT NULL AND (
                 length(p_tracestate) > 512
                 OR (SELECT count(*) > 32
                            OR bool_or(NOT (m ~ '^[ \t]*$' OR m ~ ('^[ \t]*([a-z0-9][_0-9a-z*/-]{0,255}'
                                || '|[a-z0-9][_0-9a-z*/-]{0,240}@[a-z][_0-9a-z*/-]{0,13})'
                                || '=(?:[ -+]|[--<]|[>-~]){0,255}(?:[!-+]|[--<]|[>-~])[ \t]*$')))
                       FROM unnest(string_to_array(p_tracestate, ',')) AS t(m)))
            THEN 'tracestate:tracestate is not a W3C tracestate (at most 32 key=value members, 512 characters)'
    END
$fn$;

-- Counts one dropped trace context. SECURITY DEFINER: an application role that may only execute
-- relay.publish still counts (docs/publishing.md lists no grant on the sequence).
CREATE FUNCTION ${schema}.count_ignored_trace_context()
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog
AS $fn$
    SELECT nextval('${schema}.trace_context_ignored');
$fn$;

-- The trace context to keep for a message, as {traceparent, tracestate} (either may be NULL), from
-- what the publisher gave. A malformed part is dropped with a WARNING naming p_caller and counted;
-- this function never raises an error, whatever it is given.
CREATE FUNCTION ${schema}.trace_context(p_traceparent text, p_tracestate text, p_caller text)
RETURNS text[]
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_problem text := ${schema}.trace_context_problem(p_traceparent, p_tracestate);
BEGIN
    IF v_problem IS NULL THEN
        RETURN ARRAY[p_traceparent, p_tracestate];
    END IF;
    RAISE WARNING '%: % (ignored: the message is published without it)', p_caller, substr(v_problem, strpos(v_problem, ':') + 1);
    BEGIN
        PERFORM ${schema}.count_ignored_trace_context();
    EXCEPTION WHEN insufficient_privilege THEN
        NULL; -- EXECUTE revoked from the publisher's role: the warning above still says it
    END;
    IF left(v_problem, 11) = 'tracestate:' THEN
        RETURN ARRAY[p_traceparent, NULL];
    END IF;
    RETURN NULL;
END
$fn$;

-- ---- Publish ------------------------------------------------------------------------------------------

-- relay.publish gains two arguments at the end, so the function is dropped and created again
-- (CREATE OR REPLACE would add a second, ambiguous overload). Calls that name or position the
-- existing arguments are unchanged. The EXECUTE grants of the old function are restored below.
CREATE TEMPORARY TABLE relay_v4_publish_acl ON COMMIT DROP AS
SELECT p.proacl FROM pg_proc p WHERE p.oid = '${schema}.publish(text, jsonb, text, text, text, text)'::regprocedure;

DROP FUNCTION ${schema}.publish(text, jsonb, text, text, text, text);

-- Publishes one message inside the caller's transaction and creates its deliveries: one per
-- endpoint that takes it (all endpoints whose event-type patterns match, or only the target
-- endpoint). Returns the message id; publishing an event_id again returns the first message's id
-- and creates nothing. A message no endpoint takes is kept, marked unrouted.
--
-- Ordering: publishers of one ordering key take turns until their transaction ends (a
-- transaction-scoped advisory lock on the key), so the message ids of a key grow in commit order,
-- which is what "earlier" means for ordered delivery. Publishers of different keys never wait
-- for each other (a 32-bit hash collision between two keys only costs a wait); unkeyed publishes
-- take no lock.
--
-- Trace context: traceparent/tracestate, else the transaction-local settings relay.traceparent
-- and relay.tracestate (SET LOCAL relay.traceparent = '00-...'); each delivery attempt of the
-- message is a child span of it. Malformed values are dropped with a warning (trace_context).
CREATE FUNCTION ${schema}.publish(
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
    v_problem   text;
    v_endpoints text[];
    v_trace     text[];
    v_id        bigint;
BEGIN
    v_problem := ${schema}.publish_problem(event_type, payload,
        (SELECT s.value::integer FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes'),
        ordering_key, event_id, content_type);
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
    VALUES (coalesce(event_id, 'msg_' || replace(gen_random_uuid()::text, '-', '')), event_type, payload,
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
        IF ${schema}.wants_notify(v_endpoints) THEN
            PERFORM pg_notify('${schema}_wakeup', '');
        END IF;
    END IF;
    RETURN v_id;
END
$fn$;

-- The old function's EXECUTE grants, on the new one. NULL: default privileges, as the new one has.
DO $do$
DECLARE
    v_acl   aclitem[] := (SELECT a.proacl FROM relay_v4_publish_acl a);
    v_grant record;
BEGIN
    IF v_acl IS NULL THEN
        RETURN;
    END IF;
    REVOKE EXECUTE ON FUNCTION ${schema}.publish(text, jsonb, text, text, text, text, text, text) FROM PUBLIC;
    FOR v_grant IN SELECT x.grantee, x.is_grantable FROM aclexplode(v_acl) x WHERE x.privilege_type = 'EXECUTE' LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION ${schema}.publish(text, jsonb, text, text, text, text, text, text) TO %s%s',
            CASE WHEN v_grant.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(v_grant.grantee)) END,
            CASE WHEN v_grant.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$do$;

-- Events of a batch carry their own trace context: as given, then as kept.
ALTER TYPE ${schema}.batch_event ADD ATTRIBUTE traceparent text, ADD ATTRIBUTE tracestate text;

-- Publishes many messages in one statement, all or nothing, with the same rules and errors as
-- publish (the error names the first bad event by its position, from 1). events: a JSON array
-- of objects {event_type, payload, ordering_key?, event_id?, endpoint?, content_type?,
-- traceparent?, tracestate?}. An event without traceparent and tracestate takes the
-- transaction-local settings relay.traceparent / relay.tracestate, checked once per batch.
-- Returns the message ids in the order of events (an event_id published before, in this batch or
-- earlier, gives the first message's id; the first occurrence decides). Messages of one ordering
-- key keep their order in the array.
CREATE OR REPLACE FUNCTION ${schema}.publish_batch(events jsonb)
RETURNS bigint[]
LANGUAGE plpgsql
AS $fn$
DECLARE
    v_max     integer;
    v_events  ${schema}.batch_event[];
    v_bad     record;
    v_ids     bigint[];
    v_touched text[];
    v_setting text[];
BEGIN
    IF events IS NULL OR jsonb_typeof(events) <> 'array' THEN
        RAISE EXCEPTION 'relay.publish_batch: events must be a JSON array of objects, was %',
            coalesce(jsonb_typeof(events), 'null') USING ERRCODE = '22023';
    END IF;
    SELECT s.value::integer INTO v_max FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes';
    SELECT array_agg(ROW(e.i, jsonb_typeof(e.ev), e.ev->>'event_type', e.ev->'payload', e.ev->>'ordering_key',
                         e.ev->>'event_id',
                         coalesce(e.ev->>'event_id', 'msg_' || replace(gen_random_uuid()::text, '-', '')),
                         e.ev->>'endpoint', coalesce(e.ev->>'content_type', 'application/json'),
                         e.ev->>'traceparent', e.ev->>'tracestate'
                     )::${schema}.batch_event ORDER BY e.i)
      INTO v_events
      FROM jsonb_array_elements(events) WITH ORDINALITY AS e(ev, i);
    IF v_events IS NULL THEN
        RETURN '{}';
    END IF;

    SELECT p.i, p.problem INTO v_bad
      FROM (SELECT b.i, CASE WHEN b.kind <> 'object' THEN '22023:must be a JSON object, was ' || b.kind
                             ELSE ${schema}.publish_problem(b.event_type, b.payload, v_max, b.ordering_key,
                                                           b.given_event_id, b.content_type) END AS problem
              FROM unnest(v_events) b) p
     WHERE p.problem IS NOT NULL
     ORDER BY p.i
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'relay.publish_batch: event %: %', v_bad.i, substr(v_bad.problem, 7)
            USING ERRCODE = left(v_bad.problem, 5);
    END IF;
    SELECT b.i, b.endpoint INTO v_bad
      FROM unnest(v_events) b
     WHERE b.endpoint IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM ${schema}.endpoint e WHERE e.name = b.endpoint AND NOT e.removed)
     ORDER BY b.i LIMIT 1;
    IF FOUND THEN
        PERFORM ${schema}.unknown_endpoint(v_bad.endpoint);
    END IF;

    -- Trace context: each event's own fields, else the settings (checked once, not per event).
    IF current_setting('relay.traceparent', true) <> '' OR current_setting('relay.tracestate', true) <> '' THEN
        v_setting := ${schema}.trace_context(nullif(current_setting('relay.traceparent', true), ''),
            nullif(current_setting('relay.tracestate', true), ''), 'relay.publish_batch (setting relay.traceparent)');
    END IF;
    IF v_setting IS NOT NULL
       OR EXISTS (SELECT 1 FROM unnest(v_events) b WHERE b.traceparent IS NOT NULL OR b.tracestate IS NOT NULL) THEN
        SELECT array_agg(ROW(b.i, b.kind, b.event_type, b.payload, b.ordering_key, b.given_event_id, b.event_id,
                             b.endpoint, b.content_type, t.c[1], t.c[2])::${schema}.batch_event ORDER BY b.i)
          INTO v_events
          FROM unnest(v_events) b
          CROSS JOIN LATERAL (
                SELECT CASE WHEN b.traceparent IS NOT NULL OR b.tracestate IS NOT NULL
                            THEN ${schema}.trace_context(b.traceparent, b.tracestate, 'relay.publish_batch: event ' || b.i)
                            ELSE v_setting END AS c) t;
    END IF;

    -- Keys in a fixed order, so two batches sharing keys cannot deadlock.
    PERFORM pg_advisory_xact_lock(hashtext('${schema}.ordering_key'), hashtext(k.ordering_key))
       FROM (SELECT DISTINCT b.ordering_key FROM unnest(v_events) b WHERE b.ordering_key IS NOT NULL
              ORDER BY 1) k;

    WITH firsts AS (
        SELECT DISTINCT ON (b.event_id) b.* FROM unnest(v_events) b ORDER BY b.event_id, b.i
    ), kinds AS (
        -- Routing depends only on (event type, target): match each distinct pair against the
        -- endpoints once, not each event (a batch is usually one or a few event types).
        SELECT k.event_type, coalesce(k.endpoint, '') AS target, array_agg(e.name) AS endpoints
          FROM (SELECT DISTINCT f.event_type, f.endpoint FROM firsts f) k
          JOIN ${schema}.endpoint e
            ON NOT e.removed AND ${schema}.routes(e.name, e.event_type_patterns, k.event_type, k.endpoint)
         GROUP BY k.event_type, k.endpoint
    ), routed AS (
        SELECT f.i, k.endpoints
          FROM firsts f
          JOIN kinds k ON k.event_type = f.event_type AND k.target = coalesce(f.endpoint, '')
    ), inserted AS (
        INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                            target_endpoint, unrouted, traceparent, tracestate)
        SELECT f.event_id, f.event_type, f.payload, f.content_type, f.ordering_key, f.endpoint, r.i IS NULL,
               f.traceparent, f.tracestate
          FROM firsts f LEFT JOIN routed r ON r.i = f.i
         ORDER BY f.i
        ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
        RETURNING m.id, m.event_id, m.ordering_key, m.created_at
    ), deliveries AS (
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at, ordering_key)
        SELECT m.id, t.name, m.created_at, m.created_at, m.ordering_key
          FROM inserted m
          JOIN firsts f ON f.event_id = m.event_id
          JOIN routed r ON r.i = f.i
          CROSS JOIN LATERAL unnest(r.endpoints) AS t(name)
        RETURNING endpoint
    )
    SELECT (SELECT array_agg(coalesce(m.id, old.id) ORDER BY b.i)
              FROM unnest(v_events) b
              LEFT JOIN inserted m ON m.event_id = b.event_id
              LEFT JOIN ${schema}.message old ON old.event_id = b.event_id),
           (SELECT array_agg(DISTINCT d.endpoint) FROM deliveries d)
      INTO v_ids, v_touched;
    IF v_touched IS NOT NULL AND ${schema}.wants_notify(v_touched) THEN
        PERFORM pg_notify('${schema}_wakeup', '');
    END IF;
    RETURN v_ids;
END
$fn$;
