import { expect, test } from '@playwright/test';

import { DeskPage } from './pages/desk-page';

// Walk 14: every page load logged two "404 (Not Found)" console errors for /favicon.ico. A clerk
// (or whoever supports one) opening the console should find nothing there on a healthy start.
test('opening the app asks for nothing that is not there and logs no error', async ({ page }) => {
  const failed: string[] = [];
  const errors: string[] = [];
  page.on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const desk = new DeskPage(page);
  await desk.goto();
  await page.waitForLoadState('networkidle');
  expect(failed).toEqual([]);
  expect(errors).toEqual([]);
});
