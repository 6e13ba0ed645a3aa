// The web page in a real browser (run by PageInBrowserTest with: node page.mjs URL SCREENSHOT_DIR).
// Playwright drives Debian's chromium: pick a language, type, fill the glossary, translate, watch the output stream.
import { chromium } from "playwright-core";

const [url, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run"],
});
const report = {};
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const offsite = [];
  page.on("request", (r) => { if (!r.url().startsWith(url)) offsite.push(r.url()); });
  // The demo model is random with tied embeddings: after a translation prompt it repeats the prompt's last
  // token, a special one, which decodes to nothing. The test adds ignore_eos and a strong repetition penalty to
  // what the page sends, so that visible text streams. Everything else is the page's own request.
  const sent = [];
  await page.route("**/v1/translate", async (route) => {
    const body = JSON.parse(route.request().postData());
    sent.push(body);
    await route.continue({ postData: JSON.stringify({ ...body, ignore_eos: true, repetition_penalty: 2 }) });
  });
  await page.goto(url + "/");
  await page.waitForSelector("#status.ok", { timeout: 60000 });
  report.targetOptions = await page.locator("#target option").count();
  report.sourceOptions = await page.locator("#source option").count();
  report.firstSource = await page.locator("#source option").first().textContent();
  await page.selectOption("#target", "de");
  await page.click("#more-box summary");
  await page.fill("#max-tokens", "24");
  await page.fill("#text", "Open the file and select a magnification for the print preview.");
  await page.click("#glossary-box summary");
  await page.fill(".term input >> nth=0", "file");
  await page.fill(".term input >> nth=1", "Datei");
  // Count the output's changes while it streams.
  await page.evaluate(() => {
    window.__changes = 0;
    window.__sawStreaming = false;
    new MutationObserver(() => {
      window.__changes++;
      if (document.getElementById("output").classList.contains("streaming")) window.__sawStreaming = true;
    }).observe(document.getElementById("output"), { childList: true, characterData: true, subtree: true, attributes: true });
  });
  await page.click("#translate");
  await page.waitForFunction(() => document.getElementById("stats").textContent.includes("tokens"), null, { timeout: 60000 });
  report.changes = await page.evaluate(() => window.__changes);
  report.sawStreaming = await page.evaluate(() => window.__sawStreaming);
  report.output = await page.locator("#output").textContent();
  report.stats = await page.locator("#stats").textContent();
  report.detected = await page.locator("#detected").textContent();
  report.copyEnabled = await page.locator("#copy").isEnabled();
  report.sent = sent[0];
  await page.screenshot({ path: shots + "/page-desktop.png", fullPage: true });

  // Keyboard only: Ctrl+Enter translates again from the text box.
  await page.focus("#text");
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction(() => document.getElementById("stats").textContent.includes("tokens")
      && !document.getElementById("output").classList.contains("streaming"), null, { timeout: 60000 });
  report.keyboardRequests = sent.length;

  // Phone width: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  report.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: shots + "/page-phone.png", fullPage: true });
  report.offsite = offsite;
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
