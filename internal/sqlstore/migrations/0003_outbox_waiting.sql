-- Messages for a person the bot cannot reach yet (they never opened the bot and the app is not installed for
-- them) wait without using up their attempts, and become due at once when that person first reaches the bot.
@postgres ALTER TABLE outbox ADD COLUMN waiting_recipient BOOLEAN NOT NULL DEFAULT FALSE;
@sqlite   ALTER TABLE outbox ADD COLUMN waiting_recipient INTEGER NOT NULL DEFAULT 0 CHECK (waiting_recipient IN (0, 1));

CREATE INDEX outbox_waiting ON outbox (recipient_id)
@postgres     WHERE waiting_recipient AND delivered_at IS NULL AND abandoned_at IS NULL;
@sqlite       WHERE waiting_recipient = 1 AND delivered_at IS NULL AND abandoned_at IS NULL;
