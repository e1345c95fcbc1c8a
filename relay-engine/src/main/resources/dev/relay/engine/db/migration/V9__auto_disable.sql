-- Failing endpoints disabled automatically. The endpoint row carries its current failure streak,
-- kept by the settle statement in the same round trip as the outcomes (no extra statement):
--
--   failing_since    database time of the first failed attempt of the streak (null: not failing)
--   failed_attempts  failed attempts in the streak
--   warned_at        when the streak crossed half the auto-disable window (the warning)
--
-- A failed attempt is one that spent an attempt (refund 0) and was not delivered; rows handed back
-- or deferred unsent and rows settled undeliverable (never sent) say nothing about the receiver.
-- Any delivered attempt ends the streak. When the streak is at least delivery.auto-disable.after
-- old and has at least delivery.auto-disable.min-failed-attempts, the settle sets
-- disabled_reason: the claim skips the endpoint, its deliveries stay pending (kept, not claimed),
-- and re-enabling it (the admin API's resume, or anything else that clears disabled_reason)
-- clears the streak too (the trigger below).
--
-- Hot path: the settle writes the row only on a failure or when a success ends a streak, so a
-- healthy endpoint's row is never rewritten by its deliveries.
ALTER TABLE ${schema}.endpoint
    ADD COLUMN failing_since   timestamptz,
    ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN warned_at       timestamptz;

-- The failing-endpoints gauge counts these without reading every endpoint (runtime endpoints may
-- number 100,000; only failing or disabled ones are in it). Its columns change only when a streak
-- starts or ends or an endpoint is disabled or resumed, so the settle's other endpoint writes
-- (failed_attempts, Retry-After holds) stay HOT updates.
CREATE INDEX endpoint_failing_idx ON ${schema}.endpoint (name)
    WHERE failing_since IS NOT NULL OR disabled_reason IS NOT NULL;

-- Re-enabling an endpoint, by whatever path (the admin API's resume, a later SQL function that
-- clears disabled_reason), ends its failure streak: otherwise a streak already past the window
-- would disable the endpoint again at its first failed attempt, before the receiver had a fair
-- chance. Column trigger with a WHEN: other updates of the row do not call the function.
CREATE FUNCTION ${schema}.endpoint_reenabled() RETURNS trigger
LANGUAGE plpgsql
AS $fn$
BEGIN
    NEW.failing_since := NULL;
    NEW.failed_attempts := 0;
    NEW.warned_at := NULL;
    RETURN NEW;
END
$fn$;

CREATE TRIGGER endpoint_reenabled
    BEFORE UPDATE OF disabled_reason ON ${schema}.endpoint
    FOR EACH ROW
    WHEN (OLD.disabled_reason IS NOT NULL AND NEW.disabled_reason IS NULL)
    EXECUTE FUNCTION ${schema}.endpoint_reenabled();
