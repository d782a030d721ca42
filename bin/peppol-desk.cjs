#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.cjs');
if (!existsSync(cli)) {
  process.stderr.write('Peppol Desk is not built yet: run `npm run build` in its folder.\n');
  process.exit(2);
}
require(cli);
