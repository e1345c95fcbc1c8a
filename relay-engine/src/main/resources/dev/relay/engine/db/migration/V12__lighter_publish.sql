-- Publishing writes less (issue 9: what relay.publish costs is paid on the application's write
-- path). Measured on PostgreSQL 15, 10,000 events with 1 KiB payloads in one statement, into
-- copies of the message and delivery tables (best of four): 242 ms with the foreign key and
-- ON CONFLICT, 203 ms without ON CONFLICT, 164 ms without either.
--
-- 1. A delivery no longer references its message by foreign key. The check ran a query per
-- delivery inserted and locked the message row FOR KEY SHARE (a WAL record per publish), though
-- every publish inserts the message in the same statement or transaction as its deliveries, where
-- no one else can see it, let alone delete it. What the key guarded is kept:
--   - a message that deliveries reference is never deleted: the trigger below skips the delete
--     (retention's purge already deletes only messages without deliveries; this covers a race
--     with an endpoint replay and any hand-written DELETE), with a fresh snapshot, as the
--     foreign key's own check did;
--   - the one statement that attaches deliveries to messages published earlier, an endpoint
--     replay (Sql.replayMessages), locks those messages FOR KEY SHARE as the key did, so a purge
--     running at the same time either waits for it and then skips the message, or deleted it
--     first and the replay skips it.
ALTER TABLE ${schema}.delivery DROP CONSTRAINT IF EXISTS delivery_message_id_fkey;

CREATE FUNCTION ${schema}.message_keep_referenced() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    -- delivery (message_id, endpoint) unique index. Read with this statement's own snapshot,
    -- taken after the row lock was granted: a replay that committed meanwhile is seen.
    IF EXISTS (SELECT 1 FROM ${schema}.delivery d WHERE d.message_id = OLD.id) THEN
        RETURN NULL;
    END IF;
    RETURN OLD;
END
$fn$;

CREATE TRIGGER message_keep_referenced BEFORE DELETE ON ${schema}.message
    FOR EACH ROW EXECUTE FUNCTION ${schema}.message_keep_referenced();

-- 2. A generated event id is new, so the message insert needs no ON CONFLICT (a speculative
-- insertion: an extra index probe and WAL record per message). Only a publish that gives its own
-- event_id, or a batch in which some event does, takes the ON CONFLICT path. Otherwise publish
-- and publish_batch are V11's; CREATE OR REPLACE keeps their grants.

