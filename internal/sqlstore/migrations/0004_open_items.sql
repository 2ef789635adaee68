-- One open request per person and theme: a double-tapped submit, a retried activity or two replicas must never
-- file the same theme twice while the first request for it is still open (pending or approved).
--
-- open_key is "<requester_id>:<theme_id>" while the item is pending or approved, and NULL once it is decided,
-- granted, refused or withdrawn; the unique index then allows only one open item per person and theme. Rows filed
-- twice before this migration keep a NULL key except the oldest, so the index can be built on any existing data.
ALTER TABLE request_items ADD COLUMN open_key TEXT;

UPDATE request_items
SET open_key = (SELECT r.requester_id FROM requests r WHERE r.id = request_items.request_id) || ':' || theme_id
WHERE state IN ('pending', 'approved')
  AND id = (
    SELECT MIN(other.id)
    FROM request_items other
    JOIN requests ro ON ro.id = other.request_id
    WHERE other.theme_id = request_items.theme_id
      AND other.state IN ('pending', 'approved')
      AND ro.requester_id = (SELECT r.requester_id FROM requests r WHERE r.id = request_items.request_id)
  );

CREATE UNIQUE INDEX request_items_open_key ON request_items (open_key);
