-- What the send runs need to tell the truth.
--
-- rate: the rate a run sends at (`5/s`, `off`): the launch's rate is the one of its oldest run
-- still going, so a second sender with another `--rate` follows the first instead of adding up.
ALTER TABLE gonogo.dispatch_run
    ADD COLUMN IF NOT EXISTS rate TEXT;

-- wire_date: the `Date:` header a message goes out with, set once when it is first claimed
-- (and cleared if that claim is given back never handed over): every later attempt sends the
-- same bytes, the stored `.eml` (checked by its SHA-256) with this one header added.
ALTER TABLE gonogo.dispatch
    ADD COLUMN IF NOT EXISTS wire_date TIMESTAMPTZ;
