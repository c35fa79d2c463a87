// Renders content documents of an unzipped EPUB in headless Chromium, as a
// reading system would (the EPUB's own CSS and fonts, loaded from file://),
// and reports, as JSON on stdout, what Chromium drew them with.
//
//   node render.mjs OUT_DIR WIDTH HEIGHT FILE.xhtml…
//
// For each file: a screenshot of the whole page (OUT_DIR/<name>.png) and
// every element that holds text of its own, with the fonts Chromium used
// for that text (DevTools `CSS.getPlatformFontsForNode`: family, whether it
// is a web font the page loaded — `isCustomFont` — and the glyph count), its
// computed `direction` and `text-align`, and its line boxes (from a Range
// over its text): enough for the test to check that Arabic is set in the
// embedded fonts, right to left and justified.
//
// Chromium is Debian's (PUPPETEER_EXECUTABLE_PATH, else /usr/bin/chromium),
// run with a fresh profile and nothing that reaches the network.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const [outDir, width, height, ...files] = process.argv.slice(2);
if (!outDir || !files.length) {
  console.error('usage: node render.mjs OUT_DIR WIDTH HEIGHT FILE.xhtml…');
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), 'warraq-chromium-'));
const browser = await puppeteer.launch({
  executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
  headless: true,
  userDataDir: profile,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--allow-file-access-from-files',
  ],
});

try {
  const report = [];
  for (const file of files) {
    const page = await browser.newPage();
    await page.setViewport({ width: Number(width), height: Number(height), deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready);

    // Mark every element with text of its own, and measure it in the page.
    const elements = await page.evaluate(() => {
      const found = [];
      for (const element of document.body.querySelectorAll('*')) {
        const own = [...element.childNodes]
          .filter((n) => n.nodeType === Node.TEXT_NODE)
          .map((n) => n.data)
          .join('');
        if (!own.trim()) continue;
        const index = found.length;
        element.setAttribute('data-warraq-probe', String(index));
        const range = document.createRange();
        range.selectNodeContents(element);
        const style = getComputedStyle(element);
        found.push({
          tag: element.localName,
          text: own,
          direction: style.direction,
          textAlign: style.textAlign,
          fontFamily: style.fontFamily,
          // A forced line break ends a line short even in justified text.
          hasBreak: element.querySelector('br') !== null,
          box: (({ left, right, top, bottom }) => ({ left, right, top, bottom }))(
            element.getBoundingClientRect(),
          ),
          // One rectangle per line box and inline piece.
          lines: [...range.getClientRects()].map(({ left, right, top, bottom }) => ({
            left,
            right,
            top,
            bottom,
          })),
        });
      }
      return found;
    });

    const cdp = await page.createCDPSession();
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', {
      nodeId: root.nodeId,
      selector: '[data-warraq-probe]',
    });
    for (const nodeId of nodeIds) {
      const { attributes } = await cdp.send('DOM.getAttributes', { nodeId });
      const index = Number(attributes[attributes.indexOf('data-warraq-probe') + 1]);
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      elements[index].fonts = fonts;
    }

    // The whole page in one viewport: `fullPage` shifts a right-to-left
    // page sideways (its scroll origin is on the right).
    const pageHeight = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewport({
      width: Number(width),
      height: Math.max(Number(height), Math.ceil(pageHeight)),
      deviceScaleFactor: 1,
    });
    const screenshot = join(outDir, basename(file).replace(/\.xhtml$/, '.png'));
    await page.screenshot({ path: screenshot });
    report.push({ file, screenshot, elements });
    await page.close();
  }
  process.stdout.write(JSON.stringify(report));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
