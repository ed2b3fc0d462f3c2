-- Alerts: one row per alert a cockpit or a watch claimed for the launch, so several of them on
-- one database send each alert once. The id is made by the claiming client and is the one the
-- webhook carries (`X-Gonogo-Alert-Id`); a claim is `INSERT … ON CONFLICT (id) DO NOTHING`
-- under a per-subject advisory lock, after looking for an alert of the same subject raised
-- within the grouping window by someone else. The delivery columns hold the latest outcome.
CREATE TABLE IF NOT EXISTS gonogo.alerts (
    id            TEXT        PRIMARY KEY,
    launch        TEXT        NOT NULL,
    subject       TEXT        NOT NULL,
    severity      TEXT        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    title         TEXT        NOT NULL,
    message       TEXT        NOT NULL,
    -- The subject's state when the alert went out (`NO-GO`, `fail`, `stopped`).
    state         TEXT        NOT NULL DEFAULT '',
    changes       INTEGER     NOT NULL DEFAULT 1,
    metadata      JSONB       NOT NULL DEFAULT '{}'::jsonb,
    -- When the first change of the alert's group happened (the grouping window's start).
    raised_at     TIMESTAMPTZ NOT NULL,
    claimed_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_by    TEXT        NOT NULL,
    -- NULL while it is being delivered (or when no webhook is configured: `none`).
    delivery      TEXT        CHECK (delivery IN ('delivered', 'gave_up', 'failed', 'none')),
    attempts      INTEGER     NOT NULL DEFAULT 0,
    http_status   INTEGER,
    answer        TEXT,
    delivered_at  TIMESTAMPTZ
);

CREATE INDEX IF NOT EXISTS alerts_subject ON gonogo.alerts (launch, subject, raised_at);
CREATE INDEX IF NOT EXISTS alerts_claimed ON gonogo.alerts (launch, claimed_at);
