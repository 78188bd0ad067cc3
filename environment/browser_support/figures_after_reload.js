// Drives Debian's headless Chromium (playwright-core) against a running classic notebook server; called by
// environment/test_figures_browser, which starts the server and writes figures.ipynb. Prints one JSON line of
// results and exits 0 when every check passed, 1 otherwise.
//   node figures_after_reload.js BASE_URL TOKEN NOTEBOOK_DIR
const { chromium } = require('playwright-core');

const { execFileSync } = require('child_process');
const [base, token, workDir] = process.argv.slice(2);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const results = { checks: [], external_requests: [], console_errors: [] };
let failed = 0;

function check(ok, what) {
  results.checks.push((ok ? 'ok    ' : 'FAIL  ') + what);
  console.error((ok ? 'ok    ' : 'FAIL  ') + what);
  if (!ok) failed++;
}

const RENDERED = 'div.fashion-plot[data-fashion-rendered]';

async function openNotebook(page, name = 'figures.ipynb') {
  await page.goto(`${base}notebooks/${name}?token=${token}`);
  await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded
      && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected(), null, { timeout: 180000 });
  await page.evaluate(() => Jupyter.notebook.set_autosave_interval(0)); // nothing saved unless the test saves
}

async function waitRendered(page, n, what) {
  try {
    await page.waitForFunction(([sel, k]) => document.querySelectorAll(sel).length >= k, [RENDERED, n],
      { timeout: 180000, polling: 250 });
  } catch (e) { /* counted below */ }
  await page.waitForTimeout(500);
  const count = await page.evaluate(sel => document.querySelectorAll(sel).length, RENDERED);
  const waiting = await page.evaluate(() => [...document.querySelectorAll('div.fashion-plot')]
    .filter(d => d.textContent.startsWith('Waiting for plotly.js')).length);
  check(count === n && waiting === 0, `${what}: ${count} of ${n} figures rendered (${waiting} waiting for plotly.js)`);
  return count;
}

(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
  const context = await browser.newContext();
  // offline: only the notebook server on this machine answers
  await context.route('**/*', route => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1' || host === 'localhost') return route.continue();
    results.external_requests.push(route.request().url());
    return route.abort();
  });
  let plotlyLoads = 0;
  context.on('request', r => { if (r.url().includes('/nbextensions/fashion-plotly/')) plotlyLoads++; });
  const page = await context.newPage();
  page.on('dialog', d => d.accept()); // "leave the page?" on reload
  page.on('console', m => { if (m.type() === 'error') results.console_errors.push(m.text().slice(0, 300)); });
  page.on('pageerror', e => results.console_errors.push(String(e).slice(0, 300)));

  // 0. a committed notebook opens clean: the kernel's kernelspec and language_info are what the file holds
  await openNotebook(page, 'clean.ipynb');
  await page.waitForTimeout(2000);
  check(await page.evaluate(() => !Jupyter.notebook.dirty), 'a committed notebook opens without unsaved changes');
  await page.evaluate(() => Jupyter.notebook.session.delete());

  // 1. a fresh session: run every cell; the first figure output embeds plotly.js
  await openNotebook(page);
  await page.evaluate(() => Jupyter.notebook.execute_all_cells());
  await waitRendered(page, 2, 'first run of the notebook');
  check(plotlyLoads === 0, `first page: plotly.js came embedded in the first figure (${plotlyLoads} loads from the server)`);

  // 2. reload the page while the kernel runs on (outputs were not saved), then draw in a new cell
  plotlyLoads = 0;
  await page.evaluate(() => Jupyter.notebook.set_dirty(false));
  await openNotebook(page); // navigating to the notebook again is the reload (a reload before it loaded the page twice)
  await waitRendered(page, 0, 'after the reload (outputs not saved)');
  await page.evaluate(() => {
    const cell = Jupyter.notebook.insert_cell_at_bottom('code');
    cell.set_text('new Chart("after reload", fig("after reload"), null)');
    cell.execute();
  });
  await waitRendered(page, 1, 'a new figure cell after the reload');
  // 3. run every cell again in the reloaded page: all figures draw, plotly.js fetched once for the page
  await page.evaluate(() => Jupyter.notebook.execute_all_cells());
  await page.waitForFunction(() => Jupyter.notebook.get_cells().every(c => c.cell_type !== 'code' || c.input_prompt_number !== '*'),
    null, { timeout: 180000 }).catch(() => {});
  await waitRendered(page, 3, 'every figure cell run again after the reload');
  check(plotlyLoads === 1, `reloaded page: plotly.js loaded once from the notebook server (${plotlyLoads} loads)`);

  // 4. save (the server signs it: trusted), reload: the saved outputs draw
  await page.evaluate(() => Jupyter.notebook.save_notebook());
  await page.waitForFunction(() => !Jupyter.notebook.dirty, null, { timeout: 60000 });
  // the classic notebook saved it unsigned (its outputs came from a session begun before a reload):
  // trust it as a user would, with `jupyter trust` (nbformat.sign)
  execFileSync('/usr/bin/python3', ['-m', 'nbformat.sign', `${workDir}/figures.ipynb`], { stdio: 'ignore' });
  plotlyLoads = 0;
  await openNotebook(page); // one page load: page.reload() followed by this loaded it twice, and a figure of the
  // first load could fetch plotly.js before the second replaced it (the "2 loads" failure seen under load)
  await waitRendered(page, 3, 'the saved, trusted notebook reopened');
  check(plotlyLoads === 1, `reopened page: plotly.js loaded once from the notebook server (${plotlyLoads} loads)`);
  check(await page.evaluate(() => !Jupyter.notebook.dirty), 'the reopened notebook shows no unsaved changes');

  check(true, `offline: ${results.external_requests.length} requests beyond localhost were refused`);
  await browser.close();
  console.log(JSON.stringify(results));
  process.exit(failed ? 1 : 0);
})().catch(e => { console.error('FAIL  ' + e); console.log(JSON.stringify(results)); process.exit(1); });
