-- A delivery no longer references its endpoint row by foreign key. The check locked the endpoint
-- row FOR KEY SHARE on every delivery insert: every publisher of every transaction shared a lock
-- on the same few endpoint rows (multixacts under concurrency), and a set-based insert of 5,000
-- deliveries took 656 ms with it and 121 ms without (PostgreSQL 15, one session).
--
-- What it guarded is kept otherwise: publish and publish_batch route only to endpoints that exist
-- and are not removed (a named endpoint that does not exist is an error), replays and resumes act
-- on existing deliveries, and endpoint rows are never deleted (a removed endpoint is marked, its
-- deliveries wait for a relay that serves it).
ALTER TABLE ${schema}.delivery DROP CONSTRAINT IF EXISTS delivery_endpoint_fkey;
