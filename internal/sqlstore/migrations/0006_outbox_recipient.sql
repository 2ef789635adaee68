-- A main user's grant-task cards are coalesced: before a new task is announced, the outbox is asked whether a task
-- card or list for that person is waiting or went out lately (see domain.GrantMessage). This index answers it
-- without reading the outbox's whole history.
CREATE INDEX outbox_recipient_kind ON outbox (recipient_id, kind, delivered_at);
