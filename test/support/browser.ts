import { buildWebApp, scratchDir, startWebServer, type WebServer } from '@docstore/devstack';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';

/** Debian's Chromium, headless as root: what `.ci/run` installs (STACK.md). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

interface WebUnderTest {
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
async function startWebUnderTest(name: string, metadataUrl: string): Promise<WebUnderTest> {
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

/**
 * The web app and a browser for one test file: started before its tests against the suite's
 * metadata service, stopped after them. Read `web` and `browser` inside tests (set by then).
 */
export function useWebUnderTest(name: string): { readonly web: WebServer; readonly browser: Browser } {
  let started: WebUnderTest | undefined;
  beforeAll(async () => {
    started = await startWebUnderTest(name, inject('metadataUrl'));
  });
  afterAll(() => started?.stop());
  const get = () => {
    if (!started) throw new Error('the web app is not started yet: use it inside a test');
    return started;
  };
  return {
    get web() {
      return get().web;
    },
    get browser() {
      return get().browser;
    },
  };
}
