-- Self-fencing send runs and the proof that a claim was never handed over.
--
-- A run's lease and margin (what others must wait, after its last heartbeat, before declaring it
-- dead), and which process it is (boot id and start time of the pid: a reused pid is not it).
ALTER TABLE gonogo.dispatch_run
    ADD COLUMN IF NOT EXISTS lease_ms    INTEGER NOT NULL DEFAULT 15000,
    ADD COLUMN IF NOT EXISTS margin_ms   INTEGER NOT NULL DEFAULT 5000,
    ADD COLUMN IF NOT EXISTS process_key TEXT;

-- claim_pg_start: the server's start time when the (synchronous) claim was written.
-- handing_at: written (without waiting for the disk) just before the message is handed over.
-- A claim without a mark proves "never handed over" only while the server has not restarted
-- since the claim: a crash may lose a mark that was not flushed yet.
-- orphaned: turned `unknown` because its run stopped, not by the run's own answer.
ALTER TABLE gonogo.dispatch
    ADD COLUMN IF NOT EXISTS claim_pg_start TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS handing_at     TIMESTAMPTZ,
    ADD COLUMN IF NOT EXISTS orphaned       BOOLEAN NOT NULL DEFAULT false;

-- Late answers (a run that found its claim taken) are history lines in state 'late'.
CREATE INDEX IF NOT EXISTS dispatch_history_late ON gonogo.dispatch_history (dispatch_id)
    WHERE state = 'late';
