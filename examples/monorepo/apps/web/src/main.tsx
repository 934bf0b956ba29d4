import { createRoot } from 'react-dom/client';

async function loadAll(ids: string[]) {
  const out = [];
  for (const id of ids) out.push(await (await fetch(`https://api.acme.dev/users/${id}`)).json());
  return out;
}

createRoot(document.getElementById('root')!).render(<main onClick={() => loadAll(new URLSearchParams(location.search).getAll('id'))}>acme</main>);
