-- Alert claims become leases. The process that claims an alert holds it until `lease_until`
-- and renews it while it delivers; an alert still undelivered whose lease ran out (its holder
-- died, could not renew, failed or quit mid-delivery) is taken over by another cockpit or
-- watch, which delivers it with the same id. `holders` counts the processes that have held it,
-- bounding how often a failing delivery is handed on. Rows claimed before this migration have
-- no lease and are never taken over.
ALTER TABLE gonogo.alerts
    ADD COLUMN IF NOT EXISTS holder      TEXT,
    ADD COLUMN IF NOT EXISTS lease_until TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS holders     INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN IF NOT EXISTS first_sight BOOLEAN NOT NULL DEFAULT false;

UPDATE gonogo.alerts SET holder = claimed_by WHERE holder IS NULL;

CREATE INDEX IF NOT EXISTS alerts_orphaned ON gonogo.alerts (launch, lease_until)
    WHERE delivery IS NULL;
