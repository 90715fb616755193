import { chromium, type Browser, type Page } from 'playwright-core';
import { TEST_CARDS } from '@shop/contracts';
import { seedShop, startShop, waitFor, WAREHOUSE, type Shop } from './support/shop';

let shop: Shop;
let browser: Browser;

beforeAll(async () => {
  shop = await startShop({ name: 'browser' });
  await seedShop(shop);
  browser = await chromium.launch({
    // Debian's Chromium here; CI on GitHub's runners points this at their preinstalled Chrome.
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shop?.close();
});

const eventsOfType = (type: string) => shop.activityEvents.filter((e) => e.type === `activity.${type}`);

async function fillCheckout(page: Page, cardNumber: string): Promise<void> {
  await page.getByLabel('Email').fill('ada@example.com');
  await page.getByLabel('Full name').fill('Ada Lovelace');
  await page.getByLabel('Address', { exact: true }).fill('12 St James Square');
  await page.getByLabel('Town or city').fill('London');
  await page.getByLabel('Postal code').fill('SW1Y 4JH');
  await page.getByLabel('Country').selectOption('GB');
  await page.getByLabel('Card number').fill(cardNumber);
  await page.getByLabel('Expiry date (MM/YY)').fill('12/39');
  await page.getByLabel('Security code (CVC)').fill('123');
}

it('browses, searches with a typo, keeps stock live, adds to the cart and checks out with the approved test card', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const failures: string[] = [];
  page.on('pageerror', (err) => failures.push(err.message));
  try {
    await page.goto(`${shop.url}/`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome to Shop');
    await page.getByRole('navigation', { name: 'Categories' }).getByRole('link', { name: 'Apparel' }).click();
    await page.waitForURL(/\/c\/apparel$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Apparel');
    expect(await page.getByRole('link', { name: /Classic Tee/ }).count()).toBe(1);

    await page.getByLabel('Search products').fill('clasic te');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\/search\?q=clasic/);
    await page.getByRole('link', { name: /Classic Tee/ }).click();
    await page.waitForURL(/\/p\/classic-tee$/);

    // The live region follows inventory: receiving stock for the chosen size changes what it says.
    const status = page.locator('#stock-status');
    await page.getByLabel('Colour: black, Size: L').check();
    await waitFor('the live stock of size L', async () => (await status.textContent()) === 'Colour: black, Size: L: Only 3 left', 10_000);
    expect((await shop.inventoryAdmin('POST', '/v1/stock/receive', { warehouseId: WAREHOUSE, sku: 'TEE-BLK-L', quantity: 10 })).status).toBe(201);
    await waitFor('the live stock update', async () => (await status.textContent()) === 'Colour: black, Size: L: In stock', 10_000);

    await page.getByLabel('Quantity').fill('2');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart\?notice=added$/);
    expect(await page.getByRole('status').first().textContent()).toContain('Added to your cart.');
    expect(await page.getByLabel('Quantity of Classic Tee').inputValue()).toBe('2');

    await page.getByRole('link', { name: 'Go to checkout' }).click();
    await page.waitForURL(/\/checkout$/);
    const approved = await page.getByText(/^Approved:/).locator('code').textContent();
    expect(approved).toBe(TEST_CARDS.approved);
    await fillCheckout(page, approved!);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/orders\/[A-Z0-9]{4}-[A-Z0-9]{4}\?placed=1$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Thank you for your order');
    const number = /\/orders\/([A-Z0-9-]+)/.exec(page.url())![1]!;
    expect(await page.getByRole('status').textContent()).toContain(number);
    expect(await page.getByRole('table').textContent()).toContain('Classic Tee');

    // The order is real: orders has it, paid, with the two shirts.
    const order = await shop.ordersAdmin('GET', `/v1/orders/lookup?number=${number}&email=ada%40example.com`);
    expect(order.status).toBe(200);
    expect(order.body).toMatchObject({ number, status: 'paid', lines: [expect.objectContaining({ sku: 'TEE-BLK-L', quantity: 2 })] });
    await waitFor('the purchase to reach the activity service', () => eventsOfType('purchase_completed').some((e) => (e.data as { sku: string }).sku === 'TEE-BLK-L'));
    // The page beacon of the real browser arrived too, for the same shopper as the server's events.
    const purchase = eventsOfType('purchase_completed').find((e) => (e.data as { sku: string }).sku === 'TEE-BLK-L')!;
    const shopperId = (purchase.data as { shopperId: string }).shopperId;
    await waitFor('the beacon events', () => eventsOfType('product_viewed').some((e) => (e.data as { shopperId: string }).shopperId === shopperId), 10_000);
    expect(eventsOfType('search_performed').some((e) => (e.data as { query: string; shopperId: string }).query === 'clasic te' && (e.data as { shopperId: string }).shopperId === shopperId)).toBe(true);
    expect(failures).toEqual([]);
  } finally {
    await context.close();
  }
}, 90_000);

it('explains a declined card next to the form and puts the held stock back on sale', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    const before = await shop.available('MUG-ENA');
    await page.goto(`${shop.url}/p/enamel-mug`);
    await page.getByLabel('Quantity').fill('3');
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.waitForURL(/\/cart\?notice=added$/);
    await page.getByRole('link', { name: 'Go to checkout' }).click();
    await fillCheckout(page, TEST_CARDS.declined);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForLoadState('domcontentloaded');

    const alert = page.getByRole('alert');
    expect(await alert.getByRole('heading').textContent()).toBe('Your card was declined');
    expect(await alert.textContent()).toContain('You have not been charged');
    // What the shopper typed is still there, except the security code.
    expect(await page.getByLabel('Email').inputValue()).toBe('ada@example.com');
    expect(await page.getByLabel('Security code (CVC)').inputValue()).toBe('');
    await waitFor('the held mugs back on sale', async () => (await shop.available('MUG-ENA')) === before);

    // Another card on the same page places the order.
    await page.getByLabel('Card number').fill(TEST_CARDS.approved);
    await page.getByLabel('Security code (CVC)').fill('123');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/orders\/[A-Z0-9]{4}-[A-Z0-9]{4}\?placed=1$/);
    expect(await shop.available('MUG-ENA')).toBe(before - 3);
  } finally {
    await context.close();
  }
}, 60_000);
