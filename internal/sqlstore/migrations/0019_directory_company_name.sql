-- The directory sync reads the company name (Entra companyName) since issue 13: an organisation's membership rule
-- may name it. A stored Graph delta link keeps the $select it was made with, so tracked rounds would never bring the
-- company name. Forgetting the links makes the next round a full one, compared with the stored snapshot (as after an
-- expired link): company names that appear where the snapshot has none raise no mover (internal/dirsync).
UPDATE directory_sync_state SET delta_link = '';
