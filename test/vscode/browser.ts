/** Launches Debian's Chromium through playwright-core, tracked for cleanup by pid. */
import { Browser, BrowserServer, chromium } from 'playwright-core';
import { CHROMIUM } from './install';
import { stopGroup, trackGroup } from './processes';

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<LaunchedBrowser> {
  // launchServer gives us the browser's process (Playwright starts it as a process-group leader,
  // with a fresh temporary profile), so it can be killed by pid whatever happens.
  const server: BrowserServer = await chromium.launchServer({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    timeout: 60_000,
  });
  const proc = server.process();
  trackGroup(proc.pid);
  const browser = await chromium.connect(server.wsEndpoint(), { timeout: 60_000 });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await server.close().catch(() => undefined);
      await stopGroup(proc, 2000);
    },
  };
}
