// SPDX-License-Identifier: MIT
//
// console_e2e.mjs -- drives the ddbd web console in a real headless browser
// (Debian's chromium through playwright-core) for tests/integration/test_console.py.
//
//   node console_e2e.mjs PREFIX
//
// PREFIX is the npm prefix holding node_modules/playwright-core. The driver
// reads one JSON command per line on stdin and answers each with one JSON
// line on stdout: {"ok":true,...} or {"ok":false,"error":"..."}. Commands act
// on the console as a user would (click the tabs, fill the forms, read what
// is shown) and report what the page shows; the Python test asserts on it.
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import fs from 'node:fs';

const prefix = process.argv[2];
const require = createRequire(path.join(prefix, 'noop.js'));
const { chromium } = require('playwright-core');

const WAIT = 15000;
let browser = null, context = null, page = null, shotDir = null, userDir = null;
const pageErrors = [];

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

async function tab(view) {
  if (await page.isVisible('#editor')) await page.click('#editor-cancel'); // a failed step's leftover
  await page.click(`#tabs button[data-view="${view}"]`);
  await page.waitForSelector(`#view-${view}:not(.hidden)`, { timeout: WAIT });
}

const commands = {
  async launch(c) {
    shotDir = c.screenshots;
    userDir = fs.mkdtempSync(path.join(c.tmp, 'chromium-profile-'));
    // a fresh profile folder: launchPersistentContext passes it as --user-data-dir
    context = await chromium.launchPersistentContext(userDir, {
      executablePath: c.chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1360, height: 900 },
      deviceScaleFactor: 1,
    });
    browser = context;
    page = context.pages()[0] || await context.newPage();
    page.on('pageerror', (e) => pageErrors.push('pageerror: ' + e.message));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push('console: ' + m.text()); });
    return { version: context.browser() ? context.browser().version() : '' };
  },

  async open(c) {
    await page.goto(c.url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: WAIT });
    return {
      ready: await page.evaluate(() => document.body.dataset.ready),
      caller: await page.textContent('#caller'),
      title: await page.title(),
    };
  },

  async signin(c) {
    await page.fill('#signin-key', c.key);
    await page.fill('#signin-secret', c.secret);
    await page.evaluate(() => { document.getElementById('signin-error').textContent = ''; });
    await page.click('#signin-form button[type=submit]');
    await page.waitForFunction(() => document.body.dataset.ready === '1' ||
      document.getElementById('signin-error').textContent, null, { timeout: WAIT });
    return {
      ready: await page.evaluate(() => document.body.dataset.ready),
      error: await page.textContent('#signin-error'),
      caller: await page.textContent('#caller'),
    };
  },

  async signout() {
    await page.click('#signout');
    await page.waitForSelector('#signin:not(.hidden)', { timeout: WAIT });
    return {};
  },

  async region(c) {
    await page.selectOption('#region', c.region);
    await page.waitForFunction((r) => document.getElementById('region').value === r, c.region,
                               { timeout: WAIT });
    return {};
  },

  async tables(c) {
    await tab('tables');
    await page.waitForFunction((n) => {
      const l = document.getElementById('tables-list');
      return l.dataset.count !== undefined && Number(l.dataset.count) >= n;
    }, c.atLeast || 0, { timeout: WAIT });
    return {
      note: await page.textContent('#tables-note'),
      tables: await page.$$eval('.table-card', (cards) => cards.map((card) => ({
        name: card.dataset.table,
        facts: Object.fromEntries([...card.querySelectorAll('.facts > div')].map((d) =>
          [d.querySelector('span').textContent, d.childNodes[1].textContent])),
        indexes: [...card.querySelectorAll('table.indexes tbody tr')].map((tr) =>
          [...tr.querySelectorAll('td')].slice(0, 9).map((td) => td.textContent)),
      }))),
    };
  },

  // Query (pk given) or Scan the table or index; returns the rows as shown.
  async query(c) {
    await tab('tables');
    await page.click(`.table-card[data-table="${c.table}"] .actions button:first-child`);
    await page.waitForSelector('#view-items:not(.hidden)', { timeout: WAIT });
    if (c.index) await page.selectOption('#items-index', c.index);
    await page.check(`input[name="items-mode"][value="${c.pk === undefined ? 'scan' : 'query'}"]`);
    if (c.pk !== undefined) await page.fill('#items-pk', c.pk);
    if (await page.isVisible('#items-sk-op')) await page.selectOption('#items-sk-op', c.skOp || '');
    if (c.sk !== undefined) await page.fill('#items-sk', c.sk);
    if (c.limit) await page.fill('#items-limit', String(c.limit));
    await page.evaluate(() => { delete document.getElementById('items-table-out').dataset.count; });
    await page.click('#items-run');
    await page.waitForFunction(() => document.getElementById('items-table-out').dataset.count !== undefined,
                               null, { timeout: WAIT });
    return readItems();
  },

  async nextPage() {
    await page.evaluate(() => { delete document.getElementById('items-table-out').dataset.count; });
    await page.click('#items-next');
    await page.waitForFunction(() => document.getElementById('items-table-out').dataset.count !== undefined,
                               null, { timeout: WAIT });
    return readItems();
  },

  // New item through the editor: fills the JSON and saves (PutItem).
  async create(c) {
    await page.click('#items-new');
    await page.waitForSelector('#editor:not(.hidden)', { timeout: WAIT });
    await page.fill('#editor-text', JSON.stringify(c.item, null, 2));
    return save();
  },

  // Open the shown row whose table key is c.key, apply c.set (attribute -> value)
  // and c.remove (names) to the item's JSON, save.
  async edit(c) {
    const key = JSON.stringify(c.key);
    const rows = await page.$$('#items-table-out tbody tr');
    let found = null;
    for (const r of rows) {
      if (JSON.stringify(JSON.parse(await r.getAttribute('data-key'))) === key) found = r;
    }
    if (!found) throw new Error('no row with key ' + key);
    await found.click();
    await page.waitForSelector('#editor:not(.hidden)', { timeout: WAIT });
    const item = JSON.parse(await page.inputValue('#editor-text'));
    Object.assign(item, c.set || {});
    for (const n of c.remove || []) delete item[n];
    await page.fill('#editor-text', c.raw !== undefined ? c.raw : JSON.stringify(item, null, 2));
    return save();
  },

  // Open the shown row whose table key is c.key and delete it (two clicks).
  async delete(c) {
    const key = JSON.stringify(c.key);
    const rows = await page.$$('#items-table-out tbody tr');
    let found = null;
    for (const r of rows) {
      if (JSON.stringify(JSON.parse(await r.getAttribute('data-key'))) === key) found = r;
    }
    if (!found) throw new Error('no row with key ' + key);
    await found.click();
    await page.waitForSelector('#editor:not(.hidden)', { timeout: WAIT });
    await page.click('#editor-delete');
    const armed = await page.textContent('#editor-delete');
    await page.click('#editor-delete');
    await page.waitForFunction(() => ['deleted', 'error'].includes(document.getElementById('editor').dataset.state) ||
      document.getElementById('editor-error').textContent, null, { timeout: WAIT });
    return { armed, state: await page.evaluate(() => document.getElementById('editor').dataset.state),
             error: await page.textContent('#editor-error') };
  },

  async closeEditor() {
    await page.click('#editor-cancel');
    return {};
  },

  // Partition heat of c.table: waits until c.key is listed as a hot key with
  // its partition, and (c.throttled) that partition is marked throttled.
  async heat(c) {
    await tab('tables');
    await page.click(`.table-card[data-table="${c.table}"] .actions button:nth-child(2)`);
    await page.waitForSelector('#view-heat:not(.hidden)', { timeout: WAIT });
    if (c.window) await page.selectOption('#heat-window', String(c.window));
    await page.waitForFunction((k) => {
      const row = document.querySelector(`.heat-resource[data-index=""] .keys tr[data-key="${k.key}"]`);
      if (!row || row.dataset.partition === '') return false;
      const cell = document.querySelector(`.heat-resource[data-index=""] .part[data-position="${row.dataset.partition}"]`);
      return cell && (!k.throttled || cell.classList.contains('throttled'));
    }, c, { timeout: WAIT });
    return page.evaluate(() => {
      const res = document.querySelector('.heat-resource[data-index=""]');
      const cells = [...res.querySelectorAll('.part')];
      return {
        summary: res.querySelector('.summary').textContent,
        partitions: cells.length,
        lit: cells.filter((x) => Number(x.dataset.util) > 0).map((x) => ({
          position: Number(x.dataset.position), util: Number(x.dataset.util),
          throttles: Number(x.dataset.throttles), throttled: x.classList.contains('throttled'),
          color: x.style.background,
        })),
        keys: [...res.querySelectorAll('.keys')].map((k) => ({
          title: k.querySelector('h3').textContent,
          rows: [...k.querySelectorAll('tbody tr')].map((tr) => ({
            key: tr.dataset.key, partition: tr.dataset.partition,
            cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })),
        })),
        status: document.getElementById('heat-status').textContent,
      };
    });
  },

  // Access decisions: waits for a row matching every field of c.match
  // (substrings of principal/action/resource/why, exact decision).
  async decisions(c) {
    await tab('access');
    await page.waitForFunction((m) => [...document.querySelectorAll('#access-table tbody tr')].some((tr) => {
      const td = tr.querySelectorAll('td');
      return (!m.principal || td[1].title.includes(m.principal)) && (!m.action || td[2].textContent === m.action) &&
        (!m.resource || td[3].title.includes(m.resource)) && (!m.decision || tr.dataset.decision === m.decision) &&
        (!m.why || td[5].textContent.includes(m.why));
    }), c.match || {}, { timeout: WAIT });
    return page.evaluate(() => ({
      status: document.getElementById('access-status').textContent,
      rows: [...document.querySelectorAll('#access-table tbody tr')].map((tr) => {
        const td = tr.querySelectorAll('td');
        return { principal: td[1].title, action: td[2].textContent, resource: td[3].title,
                 decision: tr.dataset.decision, shown: td[4].textContent, why: td[5].textContent,
                 cls: tr.className, color: getComputedStyle(td[4]).color };
      }),
    }));
  },

  async metrics(c) {
    await tab('tables');
    await page.click(`.table-card[data-table="${c.table}"] .actions button:nth-child(3)`);
    await page.waitForSelector('#view-metrics:not(.hidden)', { timeout: WAIT });
    await page.waitForFunction(() => Number(document.getElementById('metrics-charts').dataset.updated || 0) >= 1,
                               null, { timeout: WAIT });
    return page.evaluate(() => ({
      charts: [...document.querySelectorAll('#metrics-charts [data-chart]')].map((el) => ({
        title: el.dataset.chart, max: Number(el.dataset.max), legend: el.querySelector('.legend-row').textContent,
        lines: el.querySelectorAll('polyline').length, bars: el.querySelectorAll('rect').length })),
    }));
  },

  async screenshot(c) {
    const file = path.join(shotDir, c.name + '.png');
    await page.screenshot({ path: file, fullPage: !!c.full });
    return { file };
  },

  async errors() {
    return { errors: pageErrors.splice(0) };
  },

  async close() {
    if (browser) await browser.close();
    browser = null;
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    return {};
  },
};

