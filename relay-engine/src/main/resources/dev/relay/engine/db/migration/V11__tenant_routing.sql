-- Routing for 100,000 endpoints, and tenants.
--
-- Runtime endpoints (V10) take only what is addressed to them (endpoint => 'customer-42') or to
-- their tenant (tenant => 'acme': the tenant's runtime endpoints whose event types match). A
-- publish addressed to neither goes to the configured endpoints that take its type, as before,
-- never to a runtime endpoint: your customers' endpoints never get an event meant for your own
-- receivers or for another customer, whatever event types they subscribe to.
--
-- Cost: an addressed publish looked for its endpoint with routes(), a CASE the planner cannot
-- turn into an index condition, so every publish scanned the whole endpoint table; it is now a
-- primary-key probe. A tenant's endpoints come from endpoint_tenant_idx, the configured ones from
-- endpoint_configured_idx, so neither reads the runtime endpoints of other tenants. publish_batch
-- matched each distinct (event type, target) pair against every endpoint with a nested loop
-- (1,000 targets x 100,000 endpoints = 10^8 checks); addressed pairs now hash-join on the name.
--
-- Wakeups: a relay that serves runtime endpoints has a draining mark for one only once it drains
-- it (V10), so a publish to a runtime endpoint also notifies while such a relay has no mark.
--
-- relay.publish gains tenant at the end: dropped and created again, its EXECUTE grants restored,
-- as V8 did. Otherwise publish and publish_batch are V8's.

-- The tenant a message was published to, so an endpoint replay (Sql.replayMessages) gives a
-- runtime endpoint only its own tenant's messages.
ALTER TABLE ${schema}.message ADD COLUMN tenant text;

CREATE INDEX endpoint_configured_idx ON ${schema}.endpoint (name) WHERE NOT runtime;

-- Whether some relay serving runtime endpoints has no draining mark for one of these, so a
-- publish to them must NOTIFY. Instances are few; the marks are primary-key probes.
CREATE FUNCTION ${schema}.runtime_wants_notify(p_names text[]) RETURNS boolean
LANGUAGE sql STABLE
AS $fn$
    SELECT EXISTS (SELECT 1 FROM ${schema}.instance i CROSS JOIN unnest(p_names) AS t(name)
                    WHERE i.serves_runtime
                      AND NOT EXISTS (SELECT 1 FROM ${schema}.instance_endpoint r
                                       WHERE r.instance_id = i.id AND r.endpoint = t.name))
$fn$;

-- The hint lists configured endpoints only: runtime endpoints are your customers', possibly
-- 100,000 of them.
CREATE OR REPLACE FUNCTION ${schema}.unknown_endpoint(p_endpoint text, p_caller text) RETURNS void
LANGUAGE plpgsql
AS $fn$
BEGIN
    RAISE EXCEPTION '%: unknown endpoint "%"', p_caller, left(p_endpoint, 80)
        USING ERRCODE = '23503',
              HINT = 'Known configured endpoints: ' || coalesce((SELECT string_agg(k.name, ', ' ORDER BY k.name)
                                              FROM (SELECT e.name FROM ${schema}.endpoint e
                                                     WHERE NOT e.removed AND NOT e.runtime
                                                     ORDER BY e.name LIMIT 20) k), 'none')
                     || '; runtime endpoints are created with relay.create_endpoint';
END
$fn$;

CREATE TEMPORARY TABLE relay_v11_publish_acl ON COMMIT DROP AS
SELECT p.proacl FROM pg_proc p
 WHERE p.oid = '${schema}.publish(text, jsonb, text, text, text, text, text, text, text)'::regprocedure;

DROP FUNCTION ${schema}.publish(text, jsonb, text, text, text, text, text, text, text);

CREATE FUNCTION ${schema}.publish(
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

    INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                        target_endpoint, unrouted, traceparent, tracestate, supersede_key, tenant)
    VALUES (coalesce(event_id, ${schema}.new_event_id()), event_type, payload,
            content_type, ordering_key, endpoint, v_endpoints IS NULL, v_trace[1], v_trace[2], supersede_key, tenant)
    ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
    RETURNING m.id, m.event_id INTO v_id, v_event_id;

    IF v_id IS NULL THEN
        SELECT m.id INTO v_id FROM ${schema}.message m WHERE m.event_id = event_id;
        RETURN v_id;
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

-- The old function's EXECUTE grants, on the new one. NULL: default privileges, as the new one has.
DO $do$
DECLARE
    v_acl   aclitem[] := (SELECT a.proacl FROM relay_v11_publish_acl a);
    v_grant record;
BEGIN
    IF v_acl IS NULL THEN
        RETURN;
    END IF;
    REVOKE EXECUTE ON FUNCTION ${schema}.publish(text, jsonb, text, text, text, text, text, text, text, text) FROM PUBLIC;
    FOR v_grant IN SELECT x.grantee, x.is_grantable FROM aclexplode(v_acl) x WHERE x.privilege_type = 'EXECUTE' LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION ${schema}.publish(text, jsonb, text, text, text, text, text, text, text, text) TO %s%s',
            CASE WHEN v_grant.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(v_grant.grantee)) END,
            CASE WHEN v_grant.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$do$;

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
    ), inserted AS (
        INSERT INTO ${schema}.message AS m (event_id, event_type, payload, content_type, ordering_key,
                                            target_endpoint, unrouted, traceparent, tracestate, supersede_key, tenant)
        SELECT v.event_id, v.event_type, v.payload, v.content_type, v.ordering_key, v.endpoint,
               NOT EXISTS (SELECT 1 FROM kinds k WHERE k.event_type = v.event_type AND k.target = v.target),
               v.trace[1], v.trace[2], v.supersede_key, v.tenant
          FROM ev v
         WHERE NOT v.given OR v.i IN (SELECT f.i FROM firsts f)
         ORDER BY v.i
        ON CONFLICT ON CONSTRAINT message_event_id_key DO NOTHING
        RETURNING m.id, m.event_id, m.event_type, m.target_endpoint, m.tenant, m.ordering_key, m.supersede_key,
                  m.created_at
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
