import express from 'express';

/**
 * The HTTP ceiling of this machine for the benchmarks: Express 5 answering with no auth,
 * validation, cache or database, run as its own process like the services. A POST parses its
 * JSON body and answers 201; a GET answers 200 with a JSON body of BARE_BODY_BYTES (so a read
 * can be compared with a bare answer of its own size).
 */
const app = express();
app.use(express.json());
const size = Number(process.env.BARE_BODY_BYTES ?? 64);
const body = JSON.stringify({ id: 'bare', padding: 'x'.repeat(Math.max(0, size - 30)) });
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.get('/{*path}', (_req, res) => {
  res.type('application/json').send(body);
});
app.post('/{*path}', (req, res) => {
  res.status(201).json({ id: 'bare', reference: (req.body as { reference?: string }).reference ?? null });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
