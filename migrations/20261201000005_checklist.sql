-- The decision call's shared state: checklist ticks (current state; every change is also a
-- journal line), GO/NO-GO votes by role per round, and the frozen decision records, which are
-- insert-only and hash-chained.

-- One row per ticked (or once ticked) checklist item. An item is known by its section path and
-- its normalised text (`item_key`), so reordering or reformatting the file keeps its tick.
CREATE TABLE IF NOT EXISTS gonogo.checklist_ticks (
    launch      TEXT        NOT NULL,
    item_key    TEXT        NOT NULL,
    item_id     TEXT        NOT NULL,
    section     TEXT[]      NOT NULL,
    text        TEXT        NOT NULL,
    ticked      BOOLEAN     NOT NULL,
    by_operator TEXT        NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    note        TEXT,
    PRIMARY KEY (launch, item_key)
);

-- The roll call: the last vote of each role in each round counts. Round N ends with decision N.
CREATE TABLE IF NOT EXISTS gonogo.votes (
    launch      TEXT        NOT NULL,
    round       INTEGER     NOT NULL CHECK (round >= 1),
    role        TEXT        NOT NULL,
    vote        TEXT        NOT NULL CHECK (vote IN ('go', 'no-go')),
    by_operator TEXT        NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    note        TEXT,
    PRIMARY KEY (launch, round, role),
    CHECK (vote = 'go' OR note IS NOT NULL)
);

-- Frozen decisions. `record` is the canonical JSON text that was hashed (never a jsonb column:
-- Postgres reorders jsonb keys); `hash` is the SHA-256 of `prev_hash` and that text.
CREATE TABLE IF NOT EXISTS gonogo.decisions (
    launch      TEXT        NOT NULL,
    number      INTEGER     NOT NULL CHECK (number >= 1),
    decided_at  TIMESTAMPTZ NOT NULL,
    decided_by  TEXT        NOT NULL,
    outcome     TEXT        NOT NULL CHECK (outcome IN ('go', 'no-go')),
    record      TEXT        NOT NULL,
    hash        TEXT        NOT NULL,
    prev_hash   TEXT,
    PRIMARY KEY (launch, number),
    CHECK ((number = 1) = (prev_hash IS NULL))
);

CREATE OR REPLACE FUNCTION gonogo.refuse_decision_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decision records are insert-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS decisions_insert_only ON gonogo.decisions;
CREATE TRIGGER decisions_insert_only BEFORE UPDATE OR DELETE ON gonogo.decisions
    FOR EACH ROW EXECUTE FUNCTION gonogo.refuse_decision_change();

DROP TRIGGER IF EXISTS decisions_no_truncate ON gonogo.decisions;
CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON gonogo.decisions
    FOR EACH STATEMENT EXECUTE FUNCTION gonogo.refuse_decision_change();
