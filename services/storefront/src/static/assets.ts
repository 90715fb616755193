import { createHash } from 'node:crypto';
import { Router } from 'express';
import { IMMUTABLE } from '../domain/cache-policy';
import { SCRIPT } from './script';
import { STYLES } from './styles';

export interface Asset {
  /** `/static/<name>.<content hash>.<ext>`: a new build gets new names, so the old ones can be cached forever. */
  path: string;
  type: string;
  body: Buffer;
}

export interface StaticAssets {
  css: Asset;
  js: Asset;
  router: Router;
}

function asset(name: string, ext: string, type: string, text: string): Asset {
  const body = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  return { path: `/static/${name}.${hash}.${ext}`, type, body };
}

/** The stylesheet and script under hashed names, served `immutable`; any other /static/ path is a 404 nobody keeps. */
export function staticAssets(): StaticAssets {
  const css = asset('app', 'css', 'text/css; charset=utf-8', STYLES);
  const js = asset('app', 'js', 'text/javascript; charset=utf-8', SCRIPT);
  const router = Router();
  for (const a of [css, js]) {
    router.get(a.path, (_req, res) => {
      res.set({ 'Cache-Control': IMMUTABLE, 'Content-Type': a.type, Vary: 'Accept-Encoding' }).send(a.body);
    });
  }
  router.use('/static', (_req, res) => {
    // An old name during a rolling deploy: never cached, so the next try can reach a pod that has it.
    res.status(404).set('Cache-Control', 'no-store').type('text/plain').send('Not found');
  });
  return { css, js, router };
}
