import express from 'express';

/**
 * The HTTP ceiling of this machine for the benchmark: Express 5 parsing a JSON body and answering
 * 201, with no auth, validation or database. Run as its own process like the service.
 */
const app = express();
app.use(express.json());
app.post('/v1/reservations', (req, res) => {
  res.status(201).json({ id: 'bare', reference: (req.body as { reference?: string }).reference ?? null });
});
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.listen(Number(process.env.PORT), '127.0.0.1');
