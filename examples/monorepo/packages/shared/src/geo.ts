/** The country of each IP: one lookup per IP, all at once. */
export async function locateAll(ips: string[]) {
  return Promise.all(ips.map((ip) => fetch(`https://geo.example.com/${ip}`).then((r) => r.json())));
}
