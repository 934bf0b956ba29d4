// Run by hand against a local D1: `npm run seed`.
const names = JSON.parse(process.argv[2] ?? '[]') as string[];
for (const name of names) {
  await fetch('http://localhost:8787/users', { method: 'POST', body: JSON.stringify({ name }) });
}
