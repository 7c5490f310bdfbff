import type { Frame, Page } from 'playwright-core';

/** The inner frame of the webview whose page shows `view` (webviews are nested iframes). */
export async function webviewFrame(page: Page, view: string, timeoutMs = 60_000): Promise<Frame> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      const n = await f
        .locator(`body[data-view="${view}"] #app .view`)
        .count()
        .catch(() => 0);
      if (n > 0) return f;
    }
    if (Date.now() > until) throw new Error(`no webview frame shows the ${view} view`);
    await page.waitForTimeout(200);
  }
}
