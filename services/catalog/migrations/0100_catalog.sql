create extension if not exists pg_trgm;

create table categories (
  id          uuid primary key,
  slug        text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 120),
  name        text not null check (length(name) between 1 and 200),
  parent_id   uuid references categories(id),
  position    integer not null default 0,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  check (parent_id is distinct from id)
);
create index categories_by_parent on categories (parent_id, position);

-- The tree never gets a cycle, whatever the code does: a new parent may not be the category or one of its descendants.
create function categories_refuse_cycles() returns trigger language plpgsql as $$
begin
  if new.parent_id is not null and exists (
    with recursive up(id, depth) as (
      select new.parent_id, 1
      union
      select c.parent_id, up.depth + 1 from categories c join up on c.id = up.id where c.parent_id is not null and up.depth < 64
    )
    select 1 from up where up.id = new.id
  ) then
    raise exception 'category % would become its own ancestor', new.id using errcode = 'check_violation', constraint = 'categories_no_cycle';
  end if;
  return new;
end $$;
create trigger categories_no_cycle before insert or update of parent_id on categories
  for each row execute function categories_refuse_cycles();

-- Names of a category and its ancestors, for the category weight of product search.
create function category_path_names(p_category uuid) returns text language sql stable as $$
  with recursive up(id, parent_id, name, depth) as (
    select id, parent_id, name, 0 from categories where id = p_category
    union all
    select c.id, c.parent_id, c.name, up.depth + 1 from categories c join up on c.id = up.parent_id where up.depth < 64
  )
  select coalesce(string_agg(name, ' '), '') from up
$$;

-- Search weights: name (A) over category (B) over description (C).
create function product_search_vector(p_name text, p_category uuid, p_description text) returns tsvector language sql stable as $$
  select setweight(to_tsvector('english', p_name), 'A')
      || setweight(to_tsvector('english', category_path_names(p_category)), 'B')
      || setweight(to_tsvector('english', p_description), 'C')
$$;

-- Words of product and category names, each trigram-indexed: a query word with a typo is matched to the words it is close to.
create table search_words (
  word text primary key
);
create index search_words_trgm on search_words using gin (word gin_trgm_ops);

create function remember_search_words(p_text text) returns void language sql as $$
  insert into search_words (word)
  select distinct w from regexp_split_to_table(lower(p_text), '[^[:alnum:]]+') w where length(w) between 2 and 40
  on conflict do nothing
$$;

create table products (
  id           uuid primary key,
  slug         text not null check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 120),
  name         text not null check (length(name) between 1 and 200),
  description  text not null default '',
  status       text not null default 'draft' check (status in ('draft', 'active', 'archived')),
  category_id  uuid references categories(id),
  currency     text not null check (currency ~ '^[A-Z]{3}$'),
  -- [{ "uri": "gs://bucket/products/x.jpg", "alt": "..." }] in display order
  images       jsonb not null default '[]'::jsonb,
  -- option names in display order, e.g. ["colour", "size"] (jsonb objects do not keep key order)
  option_names jsonb not null default '[]'::jsonb,
  -- lowest and highest variant price, kept with every variant write, for listing filters and sorts
  price_min    bigint not null check (price_min >= 0),
  price_max    bigint not null check (price_max >= price_min),
  version      integer not null default 1 check (version >= 1),
  search       tsvector not null default ''::tsvector,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  deleted_at   timestamptz,
  -- target of the variants' (product_id, currency) key: every variant shares its product's currency
  unique (id, currency)
);
-- A slug names one live product; a deleted product keeps its slug until restored.
create unique index products_slug_live on products (slug) where deleted_at is null;
create index products_search on products using gin (search);
create index products_by_category on products (category_id);
create index products_newest on products (created_at desc, id desc) where status = 'active' and deleted_at is null;
create index products_by_price on products (price_min, id) where status = 'active' and deleted_at is null;
create index products_admin_order on products (created_at desc, id desc);

create function products_refresh_search() returns trigger language plpgsql as $$
begin
  new.search := product_search_vector(new.name, new.category_id, new.description);
  perform remember_search_words(new.name);
  return new;
end $$;
create trigger products_search before insert or update of name, description, category_id on products
  for each row execute function products_refresh_search();

create function categories_remember_words() returns trigger language plpgsql as $$
begin
  perform remember_search_words(new.name);
  return new;
end $$;
create trigger categories_words after insert or update of name on categories
  for each row execute function categories_remember_words();

create table variants (
  sku          text primary key check (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$' and length(sku) <= 64),
  product_id   uuid not null,
  currency     text not null,
  -- option values, e.g. { "colour": "black", "size": "M" }
  options      jsonb not null default '{}'::jsonb,
  price_minor  bigint not null check (price_minor >= 0 and price_minor <= 10000000000),
  position     integer not null,
  foreign key (product_id, currency) references products (id, currency) on update cascade
);
create index variants_by_product on variants (product_id, position);

-- Stock as inventory events last reported it, per SKU and warehouse; an older event never overwrites a newer one.
create table stock_levels (
  sku          text not null,
  warehouse_id text not null,
  available    integer not null,
  on_hand      integer not null,
  reserved     integer not null,
  event_time   timestamptz not null,
  updated_at   timestamptz not null default now(),
  primary key (sku, warehouse_id)
);

-- Sellable units of a SKU across warehouses, kept in the transaction that changes a level.
create table sku_stock (
  sku       text primary key,
  available integer not null check (available >= 0)
);

-- Units sold per product, from paid orders (best sellers).
create table product_sales (
  product_id uuid primary key,
  units      bigint not null default 0 check (units >= 0),
  updated_at timestamptz not null default now()
);

create table import_jobs (
  id             uuid primary key,
  source         text not null,
  dry_run        boolean not null,
  status         text not null check (status in ('queued', 'running', 'succeeded', 'failed')),
  actor          text not null,
  total_rows     integer,
  processed_rows integer not null default 0,
  created_rows   integer not null default 0,
  updated_rows   integer not null default 0,
  unchanged_rows integer not null default 0,
  failed_rows    integer not null default 0,
  errors         jsonb not null default '[]'::jsonb,
  failure        text,
  created_at     timestamptz not null default now(),
  started_at     timestamptz,
  finished_at    timestamptz
);
create index import_jobs_queued on import_jobs (created_at) where status = 'queued';
