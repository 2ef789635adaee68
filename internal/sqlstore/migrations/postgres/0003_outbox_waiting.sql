-- Messages for a person the bot cannot reach yet (they never opened the bot and the app is not installed for
-- them) wait without using up their attempts, and become due at once when that person first reaches the bot.
ALTER TABLE outbox ADD COLUMN waiting_recipient BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX outbox_waiting ON outbox (recipient_id)
    WHERE waiting_recipient AND delivered_at IS NULL AND abandoned_at IS NULL;
