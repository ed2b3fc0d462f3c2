-- The product's invitation table, as the seed's 990_beta_invites.sql defines it.
-- gonogo never alters a product table: when public.beta_invites already exists (the product
-- created it), this migration leaves it exactly as it is.
DO $$
BEGIN
    IF to_regclass('public.beta_invites') IS NULL THEN
        CREATE TABLE public.beta_invites (
            id          UUID PRIMARY KEY DEFAULT gen_random_uuid(),
            code        VARCHAR(32)  NOT NULL UNIQUE,
            email       VARCHAR(320) NOT NULL,
            cohort      VARCHAR(64)  NOT NULL,
            used_at     TIMESTAMPTZ,
            expires_at  TIMESTAMPTZ  NOT NULL DEFAULT (NOW() + INTERVAL '30 days'),
            sent_by     UUID,
            created_at  TIMESTAMPTZ  NOT NULL DEFAULT NOW()
        );

        -- The seed references public.users(id); a database without that table still works.
        IF EXISTS (
            SELECT 1 FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'users'
              AND column_name = 'id' AND data_type = 'uuid'
        ) THEN
            ALTER TABLE public.beta_invites
                ADD CONSTRAINT beta_invites_sent_by_fkey
                FOREIGN KEY (sent_by) REFERENCES public.users(id) ON DELETE SET NULL;
        END IF;

        COMMENT ON TABLE public.beta_invites IS 'Soft-launch beta invitation tracking.';
        COMMENT ON COLUMN public.beta_invites.code IS
            '16-char base32 invite code (no 0/1/I/L). Pasted into signup form.';
        COMMENT ON COLUMN public.beta_invites.cohort IS
            'Free-text cohort label (creator-* / listener-* / press-* / etc.).';
        COMMENT ON COLUMN public.beta_invites.used_at IS
            'Redemption timestamp. NULL means the invite is still pending.';

        CREATE UNIQUE INDEX idx_beta_invites_code ON public.beta_invites(code);
        CREATE INDEX idx_beta_invites_cohort ON public.beta_invites(cohort);
        CREATE INDEX idx_beta_invites_pending_expiry ON public.beta_invites(expires_at)
            WHERE used_at IS NULL;
    END IF;
END
$$;
