-- gonogo's own state lives in its own schema, so several operators' cockpits share one truth.
CREATE SCHEMA IF NOT EXISTS gonogo;

-- The journal: every gate transition and every operator action (overrides, and later ticks,
-- votes, sends), by whom and when. The timeline and the shift handoff read it.
CREATE TABLE IF NOT EXISTS gonogo.journal (
    id           BIGSERIAL PRIMARY KEY,
    at           TIMESTAMPTZ NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    launch       TEXT        NOT NULL,
    kind         TEXT        NOT NULL,
    actor        TEXT        NOT NULL,
    gate         TEXT,
    from_state   TEXT CHECK (from_state IN ('pass', 'fail', 'pending', 'unknown')),
    to_state     TEXT CHECK (to_state IN ('pass', 'fail', 'pending', 'unknown')),
    value        TEXT,
    message      TEXT        NOT NULL DEFAULT '',
    data         JSONB       NOT NULL DEFAULT '{}'::jsonb,
    CHECK (kind <> 'gate' OR (gate IS NOT NULL AND to_state IS NOT NULL))
);

CREATE INDEX IF NOT EXISTS journal_launch_at ON gonogo.journal (launch, at DESC);
CREATE INDEX IF NOT EXISTS journal_gate_latest ON gonogo.journal (launch, gate, at DESC)
    WHERE kind = 'gate';
