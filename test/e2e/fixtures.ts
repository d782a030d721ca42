import { test as base } from '@playwright/test';
import { DeskPage } from './pages/desk-page';

/** `desk`: the app, opened on the shared browser host. */
export const test = base.extend<{ desk: DeskPage }>({
  desk: async ({ page }, use) => {
    const desk = new DeskPage(page);
    await desk.goto();
    await use(desk);
  },
});

export { expect } from '@playwright/test';
