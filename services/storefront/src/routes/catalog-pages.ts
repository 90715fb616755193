import { Router, type Request, type Response } from 'express';
import { productPageSchema, slugSchema, type ProductPage } from '@shop/contracts';
import { problems, ServiceCallError } from '@shop/kit';
import { listingHref, readListing, readSearchQuery, type ListingErrors, type ListingRequest } from '../domain/listing';
import { readThrough } from '../http/read-through';
import { alsoViewedFor } from '../recommendations/also-viewed';
import { homePage } from '../render/pages/home';
import { categoryPage, searchPage, type ListingView } from '../render/pages/listing';
import { productPage } from '../render/pages/product';
import { chromeOf, type RouteContext } from './context';

const FEATURED_COUNT = 8;
const ALSO_VIEWED_COUNT = 4;

/** A slug that cannot exist is a page that does not exist, not a malformed request. */
function slugOf(req: Request): string {
  const parsed = slugSchema.safeParse(req.params.slug);
  if (!parsed.success) throw problems.notFound(`Page ${req.path}`);
  return parsed.data;
}

/** Asks the catalog for a listing page; a cursor it does not accept becomes a field error. */
async function fetchListing(ctx: RouteContext, listing: ListingRequest, extra: { category?: string; q?: string }): Promise<ProductPage | null> {
  try {
    return await ctx.catalog.products({ ...listing.catalog, ...extra });
  } catch (err) {
    if (err instanceof ServiceCallError && err.status === 400) {
      listing.errors.cursor = 'is not a page link this shop made (or it has expired)';
      return null;
    }
    throw err;
  }
}

function listingView(path: string, currency: string, q: string | null, listing: ListingRequest, page: ProductPage | null): ListingView {
  return {
    path,
    currency,
    q,
    filters: listing.filters,
    errors: listing.errors,
    products: page?.items ?? [],
    nextHref: page?.nextCursor ? listingHref(path, q, listing.filters, page.nextCursor) : null,
    firstHref: listing.filters.cursor ? listingHref(path, q, listing.filters, null) : null,
  };
}

const statusOf = (errors: ListingErrors): number => (Object.keys(errors).length > 0 ? 400 : 200);

/** Home, category, search and product pages: the same for every shopper, so Cloud CDN caches them. */
export function catalogPages(ctx: RouteContext): Router {
  const router = Router();
  const currency = ctx.settings.STORE_CURRENCY;
  const pageSize = ctx.settings.LISTING_PAGE_SIZE;

  router.get('/', async (_req: Request, res: Response) => {
    const [categories, featured] = await Promise.all([
      ctx.categories(),
      readThrough(ctx.cache, 'storefront:featured', ctx.settings.CATALOG_CACHE_SECONDS, productPageSchema, () => ctx.catalog.products({ sort: 'best_selling', limit: FEATURED_COUNT }), ctx.logger),
    ]);
    ctx.pages.public(res, 200, homePage(await chromeOf(ctx, categories), categories, featured.items));
  });

  router.get('/c/:slug', async (req: Request, res: Response) => {
    const slug = slugOf(req);
    const categories = await ctx.categories();
    const category = categories.find((c) => c.slug === slug);
    if (!category) throw problems.notFound(`Category ${slug}`);
    const listing = readListing(req.query, { currency, pageSize, search: false });
    const page = Object.keys(listing.errors).length ? null : await fetchListing(ctx, listing, { category: slug });
    const view = listingView(`/c/${slug}`, currency, null, listing, page);
    ctx.pages.public(res, statusOf(listing.errors), categoryPage(await chromeOf(ctx, categories), category, view));
  });

  router.get('/search', async (req: Request, res: Response) => {
    const errors: ListingErrors = {};
    const q = readSearchQuery(req.query, errors);
    const listing = readListing(req.query, { currency, pageSize, search: true }, errors);
    const page = q === null || Object.keys(errors).length ? null : await fetchListing(ctx, listing, { q });
    const view = listingView('/search', currency, q, listing, page);
    // Counted once per search, on its first page.
    const resultCount = page && !listing.filters.cursor ? page.items.length : null;
    ctx.pages.public(res, statusOf(errors), searchPage(await chromeOf(ctx), view, resultCount));
  });

  router.get('/p/:slug', async (req: Request, res: Response) => {
    const slug = slugOf(req);
    const product = await ctx.catalog.product(slug);
    if (!product || product.status !== 'active') throw problems.notFound(`Product ${slug}`);
    const [stock, alsoViewed, chrome] = await Promise.all([
      ctx.inventory.availability(product.variants.map((v) => v.sku)).then(
        (totals) => new Map(totals.map((t) => [t.sku, t.available])),
        (err: unknown) => {
          // The catalog's last reported stock stands in; the live stream corrects it in the browser.
          ctx.logger.warn({ err, slug }, 'availability unavailable; product page shows catalog stock');
          return new Map<string, number>();
        },
      ),
      alsoViewedFor(product, ALSO_VIEWED_COUNT, ctx.alsoViewed, ctx.catalog, ctx.logger),
      chromeOf(ctx),
    ]);
    ctx.pages.public(res, 200, productPage(chrome, { product, stock, alsoViewed }));
  });

  return router;
}
