-- The capacity page (docs/capacity.md): each figure's sample once a minute, kept for
-- 24 hours so the charts survive a restart (the server prunes older rows). `figure` is
-- the figure's id: `cpu`, `memory`, … or `gateway_users:NAME`. Values are always
-- numbers: a figure nobody could read is not stored.
CREATE TABLE capacity_samples (
    at_ms  BIGINT NOT NULL,
    figure TEXT NOT NULL,
    value  DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (figure, at_ms)
);

CREATE INDEX capacity_samples_at ON capacity_samples (at_ms);
