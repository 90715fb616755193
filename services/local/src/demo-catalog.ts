import { DEMO_SKUS } from './seed';

/** The demo shop's category tree, parents before children. */
export const DEMO_CATEGORIES: ReadonlyArray<{ slug: string; name: string; parent?: string }> = [
  { slug: 'clothing', name: 'Clothing' },
  { slug: 't-shirts', name: 'T-shirts', parent: 'clothing' },
  { slug: 'hoodies', name: 'Hoodies', parent: 'clothing' },
  { slug: 'jeans', name: 'Jeans', parent: 'clothing' },
  { slug: 'shoes', name: 'Shoes' },
  { slug: 'accessories', name: 'Accessories' },
  { slug: 'home', name: 'Home' },
];

interface DemoVariant {
  sku: string;
  options: Record<string, string>;
}

export interface DemoProduct {
  slug: string;
  name: string;
  category: string;
  description: string;
  priceMinor: number;
  /** Fill colour of the generated product picture. */
  colour: string;
  variants: DemoVariant[];
}

const COLOURS: Record<string, string> = { BLK: 'black', WHT: 'white', NVY: 'navy', GRY: 'grey', RED: 'red', BLU: 'blue', OLV: 'olive' };
const SWATCH: Record<string, string> = { black: '#222', white: '#eee', navy: '#1f2a5a', grey: '#888', red: '#b32', blue: '#2a6fb3', olive: '#6b7030' };

/** The demo SKUs of a prefix, each with its option values read from the SKU's parts. */
function variantsOf(prefix: string, options: (parts: string[]) => Record<string, string>): DemoVariant[] {
  return DEMO_SKUS.filter((sku) => sku.startsWith(`${prefix}-`)).map((sku) => ({ sku, options: options(sku.slice(prefix.length + 1).split('-')) }));
}

const colourAndSize = ([colour = '', size = '']: string[]) => ({ colour: COLOURS[colour] ?? colour.toLowerCase(), size });

/** Products over the inventory's demo SKUs, so every variant the shop sells has stock somewhere. */
export const DEMO_PRODUCTS: readonly DemoProduct[] = [
  { slug: 'classic-tee', name: 'Classic Tee', category: 't-shirts', description: 'Heavyweight organic cotton crew neck that keeps its shape wash after wash.', priceMinor: 1999, colour: '#1f2a5a', variants: variantsOf('TEE', colourAndSize) },
  { slug: 'everyday-hoodie', name: 'Everyday Hoodie', category: 'hoodies', description: 'Brushed fleece hoodie with a lined hood and a kangaroo pocket.', priceMinor: 4999, colour: '#888', variants: variantsOf('HOODIE', colourAndSize) },
  { slug: 'slim-jeans', name: 'Slim Jeans', category: 'jeans', description: 'Stretch denim in a slim, tapered fit.', priceMinor: 5999, colour: '#2a4f7a', variants: variantsOf('JEANS-SLIM', ([waist = '']) => ({ waist })) },
  { slug: 'road-runner-sneaker', name: 'Road Runner Sneaker', category: 'shoes', description: 'Light running shoe with a cushioned sole for daily miles.', priceMinor: 8999, colour: '#b32', variants: variantsOf('SNEAKER-RUN', ([size = '']) => ({ size })) },
  { slug: 'classic-cap', name: 'Classic Cap', category: 'accessories', description: 'Six-panel cotton cap with an adjustable strap.', priceMinor: 1499, colour: '#222', variants: variantsOf('CAP', ([colour = '']) => ({ colour: COLOURS[colour] ?? colour })) },
  { slug: 'sport-socks-3-pack', name: 'Sport Socks (3 pack)', category: 'accessories', description: 'Cushioned cotton-blend socks, three pairs.', priceMinor: 999, colour: '#eee', variants: variantsOf('SOCKS-3PK', ([size = '']) => ({ size })) },
  { slug: 'ceramic-mug', name: 'Ceramic Mug', category: 'home', description: 'Stoneware mug, 350 ml, dishwasher safe.', priceMinor: 1299, colour: '#2a6fb3', variants: variantsOf('MUG-CERAMIC', ([colour = '']) => ({ colour: COLOURS[colour] ?? colour })) },
  { slug: 'steel-bottle', name: 'Steel Bottle 750 ml', category: 'home', description: 'Insulated stainless steel bottle: cold for a day, hot for half.', priceMinor: 2499, colour: '#6b7030', variants: [{ sku: 'BOTTLE-STEEL-750', options: {} }] },
  { slug: 'city-backpack', name: 'City Backpack', category: 'accessories', description: 'Water-resistant 20 l backpack with a padded laptop sleeve.', priceMinor: 6999, colour: '#6b7030', variants: variantsOf('BACKPACK-CITY', ([colour = '']) => ({ colour: COLOURS[colour] ?? colour })) },
];

export const DEMO_CURRENCY = 'EUR';

/** Where a product's picture lives in the image bucket (served at /assets/<path>). */
export const demoImagePath = (product: DemoProduct): string => `products/${product.slug}.svg`;

const escapeXml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A simple picture of the product: its name on its colour. */
export function demoImage(product: DemoProduct): string {
  const fill = SWATCH[Object.values(product.variants[0]?.options ?? {})[0] ?? ''] ?? product.colour;
  const ink = ['#eee', '#888'].includes(fill) ? '#222' : '#fff';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="480" viewBox="0 0 480 480"><rect width="480" height="480" fill="${fill}"/><text x="240" y="250" font-family="sans-serif" font-size="32" text-anchor="middle" fill="${ink}">${escapeXml(product.name)}</text></svg>`;
}

/** One CSV field, quoted when it needs to be. */
const field = (value: string): string => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * The demo products as the catalog's CSV import takes them: one row per variant, product columns
 * repeated, images in the given bucket.
 */
export function demoCatalogCsv(imagesBucket: string): string {
  const header = ['product_slug', 'product_name', 'currency', 'sku', 'price_minor', 'options', 'status', 'category_slug', 'description', 'images'];
  const rows = DEMO_PRODUCTS.flatMap((p) =>
    p.variants.map((v) => [
      p.slug,
      p.name,
      DEMO_CURRENCY,
      v.sku,
      String(p.priceMinor),
      Object.entries(v.options).map(([k, value]) => `${k}=${value}`).join(';'),
      'active',
      p.category,
      p.description,
      `gs://${imagesBucket}/${demoImagePath(p)}|${p.name}`,
    ]),
  );
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\n') + '\n';
}
