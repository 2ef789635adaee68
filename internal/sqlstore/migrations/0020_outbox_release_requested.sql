-- A person can become reachable (install the app, write for the first time) while a message to them is in delivery
-- and about to be parked as waiting for them: the release cannot touch a claimed message (that would deliver it
-- twice), so it asks for it instead, and MarkWaiting then makes the message due at once rather than at its late
-- retry (Outbox.ReleaseWaiting, Outbox.MarkWaiting).
@postgres ALTER TABLE outbox ADD COLUMN release_requested BOOLEAN NOT NULL DEFAULT FALSE;
@sqlite   ALTER TABLE outbox ADD COLUMN release_requested INTEGER NOT NULL DEFAULT 0 CHECK (release_requested IN (0, 1));
