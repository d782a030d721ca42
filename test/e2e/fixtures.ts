import { test as base } from '@playwright/test';
import { DeskPage } from './pages/desk-page';

/**
 * `desk`: the app, opened on the shared browser host. Each test starts with no drop named in the
 * drop zone: a drop that ended with files not added is kept by the engine's journal for every
 * page until Forget (walk 25 B1), so an earlier test's would show on this test's page.
 */
export const test = base.extend<{ desk: DeskPage }>({
  desk: async ({ page }, use) => {
    const desk = new DeskPage(page);
    await desk.goto();
    const { drops } = await desk.invoke('drops:unfinished', undefined);
    if (drops.length > 0) {
      await desk.invoke('drops:forget', { dropIds: drops.map((d) => d.id) });
      await desk.goto();
    }
    await use(desk);
  },
});

export { expect } from '@playwright/test';
