-- Carts are the source of truth here; Redis only caches their views, keyed by version.
create table carts (
  id          uuid primary key,
  shopper_id  text not null,
  currency    text check (currency ~ '^[A-Z]{3}$'),
  version     integer not null default 1,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);
create index carts_by_shopper on carts (shopper_id, updated_at desc);

-- Each line keeps the price and stock seen at the cart's last change.
create table cart_lines (
  cart_id          uuid not null references carts(id) on delete cascade,
  sku              text not null,
  position         integer not null,
  quantity         integer not null check (quantity between 1 and 99),
  product_id       uuid not null,
  name             text not null,
  slug             text not null,
  category_id      uuid,
  options          jsonb not null default '{}'::jsonb,
  unit_price_minor bigint not null check (unit_price_minor >= 0),
  currency         text not null check (currency ~ '^[A-Z]{3}$'),
  sellable         boolean not null,
  available        integer not null,
  primary key (cart_id, sku)
);
-- Deleted products leave every cart that holds them.
create index cart_lines_by_product on cart_lines (product_id);

-- The checkout saga's progress. The primary key is the shopper's checkout id: a double submit,
-- from any instance, finds the row the first submit inserted and waits for its outcome.
create table checkouts (
  id                  uuid primary key,
  shopper_id          text not null,
  cart_id             uuid not null,
  -- Hash of what was submitted (card excluded), so a reused checkout id for another cart is refused.
  fingerprint         text not null,
  step                text not null check (step in ('reserving', 'authorizing', 'committing', 'capturing', 'compensating', 'done')),
  status              text not null check (status in ('running', 'succeeded', 'failed')),
  -- Priced lines, totals, address, email, card brand and last 4, and the exact reservation request.
  plan                jsonb not null,
  reservation_id      uuid,
  order_id            uuid,
  authorization_id    text,
  -- Whether compensation must void an authorization that may exist.
  void_needed         boolean not null default false,
  compensation_reason text,
  release_reason      text check (release_reason in ('payment_failed', 'order_cancelled', 'cancelled')),
  outcome_status      integer,
  outcome             jsonb,
  -- The instance driving the checkout; once lease_until passes the recovery sweeper takes over.
  lease_token         uuid not null,
  lease_until         timestamptz not null,
  attempts            integer not null default 0,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  check ((status = 'running') = (outcome_status is null))
);
create index checkouts_due on checkouts (lease_until) where step <> 'done';

create table orders (
  id               uuid primary key,
  number           text not null unique,
  checkout_id      uuid not null unique references checkouts(id),
  shopper_id       text not null,
  email            text not null,
  currency         text not null check (currency ~ '^[A-Z]{3}$'),
  lines            jsonb not null,
  subtotal_minor   bigint not null check (subtotal_minor >= 0),
  shipping_minor   bigint not null check (shipping_minor >= 0),
  total_minor      bigint not null check (total_minor = subtotal_minor + shipping_minor),
  shipping_address jsonb not null,
  status           text not null check (status in ('pending_payment', 'paid', 'fulfilled', 'cancelled', 'refunded')),
  -- 'pending' until the provider answers the authorization.
  payment_state    text not null check (payment_state in ('pending', 'authorized', 'captured', 'declined', 'voided', 'refunded')),
  payment_brand    text not null,
  payment_last4    text not null check (payment_last4 ~ '^[0-9]{4}$'),
  reservation_id   uuid not null,
  reason           text,
  -- A cancel, refund or fulfil under way (its outside calls are idempotent); the sweeper finishes it.
  pending_action   text check (pending_action in ('cancel', 'refund', 'fulfil')),
  pending_reason   text,
  action_lease_until timestamptz,
  -- Milliseconds, as JavaScript dates carry them, so a page cursor names an exact position.
  placed_at        timestamptz(3) not null default now(),
  updated_at       timestamptz not null default now()
);
create index orders_by_placed on orders (placed_at desc, id desc);
create index orders_by_shopper on orders (shopper_id, placed_at desc, id desc);
create index orders_by_status on orders (status, placed_at desc, id desc);
create index orders_pending_action on orders (action_lease_until) where pending_action is not null;
