import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests of the renderer against the real browser host (`dist/cli.cjs serve`, with the
 * in-process sandbox access point), started once by the global setup.
 */
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  globalSetup: './test/e2e/global-setup.ts',
  // One worker: a 2-core machine runs the host, the engine and Chromium at once.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e/results.json' }]],
  use: {
    headless: true,
    viewport: { width: 1400, height: 900 },
    // Amounts are shown in the user's locale: the tests read them in one.
    locale: 'en-US',
    acceptDownloads: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium by default; CHROMIUM_PATH for another build (never a downloaded one).
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
  },
});
