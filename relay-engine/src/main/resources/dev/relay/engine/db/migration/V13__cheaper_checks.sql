-- Publish checks without bounded regex repetitions (issue 9: what relay.publish costs is paid on
-- the application's write path). PostgreSQL's regex engine runs a bounded repetition such as
-- {1,255} as that many states on every match: '^[!-~]{1,255}$' took 35 us per event id (133 us
-- under COLLATE "C"), where '[^!-~]' takes under 1 us. Measured on PostgreSQL 17.6 with pgbench, one
-- client, one 80-byte event per transaction (latency average, same run):
--   relay.publish without event id or trace context              0.30 ms
--   relay.publish with its own event_id                           0.46 ms, now 0.32 ms
--   relay.publish with a traceparent                              0.47 ms, now 0.31-0.33 ms
--   relay.publish with a traceparent and a two-member tracestate  0.59 ms, now 0.33 ms
-- and relay.publish_batch of 10,000 events (1 KiB payloads) that carry their own event ids: 0.70 s,
-- now 0.25 s.
-- The trace context check also was a SQL function with a subquery, which PostgreSQL cannot inline:
-- called from PL/pgSQL (relay.trace_context) it was planned again on every publish. It is PL/pgSQL
-- now, whose expressions are planned once per session.
--
-- Same rules, same messages, same results for every input: PublishChecksIT compares each new check
-- with the old one over valid values and their mutations at every position. CREATE OR REPLACE
-- keeps the functions' grants; publish and publish_batch call them by name and are unchanged.

-- ---- Event ids, types, keys, payload ------------------------------------------------------------------
-- As V6 but for the event id: 1-255 characters, each of them in '!'..'~' (printable ASCII without
-- the space).
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
        WHEN p_event_id IS NOT NULL AND (p_event_id = '' OR length(p_event_id) > 255 OR p_event_id ~ '[^!-~]')
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

-- ---- Trace context ------------------------------------------------------------------------------------
-- As V4, in PL/pgSQL. traceparent: version-trace_id-parent_id-flags in lower-case hex (2, 32, 16
-- and 2 digits: the dashes at positions 3, 36 and 53, hex digits between them), then for versions
-- other than 00 optionally '-' and printable ASCII; version ff is invalid; neither id is all
-- zeros. tracestate: at most 512 characters and 32 comma-separated members, each empty or
-- key=value between optional spaces and tabs; a key is a simple key (1-256 of a-z 0-9 _ - * /,
-- starting with a letter or digit) or tenant@system (1-241 and 1-14 of those, the system starting
-- with a letter); a value is 1-256 printable ASCII characters other than ',' and '=', not ending in
-- a space.
CREATE OR REPLACE FUNCTION ${schema}.trace_context_problem(p_traceparent text, p_tracestate text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $fn$
DECLARE
    c_tracestate CONSTANT text := 'tracestate:tracestate is not a W3C tracestate (at most 32 key=value members, 512 characters)';
    v_members text[];
    v_member  text;
    v_key     text;
    v_value   text;
BEGIN
    IF p_traceparent IS NULL THEN
        RETURN CASE WHEN p_tracestate IS NOT NULL THEN 'tracestate:tracestate given without a traceparent' END;
    END IF;
    IF length(p_traceparent) NOT BETWEEN 55 AND 255
       OR substr(p_traceparent, 3, 1) <> '-' OR substr(p_traceparent, 36, 1) <> '-'
       OR substr(p_traceparent, 53, 1) <> '-'
       OR left(p_traceparent, 55) !~ '^[0-9a-f]+-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$'
       OR (length(p_traceparent) > 55 AND (substr(p_traceparent, 56, 1) <> '-' OR substr(p_traceparent, 57) ~ '[^!-~]'))
       OR left(p_traceparent, 2) = 'ff'
       OR (left(p_traceparent, 2) = '00' AND length(p_traceparent) <> 55) THEN
        RETURN 'traceparent:traceparent is not a W3C traceparent (00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>), was '
               || left(regexp_replace(p_traceparent, '[^ -~]', '?', 'g'), 60);
    END IF;
    IF substr(p_traceparent, 4, 32) = repeat('0', 32) THEN
        RETURN 'traceparent:traceparent has an all-zero trace id';
    END IF;
    IF substr(p_traceparent, 37, 16) = repeat('0', 16) THEN
        RETURN 'traceparent:traceparent has an all-zero parent id';
    END IF;
    IF p_tracestate IS NULL THEN
        RETURN NULL;
    END IF;
    v_members := string_to_array(p_tracestate, ',');
    IF length(p_tracestate) > 512 OR cardinality(v_members) > 32 THEN
        RETURN c_tracestate;
    END IF;
    FOREACH v_member IN ARRAY v_members LOOP
        CONTINUE WHEN v_member ~ '^[ \t]*$';
        v_member := btrim(v_member, E' \t');
        v_key := split_part(v_member, '=', 1);
        v_value := substr(v_member, length(v_key) + 2);
        IF length(v_member) - length(replace(v_member, '=', '')) <> 1
           OR length(v_value) NOT BETWEEN 1 AND 256 OR v_value ~ '[^ -~]'
           OR NOT ((v_key ~ '^[a-z0-9][_0-9a-z*/-]*$' AND length(v_key) <= 256)
                   OR (v_key ~ '^[a-z0-9][_0-9a-z*/-]*@[a-z][_0-9a-z*/-]*$'
                       AND length(split_part(v_key, '@', 1)) <= 241 AND length(split_part(v_key, '@', 2)) <= 14)) THEN
            RETURN c_tracestate;
        END IF;
    END LOOP;
    RETURN NULL;
END
$fn$;
