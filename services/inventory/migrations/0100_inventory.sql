create table warehouses (
  id          text primary key check (id ~ '^[a-z0-9][a-z0-9-]*$'),
  name        text not null,
  -- lower value is allocated first under the 'priority' strategy
  priority    integer not null default 100 check (priority >= 0),
  active      boolean not null default true,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

-- One row per SKU per warehouse. Quantities can never go negative, and physical stock
-- always covers what is promised: the database refuses an oversell even if code is wrong.
create table stock_levels (
  sku           text not null,
  warehouse_id  text not null references warehouses(id),
  on_hand       integer not null default 0 check (on_hand >= 0),
  reserved      integer not null default 0 check (reserved >= 0),
  committed     integer not null default 0 check (committed >= 0),
  safety_stock  integer not null default 0 check (safety_stock >= 0),
  incoming      integer not null default 0 check (incoming >= 0),
  damaged       integer not null default 0 check (damaged >= 0),
  quality_hold  integer not null default 0 check (quality_hold >= 0),
  reorder_point integer check (reorder_point >= 0),
  low_stock     boolean not null default false,
  version       bigint not null default 0,
  updated_at    timestamptz not null default now(),
  primary key (sku, warehouse_id),
  constraint stock_covers_promises check (reserved + committed <= on_hand)
);
create index stock_levels_by_warehouse on stock_levels (warehouse_id, sku);

-- Append-only movement ledger; stored levels equal the sum of its deltas.
create table ledger (
  id               bigserial primary key,
  movement_id      uuid not null,
  sku              text not null,
  warehouse_id     text not null,
  kind             text not null,
  reason           text,
  reference        text,
  reservation_id   uuid,
  transfer_id      uuid,
  actor            text not null,
  idempotency_key  text,
  d_on_hand        integer not null default 0,
  d_reserved       integer not null default 0,
  d_committed      integer not null default 0,
  d_incoming       integer not null default 0,
  d_damaged        integer not null default 0,
  d_quality_hold   integer not null default 0,
  before           jsonb not null,
  after            jsonb not null,
  created_at       timestamptz not null default now()
);
create index ledger_by_stock on ledger (sku, warehouse_id, id);
create index ledger_by_movement on ledger (movement_id);

create function ledger_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'ledger is append-only';
end $$;
create trigger ledger_no_update before update or delete on ledger
  for each statement execute function ledger_is_append_only();

create table reservations (
  id          uuid primary key,
  reference   text not null,
  status      text not null check (status in ('active', 'committed', 'fulfilled', 'released', 'expired')),
  expires_at  timestamptz not null,
  actor       text not null,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index reservations_expiring on reservations (expires_at) where status = 'active';
create index reservations_by_reference on reservations (reference);

-- Where each reserved unit sits. active_until mirrors the hold's expiry while it is active,
-- so reads can discount holds that expired but are not swept yet.
create table reservation_allocations (
  reservation_id uuid not null references reservations(id),
  sku            text not null,
  warehouse_id   text not null,
  quantity       integer not null check (quantity > 0),
  active_until   timestamptz,
  primary key (reservation_id, sku, warehouse_id)
);
create index allocations_active on reservation_allocations (sku, warehouse_id, active_until) where active_until is not null;

create table transfers (
  id             uuid primary key,
  from_warehouse text not null references warehouses(id),
  to_warehouse   text not null references warehouses(id),
  status         text not null check (status in ('in_transit', 'received', 'cancelled')),
  reference      text,
  created_by     text not null,
  created_at     timestamptz not null default now(),
  closed_at      timestamptz,
  check (from_warehouse <> to_warehouse)
);
create table transfer_lines (
  transfer_id       uuid not null references transfers(id),
  sku               text not null,
  quantity          integer not null check (quantity > 0),
  received_quantity integer,
  primary key (transfer_id, sku)
);

-- Operations already applied, by key: makes CSV rows and retried commands run once.
create table applied_operations (
  key         text primary key,
  applied_at  timestamptz not null default now()
);

create table import_jobs (
  id             uuid primary key,
  mode           text not null check (mode in ('receive', 'count')),
  source         text not null,
  dry_run        boolean not null,
  status         text not null check (status in ('queued', 'running', 'succeeded', 'failed')),
  actor          text not null,
  principal      jsonb not null,
  total_rows     integer,
  processed_rows integer not null default 0,
  applied_rows   integer not null default 0,
  skipped_rows   integer not null default 0,
  failed_rows    integer not null default 0,
  errors         jsonb not null default '[]'::jsonb,
  failure        text,
  created_at     timestamptz not null default now(),
  started_at     timestamptz,
  finished_at    timestamptz
);