CREATE OR REPLACE FUNCTION ${schema}.publish(
    event_type    text,
    payload       jsonb,
    ordering_key  text DEFAULT NULL,
    event_id      text DEFAULT NULL,
    endpoint      text DEFAULT NULL,
    content_type  text DEFAULT 'application/json',
    traceparent   text DEFAULT NULL,
    tracestate    text DEFAULT NULL,
    supersede_key text DEFAULT NULL,
    tenant        text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
AS $fn$
#variable_conflict use_variable
DECLARE
    v_max       integer;
    v_problem   text;
    v_endpoints text[];
    v_runtime   text[];
    v_trace     text[];
    v_id        bigint;
    v_event_id  text;
BEGIN
    SELECT s.value::integer INTO v_max FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes';
    v_problem := coalesce(${schema}.publish_problem(event_type, payload, v_max, ordering_key, event_id, content_type),
                          ${schema}.supersede_key_problem(supersede_key));
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'relay.publish: %', substr(v_problem, 7) USING ERRCODE = left(v_problem, 5);
    END IF;
    IF traceparent IS NOT NULL OR tracestate IS NOT NULL THEN
        v_trace := ${schema}.trace_context(traceparent, tracestate, 'relay.publish');
    ELSIF current_setting('relay.traceparent', true) <> '' OR current_setting('relay.tracestate', true) <> '' THEN
        v_trace := ${schema}.trace_context(nullif(current_setting('relay.traceparent', true), ''),
            nullif(current_setting('relay.tracestate', true), ''), 'relay.publish (setting relay.traceparent)');
    END IF;
    IF endpoint IS NOT NULL AND tenant IS NOT NULL THEN
        RAISE EXCEPTION 'relay.publish: give endpoint or tenant, not both' USING ERRCODE = '22023';
    END IF;
    IF tenant IS NOT NULL AND (tenant = '' OR length(tenant) > 255 OR tenant ~ '[[:cntrl:]]') THEN
        RAISE EXCEPTION 'relay.publish: tenant must be 1-255 characters without control characters'
              USING ERRCODE = '22023';
    END IF;
    IF endpoint IS NOT NULL THEN
        -- Addressed to one endpoint: a primary-key probe, however many endpoints exist.
        SELECT array_agg(e.name), array_agg(e.name) FILTER (WHERE e.runtime) INTO v_endpoints, v_runtime
          FROM ${schema}.endpoint e
         WHERE e.name = endpoint AND NOT e.removed;
    ELSIF tenant IS NOT NULL THEN
        -- A tenant's runtime endpoints that take the type: endpoint_tenant_idx.
        SELECT array_agg(e.name), array_agg(e.name) INTO v_endpoints, v_runtime
          FROM ${schema}.endpoint e
         WHERE e.tenant = tenant AND e.runtime AND NOT e.removed
           AND (cardinality(e.event_type_patterns) = 0 OR event_type LIKE ANY (e.event_type_patterns));
    ELSE
        -- The configured endpoints that take the type (runtime endpoints take only what is
        -- addressed to them or to their tenant): endpoint_configured_idx.
        SELECT array_agg(e.name) INTO v_endpoints
          FROM ${schema}.endpoint e
         WHERE NOT e.runtime AND NOT e.removed
           AND (cardinality(e.event_type_patterns) = 0 OR event_type LIKE ANY (e.event_type_patterns));
    END IF;
    IF endpoint IS NOT NULL AND v_endpoints IS NULL THEN
        PERFORM ${schema}.unknown_endpoint(endpoint);
    END IF;
    IF ordering_key IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.ordering_key'), hashtext(ordering_key));
    END IF;
    IF supersede_key IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.supersede_key'), hashtext(supersede_key));
    END IF;

    IF event_id IS NULL THEN
        -- A generated id is new (time-ordered, 80 random bits): a plain insert, without the
        -- speculative insertion ON CONFLICT costs.
        INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                            target_endpoint, unrouted, traceparent, tracestate, supersede_key, tenant)
        VALUES (${schema}.new_event_id(), event_type, payload,
                content_type, ordering_key, endpoint, v_endpoints IS NULL, v_trace[1], v_trace[2], supersede_key, tenant)
        RETURNING m.id, m.event_id INTO v_id, v_event_id;
    ELSE
        INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                            target_endpoint, unrouted, traceparent, tracestate, supersede_key, tenant)
        VALUES (event_id, event_type, payload,
                content_type, ordering_key, endpoint, v_endpoints IS NULL, v_trace[1], v_trace[2], supersede_key, tenant)
        ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
        RETURNING m.id, m.event_id INTO v_id, v_event_id;
        IF v_id IS NULL THEN
            SELECT m.id INTO v_id FROM ${schema}.message m WHERE m.event_id = event_id;
            RETURN v_id;
        END IF;
    END IF;
    IF v_endpoints IS NOT NULL THEN
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at, ordering_key, supersede_key)
        SELECT v_id, t.name, now(), now(), ordering_key, supersede_key FROM unnest(v_endpoints) AS t(name);
        IF supersede_key IS NOT NULL THEN
            UPDATE ${schema}.delivery d
               SET state = 'superseded', settled_at = now(), last_error = 'superseded by event ' || v_event_id
             WHERE d.endpoint = ANY (v_endpoints) AND d.supersede_key = supersede_key AND d.state = 'pending'
               AND d.message_id < v_id AND d.lease_token IS NULL;
        END IF;
        -- wants_notify, written out (V6).
        IF EXISTS (SELECT 1 FROM ${schema}.instance_endpoint r
                    WHERE r.endpoint = ANY (v_endpoints) AND NOT r.draining)
           OR v_runtime IS NOT NULL AND ${schema}.runtime_wants_notify(v_runtime) THEN
            PERFORM pg_notify('${schema}_wakeup', '');
        END IF;
    END IF;
    RETURN v_id;
