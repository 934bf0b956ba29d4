// A cron Worker deployed from the dashboard: no wrangler config in the repo.
// Its default export's `scheduled` handler marks it as Worker code.
export default {
  async scheduled(_controller, env) {
    const res = await fetch(`${env.DIGEST_API}/send`, { method: 'POST' });
    if (!res.ok) throw new Error(`digest failed: ${res.status}`);
  },
};
