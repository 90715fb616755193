import type { Part } from './hub';

export interface BannerInfo {
  parts: readonly Part[];
  operatorToken: { warehouse: string; token: string };
  adminToken: string;
  tokenTtlHours: number;
  seed: string;
  exampleUrl: string;
  /** Whether stopping also shuts down a Postgres server this process started. */
  ownsPostgres: boolean;
}

/** The marker line that tells people (and the start-up test) the platform is ready. */
export const READY_LINE = 'Shop platform is running.';

/** What a person needs after `npm start`: where everything is, tokens to try it, how to stop. */
export function renderBanner(info: BannerInfo): string {
  const width = Math.max(...info.parts.map((p) => p.name.length));
  const rows = info.parts.map((p) => `  ${p.name.padEnd(width)}  ${p.location}${p.note ? `  (${p.note})` : ''}`);
  return [
    '',
    READY_LINE,
    '',
    ...rows,
    '',
    `Demo data: ${info.seed}`,
    '',
    `Development tokens (valid ${info.tokenTtlHours} h; more at the hub's /dev/token):`,
    `  operator at ${info.operatorToken.warehouse} (warehouse user):`,
    `    ${info.operatorToken.token}`,
    '  admin, all warehouses:',
    `    ${info.adminToken}`,
    '',
    'Try:',
    `  curl -H "Authorization: Bearer <operator token>" '${info.exampleUrl}'`,
    '',
    `Stop with Ctrl-C (or SIGTERM): the API drains${info.ownsPostgres ? ', then Postgres shuts down cleanly' : ' and database connections close'}.`,
    '',
  ].join('\n');
}
