// Measures what a visitor waits for and downloads (issue 5's speed targets; reported, never
// asserted): cold load of the default page to the first ACDC event on the local server, and the
// gzip transfer size of everything the page loads. Run after `npm run build:web`:
//   node scripts/bench-page.mjs [cpu|auto]
import { gzipSync } from 'node:zlib';
import { launchBrowser, startServer } from '../tests/e2e/harness.mjs';

const backend = process.argv[2] ?? 'cpu';
const server = await startServer();
const browser = await launchBrowser();
try {
  const page = await browser.context.newPage();
  let raw = 0;
  let gzip = 0;
  const sizes = [];
  page.context().on('response', async (response) => {
    try {
      const body = await response.body();
      raw += body.length;
      const z = gzipSync(body, { level: 9 }).length;
      gzip += z;
      sizes.push([z, new URL(response.url()).pathname]);
    } catch {
      // Redirects and aborted requests have no body.
    }
  });
  const started = Date.now();
  await page.goto(`${server.url}?backend=${backend}&autorun=1`);
  const remaining = page.getByTestId('remaining');
  await page.waitForFunction(
    (el) => {
      const m = /^(\d+) \/ (\d+)$/.exec(el?.textContent?.trim() ?? '');
      return m !== null && Number(m[1]) < Number(m[2]);
    },
    await remaining.elementHandle(),
    { timeout: 120_000 },
  );
  const firstEvent = Date.now() - started;
  await page.waitForLoadState('networkidle');
  sizes.sort((a, b) => b[0] - a[0]);
  console.log(`backend ${backend}: first ACDC event ${(firstEvent / 1000).toFixed(2)} s after navigation (target < 2 s)`);
  console.log(`transfer: ${(gzip / 1e6).toFixed(2)} MB gzip, ${(raw / 1e6).toFixed(2)} MB raw (target < 4 MB gzip)`);
  for (const [z, path] of sizes.slice(0, 6)) console.log(`  ${(z / 1e3).toFixed(1).padStart(8)} kB gzip  ${path}`);
} finally {
  await browser.close();
  await server.close();
}
