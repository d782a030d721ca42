import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

const rendererRoot = fileURLToPath(new URL('./renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));
// The one CSP list (app/host/csp.ts explains); frame-ancestors works only as a header.
const CSP_PLACEHOLDER = '%PEPPOL_DESK_CSP%';
const metaPolicy = (
  JSON.parse(
    readFileSync(new URL('./app/host/csp-directives.json', import.meta.url), 'utf8'),
  ) as string[]
)
  .filter((d) => !d.startsWith('frame-ancestors'))
  .join('; ');

export default defineConfig({
  root: rendererRoot,
  // Relative asset paths: the same build is loaded from file:// in Electron and over HTTP by the browser host.
  base: './',
  plugins: [
    react(),
    {
      // index.html's CSP meta tag comes from the same list as Electron's header (app/host/csp.ts).
      name: 'peppol-desk-csp',
      transformIndexHtml: (html) => {
        if (!html.includes(CSP_PLACEHOLDER)) throw new Error('index.html has no CSP placeholder');
        return html.replace(CSP_PLACEHOLDER, metaPolicy);
      },
    },
  ],
  build: {
    outDir,
    emptyOutDir: true,
    sourcemap: true,
  },
});
