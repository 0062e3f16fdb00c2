#!/usr/bin/env node
// The installed `docstore` command runs the compiled CLI (`pnpm build` makes dist/; in the
// workspace, `pnpm docstore` runs the sources instead). main.js checks the Node version first.
import '../dist/main.js';
