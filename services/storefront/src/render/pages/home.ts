import type { CategoryView, ProductSummary } from '@shop/contracts';
import { productGrid } from '../components';
import { html, type Html } from '../html';
import { layout, SHOP_NAME, type PageChrome } from '../layout';

export function homePage(chrome: PageChrome, categories: CategoryView[], featured: ProductSummary[]): Html {
  const top = categories.filter((c) => c.parentId === null);
  const body = html`<h1>Welcome to ${SHOP_NAME}</h1>
<section aria-labelledby="categories-heading">
  <h2 id="categories-heading">Shop by category</h2>
  ${top.length ? html`<ul>${top.map((c) => html`<li><a href="/c/${c.slug}">${c.name}</a></li>`)}</ul>` : html`<p>No categories yet.</p>`}
</section>
<section aria-labelledby="featured-heading">
  <h2 id="featured-heading">Featured products</h2>
  ${featured.length ? productGrid(featured, 'h3', 'Featured products') : html`<p>New products are on their way.</p>`}
</section>`;
  return layout(chrome, { title: 'Home', description: `${SHOP_NAME}: browse categories and featured products`, body });
}
