import { buildWebApp, scratchDir, startWebServer, type WebServer } from '@docstore/devstack';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium, headless as root: what `.ci/run` installs (STACK.md). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface WebUnderTest {
  web: WebServer;
  browser: Browser;
  /** Closes the browser, stops the web server and removes the built app. */
  stop(): Promise<void>;
}

/**
 * The web app built to a scratch folder, served in front of the metadata service at `metadataUrl`,
 * and a headless Chromium to drive it. `launch()` gives every run a fresh temporary profile
 * (user-data-dir) and removes it on close.
 */
export async function startWebUnderTest(name: string, metadataUrl: string): Promise<WebUnderTest> {
  const dir = await scratchDir(name);
  await buildWebApp(`${dir.path}/dist`);
  const web = await startWebServer({ metadataUrl, root: `${dir.path}/dist` });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    web,
    browser,
    async stop() {
      await browser.close();
      await web.stop();
      await dir.remove();
    },
  };
}
