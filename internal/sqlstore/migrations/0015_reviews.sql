-- Reviews of mandates (issue 10): after a person moved, their new supervisor reviews their active mandates; in a
-- periodic (or on-demand) campaign every supervisor reviews their people's. One review per reviewer, one item per
-- mandate, each item decided once ('keep' or 'invalidate'; '' while it waits). An 'invalidate' opens the mandate's
-- invalidation task (mandate_invalidations). Rows are kept for the report and the record.

-- A campaign: open_slot is 'open' while it runs and NULL once closed, so at most one campaign runs at a time (the
-- UNIQUE constraint ignores NULLs on both dialects).
CREATE TABLE review_campaigns (
    id         {{id}},
    started_by TEXT NOT NULL CHECK (started_by <> ''),
    started_at {{timestamp}} NOT NULL,
    deadline   {{timestamp}} NOT NULL,
    closed_at  {{timestamp}},
    open_slot  TEXT UNIQUE CHECK (open_slot = 'open'),
    CHECK ((closed_at IS NULL) = (open_slot IS NOT NULL))
){{strict}};

CREATE TABLE reviews (
    id             {{id}},
    kind           TEXT NOT NULL CHECK (kind IN ('mover', 'campaign')),
    campaign_id    {{bigint}} REFERENCES review_campaigns (id),
    subject_id     TEXT NOT NULL DEFAULT '',
@postgres     reviewer_id    TEXT COLLATE "C" NOT NULL CHECK (reviewer_id <> ''),
@sqlite       reviewer_id    TEXT NOT NULL CHECK (reviewer_id <> ''),
    reviewer_name  TEXT NOT NULL DEFAULT '',
    department     TEXT NOT NULL DEFAULT '',
    old_department TEXT NOT NULL DEFAULT '',
    old_title      TEXT NOT NULL DEFAULT '',
    new_department TEXT NOT NULL DEFAULT '',
    new_title      TEXT NOT NULL DEFAULT '',
@postgres     escalated      BOOLEAN NOT NULL DEFAULT FALSE,
@sqlite       escalated      INTEGER NOT NULL DEFAULT 0 CHECK (escalated IN (0, 1)),
    created_at     {{timestamp}} NOT NULL,
    CHECK ((kind = 'campaign') = (campaign_id IS NOT NULL))
){{strict}};

CREATE INDEX reviews_campaign ON reviews (campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX reviews_reviewer ON reviews (reviewer_id);

CREATE TABLE review_items (
    id          {{id}},
    review_id   {{bigint}} NOT NULL REFERENCES reviews (id),
    mandate_id  {{bigint}} NOT NULL REFERENCES mandates (id),
    holder_id   TEXT NOT NULL,
    holder_name TEXT NOT NULL DEFAULT '',
    theme_id    TEXT NOT NULL,
@postgres     valid_until DATE NOT NULL,
@sqlite       valid_until TEXT NOT NULL CHECK (valid_until IS date(valid_until)),
    decision    TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'keep', 'invalidate')),
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  {{timestamp}},
    CHECK ((decision = '') = (decided_at IS NULL)),
    UNIQUE (review_id, mandate_id)
){{strict}};

CREATE INDEX review_items_review ON review_items (review_id, id);
