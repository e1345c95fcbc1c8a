-- Publishing costs less (the cost of publishing is paid on the application's write path).

-- 1. A delivery no longer references its endpoint row by foreign key. The check locked the endpoint
-- row FOR KEY SHARE on every delivery insert: every publisher of every transaction shared a lock
-- on the same few endpoint rows (multixacts under concurrency), and a set-based insert of 5,000
-- deliveries took 656 ms with it and 121 ms without (PostgreSQL 15, one session).
--
-- What it guarded is kept otherwise: publish and publish_batch route only to endpoints that exist
-- and are not removed (a named endpoint that does not exist is an error), replays and resumes act
-- on existing deliveries, and endpoint rows are never deleted (a removed endpoint is marked, its
-- deliveries wait for a relay that serves it).
ALTER TABLE ${schema}.delivery DROP CONSTRAINT IF EXISTS delivery_endpoint_fkey;

-- 2. The publish checks run as PL/pgSQL. As a SQL function called from PL/pgSQL, publish_problem
-- was planned again on every call (not inlined there): about 80 us of each publish, against 8 us
-- now (PostgreSQL 15, 5,000 calls). Same checks, same messages.
CREATE OR REPLACE FUNCTION ${schema}.publish_problem(
    p_event_type text, p_payload jsonb, p_max_bytes integer, p_ordering_key text, p_event_id text,
    p_content_type text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
AS $fn$
BEGIN
    RETURN CASE
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
    END;
END
$fn$;
