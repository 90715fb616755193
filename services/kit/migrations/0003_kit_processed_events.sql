-- Event ids each consumer has handled, so a redelivered or duplicated event is skipped.
create table processed_events (
  consumer     text not null,
  event_id     text not null,
  processed_at timestamptz not null default now(),
  primary key (consumer, event_id)
);