END
$fn$;

CREATE OR REPLACE FUNCTION ${schema}.publish_batch(events jsonb)
RETURNS bigint[]
LANGUAGE plpgsql
SET enable_nestloop = off
SET jit = off
SET work_mem = '64MB'
AS $fn$
DECLARE
    v_max       integer;
    v_ids       bigint[];
    v_touched   text[];
    v_setting   text[];
    v_keyed     bigint[];
    v_given     boolean;
BEGIN
    IF events IS NULL OR jsonb_typeof(events) <> 'array' THEN
        RAISE EXCEPTION 'relay.publish_batch: events must be a JSON array of objects, was %',
            coalesce(jsonb_typeof(events), 'null') USING ERRCODE = '22023';
    END IF;
    IF jsonb_array_length(events) = 0 THEN
        RETURN '{}';
    END IF;
    -- Only a batch that gives event ids needs ON CONFLICT (see the inserts below).
    v_given := jsonb_path_exists(events, '$[*] ? (@.event_id != null)');
    SELECT s.value::integer INTO v_max FROM ${schema}.setting s WHERE s.key = 'max_payload_bytes';
    IF current_setting('relay.traceparent', true) <> '' OR current_setting('relay.tracestate', true) <> '' THEN
        v_setting := ${schema}.trace_context(nullif(current_setting('relay.traceparent', true), ''),
            nullif(current_setting('relay.tracestate', true), ''), 'relay.publish_batch (setting relay.traceparent)');
    END IF;
    -- Keys in a fixed order, so two batches sharing keys cannot deadlock; taken before any insert.
    -- Ordering keys first, then supersede keys, as publish takes them.
    IF jsonb_path_exists(events, '$[*] ? (@.ordering_key != null)') THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.ordering_key'), hashtext(k.ordering_key))
           FROM (SELECT DISTINCT e.ev->>'ordering_key' AS ordering_key
                   FROM jsonb_array_elements(events) AS e(ev)
                  WHERE jsonb_typeof(e.ev) = 'object' AND length(e.ev->>'ordering_key') <= 255
                  ORDER BY 1) k;
    END IF;
    IF jsonb_path_exists(events, '$[*] ? (@.supersede_key != null)') THEN
        PERFORM pg_advisory_xact_lock(hashtext('${schema}.supersede_key'), hashtext(k.supersede_key))
           FROM (SELECT DISTINCT e.ev->>'supersede_key' AS supersede_key
                   FROM jsonb_array_elements(events) AS e(ev)
                  WHERE jsonb_typeof(e.ev) = 'object' AND length(e.ev->>'supersede_key') <= 255
                  ORDER BY 1) k;
    END IF;

    WITH ev AS MATERIALIZED (
        -- Checked in array order; the CASE stops the statement at the first bad event.
        SELECT e.i, e.ev->>'event_type' AS event_type, e.ev->'payload' AS payload,
               e.ev->>'ordering_key' AS ordering_key, e.ev->>'supersede_key' AS supersede_key,
               coalesce(e.ev->>'event_id', ${schema}.new_event_id()) AS event_id,
               e.ev->>'endpoint' AS endpoint, e.ev->>'tenant' AS tenant,
               coalesce('e:' || (e.ev->>'endpoint'), 't:' || (e.ev->>'tenant'), '') AS target,
               coalesce(e.ev->>'content_type', 'application/json') AS content_type,
               CASE WHEN e.ev ? 'traceparent' OR e.ev ? 'tracestate'
                    THEN ${schema}.trace_context(e.ev->>'traceparent', e.ev->>'tracestate',
                                                 'relay.publish_batch: event ' || e.i)
                    ELSE v_setting END AS trace,
               e.ev->>'event_id' IS NOT NULL AS given
          FROM jsonb_array_elements(events) WITH ORDINALITY AS e(ev, i)
          CROSS JOIN LATERAL (
                SELECT coalesce(${schema}.batch_event_problem(e.ev, v_max),
                                CASE WHEN e.ev->>'tenant' IS NOT NULL AND e.ev->>'endpoint' IS NOT NULL
                                     THEN '22023:give endpoint or tenant, not both'
                                     WHEN e.ev->>'tenant' = '' OR length(e.ev->>'tenant') > 255
                                          OR e.ev->>'tenant' ~ '[[:cntrl:]]'
                                     THEN '22023:tenant must be 1-255 characters without control characters' END,
                                CASE WHEN e.ev->>'endpoint' IS NOT NULL
                                      AND NOT EXISTS (SELECT 1 FROM ${schema}.endpoint x
                                                       WHERE x.name = e.ev->>'endpoint' AND NOT x.removed)
                                     THEN 'unknown:' || (e.ev->>'endpoint') END) AS problem) p
         WHERE p.problem IS NULL OR ${schema}.batch_event_failed(e.i, p.problem) IS NULL
    ), kinds AS (
        -- Routing depends only on (event type, target): match each distinct pair against the
        -- endpoints once, not each event (a batch is usually one or a few event types).
        -- The target is an endpoint ('e:' and its name: a hash join on the name), a tenant ('t:'
        -- and its name: its runtime endpoints that take the type) or nobody (''): the configured
        -- endpoints that take the type. Never a pass over every endpoint per pair.
        SELECT k.event_type, k.target, array_agg(x.name) AS endpoints,
               array_agg(x.name) FILTER (WHERE x.runtime) AS runtime
          FROM (SELECT DISTINCT v.event_type, 'e:' || v.endpoint AS target, v.endpoint FROM ev v
                 WHERE v.endpoint IS NOT NULL) k
          JOIN ${schema}.endpoint x ON x.name = k.endpoint AND NOT x.removed
         GROUP BY k.event_type, k.target
        UNION ALL
        SELECT k.event_type, k.target, array_agg(x.name), array_agg(x.name)
          FROM (SELECT DISTINCT v.event_type, 't:' || v.tenant AS target, v.tenant FROM ev v
                 WHERE v.tenant IS NOT NULL) k
          JOIN ${schema}.endpoint x
            ON x.tenant = k.tenant AND x.runtime AND NOT x.removed
           AND (cardinality(x.event_type_patterns) = 0 OR k.event_type LIKE ANY (x.event_type_patterns))
         GROUP BY k.event_type, k.target
        UNION ALL
        SELECT k.event_type, '', array_agg(x.name), NULL::text[]
          FROM (SELECT DISTINCT v.event_type FROM ev v WHERE v.endpoint IS NULL AND v.tenant IS NULL) k
          JOIN ${schema}.endpoint x
            ON NOT x.runtime AND NOT x.removed
           AND (cardinality(x.event_type_patterns) = 0 OR k.event_type LIKE ANY (x.event_type_patterns))
         GROUP BY k.event_type
    ), firsts AS (
        -- An event id given twice in the batch: its first occurrence is published.
        SELECT min(v.i) AS i FROM ev v WHERE v.given GROUP BY v.event_id
    ), inserted_new AS (
        -- Every id generated (the usual batch): a plain insert, without the speculative insertion
        -- ON CONFLICT costs per row. One of these two inserts runs, never both.
        INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                            target_endpoint, unrouted, traceparent, tracestate, supersede_key, tenant)
        SELECT v.event_id, v.event_type, v.payload, v.content_type, v.ordering_key, v.endpoint,
               NOT EXISTS (SELECT 1 FROM kinds k WHERE k.event_type = v.event_type AND k.target = v.target),
               v.trace[1], v.trace[2], v.supersede_key, v.tenant
          FROM ev v
         WHERE NOT v_given
         ORDER BY v.i
        RETURNING m.id, m.event_id, m.event_type, m.target_endpoint, m.tenant, m.ordering_key, m.supersede_key,
                  m.created_at
    ), inserted_given AS (
        INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                            target_endpoint, unrouted, traceparent, tracestate, supersede_key, tenant)
        SELECT v.event_id, v.event_type, v.payload, v.content_type, v.ordering_key, v.endpoint,
               NOT EXISTS (SELECT 1 FROM kinds k WHERE k.event_type = v.event_type AND k.target = v.target),
               v.trace[1], v.trace[2], v.supersede_key, v.tenant
          FROM ev v
         WHERE v_given AND (NOT v.given OR v.i IN (SELECT f.i FROM firsts f))
         ORDER BY v.i
        ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
        RETURNING m.id, m.event_id, m.event_type, m.target_endpoint, m.tenant, m.ordering_key, m.supersede_key,
                  m.created_at
    ), inserted AS (
        SELECT * FROM inserted_new UNION ALL SELECT * FROM inserted_given
    ), deliveries AS (
        INSERT INTO ${schema}.delivery (message_id, endpoint, created_at, next_attempt_at, ordering_key, supersede_key)
        SELECT m.id, t.name, m.created_at, m.created_at, m.ordering_key, m.supersede_key
          FROM inserted m
          JOIN kinds k ON k.event_type = m.event_type
                      AND k.target = coalesce('e:' || m.target_endpoint, 't:' || m.tenant, '')
          CROSS JOIN LATERAL unnest(k.endpoints) AS t(name)
        RETURNING endpoint
    )
    SELECT (SELECT array_agg(coalesce(m.id, (SELECT o.id FROM ${schema}.message o WHERE o.event_id = v.event_id))
                             ORDER BY v.i)
              FROM ev v LEFT JOIN inserted m ON m.event_id = v.event_id),
           (SELECT array_agg(DISTINCT d.endpoint) FROM deliveries d),
           (SELECT array_agg(m.id) FROM inserted m WHERE m.supersede_key IS NOT NULL)
      INTO v_ids, v_touched, v_keyed;
    IF v_keyed IS NOT NULL AND v_touched IS NOT NULL THEN
        -- For each (endpoint, key) the batch delivered to, its newest new message supersedes the
        -- earlier pending, unleased ones: the batch's own and those published before. (Events
        -- whose id was published before create nothing and supersede nothing.) Indexes: delivery
        -- (message_id, endpoint) for the batch's rows, then delivery_supersede_idx.
        PERFORM set_config('enable_nestloop', 'on', true);
        UPDATE ${schema}.delivery d
           SET state = 'superseded', settled_at = now(), last_error = 'superseded by event ' || n.event_id
          FROM (SELECT DISTINCT ON (x.endpoint, x.supersede_key) x.endpoint, x.supersede_key, x.message_id, m.event_id
                  FROM ${schema}.delivery x
                  JOIN ${schema}.message m ON m.id = x.message_id
                 WHERE x.message_id = ANY (v_keyed)
                 ORDER BY x.endpoint, x.supersede_key, x.message_id DESC) n
         WHERE d.endpoint = n.endpoint AND d.supersede_key = n.supersede_key AND d.state = 'pending'
           AND d.message_id < n.message_id AND d.lease_token IS NULL;
    END IF;
    IF v_touched IS NOT NULL
       AND (EXISTS (SELECT 1 FROM ${schema}.instance_endpoint r WHERE r.endpoint = ANY (v_touched) AND NOT r.draining)
            OR ${schema}.runtime_wants_notify(ARRAY(SELECT e.name FROM ${schema}.endpoint e
                                                    WHERE e.name = ANY (v_touched) AND e.runtime))) THEN
        PERFORM pg_notify('${schema}_wakeup', '');
    END IF;
    RETURN v_ids;
END
$fn$;
