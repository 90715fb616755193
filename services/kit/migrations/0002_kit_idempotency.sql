-- Idempotency-Key records: the first request's hash and, once done, its response.
create table idempotency_keys (
  scope           text not null,
  key             text not null,
  request_hash    text not null,
  state           text not null check (state in ('in_flight', 'done')),
  locked_until    timestamptz,
  response_status integer,
  response_headers jsonb,
  -- bytea: the replay must be byte-identical whatever the content type.
  response_body   bytea,
  created_at      timestamptz not null default now(),
  primary key (scope, key)
);
create index idempotency_keys_created on idempotency_keys (created_at);