async function readItems() {
  return page.evaluate(() => {
    const t = document.getElementById('items-table-out');
    return {
      count: t.dataset.count,
      status: document.getElementById('items-status').textContent,
      error: document.getElementById('items-error').textContent,
      columns: [...t.querySelectorAll('thead th')].map((th) => th.firstChild.textContent),
      rows: [...t.querySelectorAll('tbody tr')].map((tr) => ({
        key: JSON.parse(tr.dataset.key),
        cells: [...tr.querySelectorAll('td')].map((td) => td.textContent) })),
      next: !document.getElementById('items-next').disabled,
    };
  });
}

async function save() {
  await page.evaluate(() => { document.getElementById('editor').dataset.state = 'open'; });
  await page.click('#editor-save');
  await page.waitForFunction(() => ['saved', 'error'].includes(document.getElementById('editor').dataset.state),
                             null, { timeout: WAIT });
  const state = await page.evaluate(() => document.getElementById('editor').dataset.state);
  return { state, error: await page.textContent('#editor-error') };
}

const rl = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
rl.on('line', (line) => {
  queue = queue.then(async () => {
    let cmd;
    try {
      cmd = JSON.parse(line);
      const fn = commands[cmd.cmd];
      if (!fn) throw new Error('unknown command ' + cmd.cmd);
      out(Object.assign({ ok: true }, await fn(cmd)));
    } catch (e) {
      let shot = null;
      try {
        if (page && shotDir) {
          shot = path.join(shotDir, 'failure-' + (cmd ? cmd.cmd : 'x') + '.png');
          await page.screenshot({ path: shot, fullPage: true });
        }
      } catch (e2) { shot = null; }
      out({ ok: false, error: String(e && e.stack ? e.stack : e), screenshot: shot,
            pageErrors: pageErrors.splice(0) });
    }
  });
});
rl.on('close', () => {
  queue.then(async () => {
    if (browser) await browser.close().catch(() => {});
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
    process.exit(0);
  });
});
