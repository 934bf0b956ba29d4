import express from 'express';

const app = express();
app.get('/report', async (_req, res) => {
  const rows = [];
  for (const day of ['mon', 'tue']) rows.push(await (await fetch(`http://localhost:8787/stats/${day}`)).json());
  res.json(rows);
});
app.listen(3000);
