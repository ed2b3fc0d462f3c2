-- Live shared state: idempotent event writes, incremental reads, a notification on every new
-- journal line (so every cockpit on this database sees it at once), and each gate's latest
-- observation for handoff reports.

-- A client-made id per event line: a write retried after a lost answer adds nothing.
ALTER TABLE gonogo.journal ADD COLUMN IF NOT EXISTS uid UUID;
CREATE UNIQUE INDEX IF NOT EXISTS journal_uid ON gonogo.journal (uid);

-- Readers ask for "everything after the last id I have".
CREATE INDEX IF NOT EXISTS journal_launch_id ON gonogo.journal (launch, id);

-- The payload names the line, never carries it (NOTIFY payloads must stay under 8,000 bytes):
-- `<id>:<kind>:<launch>`, the launch cut to 200 characters.
CREATE OR REPLACE FUNCTION gonogo.notify_journal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gonogo_journal', NEW.id::text || ':' || NEW.kind || ':' || left(NEW.launch, 200));
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS journal_notify ON gonogo.journal;
CREATE TRIGGER journal_notify AFTER INSERT ON gonogo.journal
    FOR EACH ROW EXECUTE FUNCTION gonogo.notify_journal();

-- What some cockpit or watch last saw of each gate: current values and their freshness for a
-- handoff written anywhere, whether or not a cockpit is open there.
CREATE TABLE IF NOT EXISTS gonogo.gate_state (
    launch       TEXT        NOT NULL,
    gate         TEXT        NOT NULL,
    state        TEXT        NOT NULL CHECK (state IN ('pass', 'fail', 'pending', 'unknown')),
    value        TEXT,
    error        TEXT,
    since        TIMESTAMPTZ,
    observed_at  TIMESTAMPTZ NOT NULL,
    observer     TEXT        NOT NULL,
    PRIMARY KEY (launch, gate)
);
