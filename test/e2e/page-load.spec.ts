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

// CI run 117: a team was joined right after the page loaded, before its event stream had opened;
// the change's event was never heard and the page kept the old header for good. The page reads
// everything again once its stream opens.
test('a change made while the page’s event stream is still opening shows once it opens', async ({
  page,
}) => {
  // The event stream opens 1.5 s late; everything else as usual.
  await page.route('**/api/events*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue();
  });
  const desk = new DeskPage(page);
  await desk.goto();
  const state = page.getByTestId('connection-state');
  // The first reads are answered (the environment is known), not yet paused.
  await expect(page.getByTestId('env-badge')).toBeVisible();
  await expect(state).not.toContainText('Paused');
  try {
    await desk.invoke('queue:pause', undefined);
    await expect(state).toContainText('Paused');
  } finally {
    await desk.invoke('queue:resume', undefined);
  }
  await expect(state).not.toContainText('Paused');
});
