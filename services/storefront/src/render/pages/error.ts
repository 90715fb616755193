import { html, type Html } from '../html';
import { layout, type PageChrome } from '../layout';

export interface ErrorPageView {
  status: number;
  title: string;
  message: string;
}

export function errorPage(chrome: PageChrome, view: ErrorPageView): Html {
  const body = html`<h1>${view.title}</h1>
<p>${view.message}</p>
<p><a href="/">Go to the home page</a> or search for a product above.</p>`;
  return layout(chrome, { title: view.title, body, noindex: true });
}
