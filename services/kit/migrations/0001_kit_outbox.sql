-- Transactional outbox: rows are written in the same transaction as the state change
-- and published by the relay, in seq order per ordering key.
create table outbox (
  seq             bigserial primary key,
  id              uuid not null unique,
  topic           text not null,
  ordering_key    text,
  type            text not null,
  source          text not null,
  subject         text not null,
  time            timestamptz not null,
  data            jsonb not null,
  attributes      jsonb not null default '{}'::jsonb,
  created_at      timestamptz not null default now(),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error      text,
  published_at    timestamptz
);
create index outbox_pending on outbox (seq) where published_at is null;
-- The relay's check for an earlier row of the same topic and ordering key still waiting for a retry.
create index outbox_pending_key on outbox (topic, ordering_key, seq) include (next_attempt_at) where published_at is null;
