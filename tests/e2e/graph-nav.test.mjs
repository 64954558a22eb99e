// Moving about the graph as a person does: Ctrl + wheel zooms around the
// pointer (the point under it stays put), and a drag on the background pans.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPage, pageSession, screenshot } from './harness.mjs';

const session = pageSession();

test('Ctrl + wheel zooms around the pointer and a drag pans', { timeout: 180_000 }, async () => {
  const page = await openPage(session.browser.context, `${session.server.url}?backend=cpu`, 'graph-nav');
  const panel = page.getByTestId('graph-panel');
  const scroller = page.getByTestId('graph');
  const zoom = async () => Number(await panel.getAttribute('data-zoom'));
  const box = await scroller.boundingBox();
  assert.ok(box, 'the graph is on screen');
  const before = await zoom();
  // A node under the pointer: where it is drawn before and after the zoom.
  const node = page.locator('[data-testid="head"][data-key="head:1:4"]');
  const at = await node.boundingBox();
  assert.ok(at, 'the head is drawn');
  const cx = at.x + at.width / 2;
  const cy = at.y + at.height / 2;
  await page.mouse.move(cx, cy);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -400);
  await page.keyboard.up('Control');
  for (let i = 0; i < 100 && (await zoom()) <= before; i++) await new Promise((r) => setTimeout(r, 50));
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))); // the layers repaint
  const after = await zoom();
  assert.ok(after > before * 1.5, `zoomed in: ${before} → ${after}`);
  assert.match(await panel.locator('.zoom-label').innerText(), new RegExp(`^${Math.round(after * 100)}%$`));
  const moved = await node.boundingBox();
  assert.ok(moved, 'the head is still drawn');
  const drift = Math.hypot(moved.x + moved.width / 2 - cx, moved.y + moved.height / 2 - cy);
  assert.ok(drift < 6, `the head under the pointer stays put (moved ${drift.toFixed(1)} px)`);

  // Drag the background (between two columns) to the right: the view pans left.
  const left = await scroller.evaluate((e) => e.scrollLeft);
  assert.ok(left > 0, 'zoomed in, the graph scrolls');
  const start = { x: box.x + 20, y: box.y + box.height - 20 };
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + 60, start.y, { steps: 6 });
  await page.mouse.up();
  const panned = await scroller.evaluate((e) => e.scrollLeft);
  assert.ok(Math.abs(left - 60 - panned) <= 2, `panned by the drag: ${left} → ${panned}`);
  await screenshot(page, 'graph-zoomed');
  await page.close();
});
