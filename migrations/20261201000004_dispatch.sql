-- The invite dispatch ledger: one row per recipient of a batch, the state machine that makes
-- "never send anyone their invitation twice" checkable, each message's history, the send runs
-- with their heartbeats, and the launch-wide pace that makes the configured rate a total.

CREATE TABLE IF NOT EXISTS gonogo.dispatch_run (
    id            UUID        PRIMARY KEY,
    launch        TEXT        NOT NULL,
    batch         TEXT,
    operator      TEXT        NOT NULL,
    host          TEXT        NOT NULL,
    pid           INTEGER     NOT NULL DEFAULT 0,
    started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    heartbeat_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at      TIMESTAMPTZ,
    outcome       TEXT CHECK (outcome IN ('finished', 'paused', 'stopped', 'died')),
    reason        TEXT
);

CREATE INDEX IF NOT EXISTS dispatch_run_live ON gonogo.dispatch_run (launch) WHERE ended_at IS NULL;

CREATE TABLE IF NOT EXISTS gonogo.dispatch (
    id               BIGSERIAL   PRIMARY KEY,
    launch           TEXT        NOT NULL,
    batch            TEXT        NOT NULL,
    email            TEXT        NOT NULL,
    email_key        TEXT        NOT NULL,
    name             TEXT,
    cohort           TEXT        NOT NULL,
    line             BIGINT,
    invite_id        UUID        NOT NULL,
    message_id       TEXT        NOT NULL UNIQUE,
    eml_path         TEXT        NOT NULL,
    eml_sha256       TEXT        NOT NULL,
    state            TEXT        NOT NULL DEFAULT 'prepared'
                     CHECK (state IN ('prepared', 'sending', 'sent', 'failed', 'unknown')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ,
    run_id           UUID        REFERENCES gonogo.dispatch_run (id),
    reason           TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ,
    UNIQUE (launch, batch, email_key),
    -- A row being handed over always names the run that holds it.
    CHECK (state <> 'sending' OR run_id IS NOT NULL)
);

CREATE INDEX IF NOT EXISTS dispatch_claimable ON gonogo.dispatch (launch, batch, id)
    WHERE state = 'prepared';
CREATE INDEX IF NOT EXISTS dispatch_in_flight ON gonogo.dispatch (run_id) WHERE state = 'sending';
CREATE INDEX IF NOT EXISTS dispatch_recent ON gonogo.dispatch (launch, updated_at DESC);

CREATE TABLE IF NOT EXISTS gonogo.dispatch_history (
    id           BIGSERIAL   PRIMARY KEY,
    dispatch_id  BIGINT      NOT NULL REFERENCES gonogo.dispatch (id),
    at           TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    state        TEXT        NOT NULL,
    run_id       UUID,
    detail       TEXT        NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS dispatch_history_message ON gonogo.dispatch_history (dispatch_id, id);

-- The next moment a message may be handed over, per launch: every sender reserves its slot
-- here, so two senders share the configured rate instead of doubling it.
CREATE TABLE IF NOT EXISTS gonogo.dispatch_pace (
    launch   TEXT        PRIMARY KEY,
    next_at  TIMESTAMPTZ NOT NULL
);

-- Ledger changes wake every cockpit through the journal's channel; the payload has no journal
-- id (`:ledger:<launch>`), so readers refresh the ledger, not the timeline.
CREATE OR REPLACE FUNCTION gonogo.notify_dispatch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gonogo_journal', ':ledger:' || left(NEW.launch, 200));
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS dispatch_notify ON gonogo.dispatch;
CREATE TRIGGER dispatch_notify AFTER INSERT OR UPDATE ON gonogo.dispatch
    FOR EACH ROW EXECUTE FUNCTION gonogo.notify_dispatch();
