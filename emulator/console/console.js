/* SPDX-License-Identifier: MIT
 *
 * console.js -- the ddbd web console: tables and indexes, an item browser,
 * partition heat, access decisions and metrics charts.
 *
 * Items go through the DynamoDB API like any client's (POST / with
 * X-Amz-Target, signed with SigV4 by sigv4.js), so validation and errors are
 * DynamoDB's. The rest comes from ddbd's read-only console endpoints under
 * /_ddbd/ (console.c), signed the same way. In open mode the console signs
 * with placeholder credentials (ddbd still wants a well-formed signature);
 * with --principals the user signs in with a principal's access key, kept in
 * this tab's sessionStorage only. Only the visible view polls.
 */
(function () {
  'use strict';

  const OPEN_CREDS = { accessKeyId: 'AKIDDDBDCONSOLE', secretAccessKey: 'ddbd-console-open-mode' };
  const POLL_MS = { heat: 1000, access: 1000, metrics: 2000, tables: 5000, session: 5000 };
  const MAX_DECISIONS = 1000;

  const S = {
    session: null,
    creds: null,
    region: null,
    tables: [],          // [{Table: TableDescription, Partitions: {"": n, gsi: n}}]
    view: 'tables',
    gen: 0,              // bumps on every view or region change; stale replies are dropped
    timers: {},
    decisions: [],
    lastSeq: 0,
    items: { starts: [undefined], lastKey: null, page: 0, request: null },
    metrics: null,
  };

  /*---- small helpers ----*/

  const $ = (id) => document.getElementById(id);

  function h(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'style') e.style.cssText = v;
      else if (k === 'dataset') Object.assign(e.dataset, v);
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids.flat()) {
      if (kid === undefined || kid === null || kid === false) continue;
      e.append(kid instanceof Node ? kid : String(kid));
    }
    return e;
  }

  function fmtBytes(n) {
    if (n < 1024) return n + ' B';
    const u = ['KiB', 'MiB', 'GiB', 'TiB'];
    let v = n / 1024, i = 0;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return v.toFixed(v < 10 ? 1 : 0) + ' ' + u[i];
  }

  function fmtUnits(v) {
    return Number.isInteger(v) ? String(v) : (Math.round(v * 10) / 10).toString();
  }

  function fmtTime(epoch) {
    const d = new Date(epoch * 1000);
    return d.toLocaleTimeString([], { hour12: false });
  }

  function shortArn(arn) {
    const m = /^arn:aws:[a-z]+:[^:]*:[^:]*:(.*)$/.exec(arn || '');
    return m ? m[1] : arn || '';
  }

  class ApiError extends Error {
    constructor(type, message, status) {
      super(message);
      this.type = type;
      this.status = status;
    }
    toString() { return this.type + ': ' + this.message; }
  }

  /*---- signed requests ----*/

  function creds() { return S.creds || OPEN_CREDS; }

  function encodeQuery(params) {
    return Object.entries(params || {})
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => DdbdSigV4.uriEncode(k) + '=' + DdbdSigV4.uriEncode(String(v)))
      .join('&');
  }

  async function signedFetch(method, path, query, headers, body) {
    const all = Object.assign({ host: location.host }, headers);
    const signed = await DdbdSigV4.sign({ method, path, query, headers: all, body },
                                        creds(), S.region || 'us-east-1', 'dynamodb');
    const send = Object.assign({}, signed.headers);
    delete send.host; // the browser sends it itself
    let r;
    try {
      r = await fetch(path + (query ? '?' + query : ''), {
        method, headers: send, body: method === 'GET' ? undefined : body,
        cache: 'no-store', credentials: 'omit',
      });
    } catch (e) {
      banner('ddbd is not reachable (' + e.message + ')');
      throw new ApiError('NetworkError', 'ddbd is not reachable', 0);
    }
    banner('');
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : {}; } catch (e) { data = null; }
    if (!r.ok || data === null) {
      const type = data && data.__type ? String(data.__type).split('#').pop() : 'HTTP ' + r.status;
      const msg = data ? data.message || data.Message || '' : text;
      throw new ApiError(type, msg, r.status);
    }
    return data;
  }

  /* A DynamoDB API call, exactly as an SDK sends it. */
  function dynamo(op, payload) {
    return signedFetch('POST', '/', '', {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.' + op,
    }, JSON.stringify(payload));
  }

  /* One of the console's endpoints. */
  function api(name, params) {
    const path = name === 'regions' ? '/_ddbd/regions' : '/_ddbd/console/api/' + name;
    return signedFetch('GET', path, encodeQuery(params), {}, '');
  }

  function banner(text) {
    const b = $('banner');
    b.textContent = text;
    b.classList.toggle('hidden', !text);
  }

  /*---- polling ----*/

  function stopPolls() {
    for (const k of Object.keys(S.timers)) clearTimeout(S.timers[k]);
    S.timers = {};
  }

  /* Run fn now and every 'ms' after it settles, while the view generation
   * holds; an error of ddbd's is shown in the element 'statusId'. */
  function poll(name, fn, ms, statusId) {
    const gen = S.gen;
    const tick = async () => {
      if (gen !== S.gen) return;
      try {
        await fn(gen);
      } catch (e) {
        if (!(e instanceof ApiError)) console.error(e);
        else if (statusId && gen === S.gen) $(statusId).textContent = String(e);
      }
      if (gen === S.gen) S.timers[name] = setTimeout(tick, ms);
    };
    tick();
  }

  /*---- session, sign-in, regions ----*/

  function loadCreds() {
    try {
      const c = JSON.parse(sessionStorage.getItem('ddbd.creds') || 'null');
      if (c && c.accessKeyId && c.secretAccessKey) S.creds = c;
    } catch (e) { S.creds = null; }
  }

  function showSignin(message) {
    $('views').classList.add('hidden');
    $('signin').classList.remove('hidden');
    $('signin-error').textContent = message || '';
    $('caller').textContent = 'not signed in';
    document.body.dataset.ready = 'signin';
  }

  async function signIn(ev) {
    ev.preventDefault();
    $('signin-error').textContent = '';
    S.creds = {
      accessKeyId: $('signin-key').value.trim(),
      secretAccessKey: $('signin-secret').value,
      sessionToken: $('signin-token').value.trim() || undefined,
    };
    try {
      S.session = await api('session');
    } catch (e) {
      S.creds = null;
      $('signin-error').textContent = String(e);
      return;
    }
    sessionStorage.setItem('ddbd.creds', JSON.stringify(S.creds));
    $('signin-secret').value = '';
    await start();
  }

  function signOut() {
    sessionStorage.removeItem('ddbd.creds');
    S.creds = null;
    stopPolls();
    S.gen++;
    S.decisions = [];
    S.lastSeq = 0;
    showSignin('');
    $('signout').classList.add('hidden');
  }

  function showSession() {
    const s = S.session;
    const who = s.Mode === 'open' ? 'open mode · ' + shortArn(s.Caller) : shortArn(s.Caller);
    $('caller').textContent = who;
    $('caller').title = s.Caller + (s.AllDecisions ? ' (sees every decision)' : '');
    $('signout').classList.toggle('hidden', s.Mode === 'open');
    const c = s.Clock;
    $('clock').textContent = 'clock ' + c.Mode + ' · ' + fmtTime(c.Now) +
      (s.Throttling ? '' : ' · throttling off');
  }

  async function loadRegions() {
    const r = await api('regions');
    const names = r.Regions.map((x) => x.Region);
    const saved = localStorage.getItem('ddbd.region');
    if (!S.region) S.region = saved || names[0] || 'us-east-1';
    const sel = $('region');
    sel.textContent = '';
    const all = names.includes(S.region) ? names : [S.region].concat(names);
    for (const n of all) {
      const t = r.Regions.find((x) => x.Region === n);
      sel.append(h('option', { value: n }, n + (t ? ' (' + t.Tables + ')' : '')));
    }
    sel.append(h('option', { value: '' }, 'other…'));
    sel.value = S.region;
  }

  function changeRegion() {
    let r = $('region').value;
    if (r === '') {
      r = (prompt('Region name (e.g. ap-southeast-1)') || '').trim();
      if (!r) { $('region').value = S.region; return; }
    }
    S.region = r;
    localStorage.setItem('ddbd.region', r);
    S.items.request = null;
    loadRegions().catch(() => {});
    refreshTables().then(() => switchView(S.view), (e) => banner(String(e)));
  }

  async function start() {
    $('signin').classList.add('hidden');
    $('views').classList.remove('hidden');
    showSession();
    await loadRegions();
    await refreshTables();
    const first = (location.hash || '#tables').slice(1);
    switchView(['tables', 'items', 'heat', 'access', 'metrics'].includes(first) ? first : 'tables');
    document.body.dataset.ready = '1';
    pollSession();
  }

  function pollSession() {
    clearTimeout(S.sessionTimer);
    S.sessionTimer = setTimeout(async () => {
      try {
        S.session = await api('session');
        showSession();
      } catch (e) { /* the banner says it */ }
      pollSession();
    }, POLL_MS.session);
  }

  /*---- views ----*/

  function switchView(view) {
    S.view = view;
    S.gen++;
    stopPolls();
    for (const b of document.querySelectorAll('#tabs button')) {
      b.classList.toggle('active', b.dataset.view === view);
    }
    for (const v of document.querySelectorAll('.view')) {
      v.classList.toggle('hidden', v.id !== 'view-' + view);
    }
    if (location.hash !== '#' + view) history.replaceState(null, '', '#' + view);
    ({ tables: showTables, items: showItems, heat: showHeat, access: showAccess,
       metrics: showMetrics })[view]();
  }

  /*---- tables ----*/

  async function refreshTables() {
    const r = await api('tables', { region: S.region });
    S.tables = r.Tables;
    for (const id of ['items-table', 'heat-table', 'metrics-table']) fillTableSelect($(id));
  }

  function fillTableSelect(sel) {
    const keep = sel.value;
    sel.textContent = '';
    for (const t of S.tables) sel.append(h('option', { value: t.Table.TableName }, t.Table.TableName));
    if (S.tables.some((t) => t.Table.TableName === keep)) sel.value = keep;
  }

  function tableInfo(name) {
    return S.tables.find((t) => t.Table.TableName === name);
  }

  function attrTypes(desc) {
    const m = {};
    for (const a of desc.AttributeDefinitions || []) m[a.AttributeName] = a.AttributeType;
    return m;
  }

  /* {hash: {name, type}, range: {name, type} | null} of a key schema. */
  function keysOf(schema, types) {
    const k = { hash: null, range: null };
    for (const e of schema || []) {
      const v = { name: e.AttributeName, type: types[e.AttributeName] };
      if (e.KeyType === 'HASH') k.hash = v; else k.range = v;
    }
    return k;
  }

  function keyText(k) {
    return k ? k.name + ' (' + k.type + ')' : '—';
  }

  function projectionText(p) {
    if (!p) return '';
    if (p.ProjectionType === 'INCLUDE') return 'INCLUDE ' + (p.NonKeyAttributes || []).join(', ');
    return p.ProjectionType;
  }

  function billingText(d) {
    const mode = d.BillingModeSummary ? d.BillingModeSummary.BillingMode : 'PROVISIONED';
    if (mode === 'PAY_PER_REQUEST') return 'on demand (PAY_PER_REQUEST)';
    const pt = d.ProvisionedThroughput || {};
    return 'provisioned: ' + pt.ReadCapacityUnits + ' RCU / ' + pt.WriteCapacityUnits + ' WCU';
  }

  function showTables() {
    renderTables();
    poll('tables', async (gen) => {
      await refreshTables();
      if (gen === S.gen) renderTables();
    }, POLL_MS.tables, 'tables-note');
  }

  function renderTables() {
    const list = $('tables-list');
    list.textContent = '';
    $('tables-note').textContent = S.tables.length + ' table' + (S.tables.length === 1 ? '' : 's') +
      ' in ' + S.region + (S.session.Mode === 'principals' ? ' that ' + shortArn(S.session.Caller) +
      ' may describe' : '');
    for (const t of S.tables) list.append(tableCard(t));
    list.dataset.count = String(S.tables.length);
  }

  function tableCard(info) {
    const d = info.Table;
    const types = attrTypes(d);
    const keys = keysOf(d.KeySchema, types);
    const ix = [];
    for (const g of d.GlobalSecondaryIndexes || []) ix.push(['GSI', g]);
    for (const l of d.LocalSecondaryIndexes || []) ix.push(['LSI', l]);
    const indexRows = ix.map(([kind, x]) => {
      const k = keysOf(x.KeySchema, types);
      const pt = x.ProvisionedThroughput;
      return h('tr', { dataset: { index: x.IndexName } },
        h('td', {}, x.IndexName), h('td', {}, kind), h('td', {}, keyText(k.hash)),
        h('td', {}, keyText(k.range)), h('td', {}, projectionText(x.Projection)),
        h('td', {}, x.IndexStatus || 'ACTIVE'), h('td', {}, String(x.ItemCount)),
        h('td', {}, fmtBytes(x.IndexSizeBytes || 0)),
        h('td', {}, kind === 'GSI' ? String(info.Partitions[x.IndexName] || '') +
          (pt && pt.WriteCapacityUnits ? ' · ' + pt.ReadCapacityUnits + '/' + pt.WriteCapacityUnits : '')
          : 'table\'s'),
        h('td', {}, h('button', { onclick: () => browse(d.TableName, x.IndexName) }, 'Browse')));
    });
    return h('div', { class: 'card table-card', dataset: { table: d.TableName } },
      h('h3', {}, d.TableName, h('span', { class: 'status ' + d.TableStatus }, d.TableStatus),
        d.DeletionProtectionEnabled ? h('span', { class: 'muted' }, 'deletion protection') : null),
      h('div', { class: 'muted mono' }, d.TableArn),
      h('div', { class: 'facts' },
        h('div', {}, h('span', {}, 'Partition key'), keyText(keys.hash)),
        h('div', {}, h('span', {}, 'Sort key'), keyText(keys.range)),
        h('div', {}, h('span', {}, 'Billing'), billingText(d)),
        h('div', {}, h('span', {}, 'Items'), String(d.ItemCount)),
        h('div', {}, h('span', {}, 'Size'), fmtBytes(d.TableSizeBytes || 0)),
        h('div', {}, h('span', {}, 'Partitions (simulated)'), String(info.Partitions[''] || ''))),
      ix.length ? h('table', { class: 'grid indexes' },
        h('thead', {}, h('tr', {}, ['Index', 'Type', 'Partition key', 'Sort key', 'Projection',
          'Status', 'Items', 'Size', 'Partitions', ''].map((c) => h('th', {}, c)))),
        h('tbody', {}, indexRows)) : h('div', { class: 'muted' }, 'No secondary indexes.'),
      h('div', { class: 'actions' },
        h('button', { onclick: () => browse(d.TableName, '') }, 'Browse items'),
        h('button', { onclick: () => openHeat(d.TableName) }, 'Partition heat'),
        h('button', { onclick: () => openMetrics(d.TableName) }, 'Metrics')));
  }

  /*---- items ----*/

  function browse(table, index) {
    $('items-table').value = table;
    fillIndexSelect();
    $('items-index').value = index || '';
    S.items.request = null;
    switchView('items');
  }

  function fillIndexSelect() {
    const info = tableInfo($('items-table').value);
    const sel = $('items-index');
    const keep = sel.value;
    sel.textContent = '';
    sel.append(h('option', { value: '' }, '(table)'));
    if (info) {
      for (const g of info.Table.GlobalSecondaryIndexes || []) sel.append(h('option', { value: g.IndexName }, g.IndexName + ' (GSI)'));
      for (const l of info.Table.LocalSecondaryIndexes || []) sel.append(h('option', { value: l.IndexName }, l.IndexName + ' (LSI)'));
    }
    if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
  }

  /* The resource being browsed: table description, its keys, the index keys. */
  function itemsResource() {
    const info = tableInfo($('items-table').value);
    if (!info) return null;
    const d = info.Table;
    const types = attrTypes(d);
    const tableKeys = keysOf(d.KeySchema, types);
    const name = $('items-index').value;
    let keys = tableKeys;
    if (name) {
      const x = (d.GlobalSecondaryIndexes || []).concat(d.LocalSecondaryIndexes || [])
        .find((i) => i.IndexName === name);
      if (x) keys = keysOf(x.KeySchema, types);
    }
    return { desc: d, tableKeys, keys, index: name };
  }

  function updateKeyInputs() {
    const r = itemsResource();
    const query = document.querySelector('input[name="items-mode"]:checked').value === 'query';
    $('items-keyrow').classList.toggle('hidden', !query);
    if (!r) return;
    $('items-pk-label').textContent = keyText(r.keys.hash) + ' =';
    const hasSort = !!r.keys.range;
    $('items-sk-label').textContent = hasSort ? keyText(r.keys.range) : '';
    for (const id of ['items-sk-op', 'items-sk', 'items-sk-label']) $(id).classList.toggle('hidden', !hasSort);
    $('items-sk2').classList.toggle('hidden', !hasSort || $('items-sk-op').value !== 'between');
    $('items-desc').parentElement.classList.toggle('hidden', !hasSort);
  }

  function typed(type, text) {
    if (type === 'BOOL') return { BOOL: text.trim() === 'true' };
    if (type === 'NULL') return { NULL: true };
    return { [type]: text };
  }

  /* The Query or Scan request of the form (without ExclusiveStartKey). */
  function buildRequest() {
    const r = itemsResource();
    if (!r) throw new ApiError('Console', 'no table selected', 0);
    const req = { TableName: r.desc.TableName, ReturnConsumedCapacity: 'TOTAL' };
    if (r.index) req.IndexName = r.index;
    const limit = parseInt($('items-limit').value, 10);
    if (limit > 0) req.Limit = limit;
    const names = {}, values = {};
    const query = document.querySelector('input[name="items-mode"]:checked').value === 'query';
    if (query) {
      names['#pk'] = r.keys.hash.name;
      values[':pk'] = typed(r.keys.hash.type, $('items-pk').value);
      let cond = '#pk = :pk';
      const op = r.keys.range ? $('items-sk-op').value : '';
      if (op) {
        names['#sk'] = r.keys.range.name;
        values[':sk'] = typed(r.keys.range.type, $('items-sk').value);
        if (op === 'between') {
          values[':sk2'] = typed(r.keys.range.type, $('items-sk2').value);
          cond += ' AND #sk BETWEEN :sk AND :sk2';
        } else if (op === 'begins_with') {
          cond += ' AND begins_with(#sk, :sk)';
        } else {
          cond += ' AND #sk ' + op + ' :sk';
        }
      }
      req.KeyConditionExpression = cond;
      req.ScanIndexForward = !$('items-desc').checked;
    }
    const fattr = $('items-f-attr').value.trim();
    if (fattr) {
      const fop = $('items-f-op').value;
      names['#f'] = fattr;
      if (fop === 'exists') req.FilterExpression = 'attribute_exists(#f)';
      else if (fop === 'not_exists') req.FilterExpression = 'attribute_not_exists(#f)';
      else {
        values[':f'] = typed($('items-f-type').value, $('items-f-value').value);
        req.FilterExpression = fop === 'begins_with' || fop === 'contains'
          ? fop + '(#f, :f)' : '#f ' + fop + ' :f';
      }
    }
    if (Object.keys(names).length) req.ExpressionAttributeNames = names;
    if (Object.keys(values).length) req.ExpressionAttributeValues = values;
    return { op: query ? 'Query' : 'Scan', req };
  }

  function showItems() {
    fillIndexSelect();
    updateKeyInputs();
    if (S.items.request) runItems(false);
  }

  async function runItems(fromForm) {
    $('items-error').textContent = '';
    if (fromForm) {
      try {
        S.items.request = buildRequest();
      } catch (e) {
        $('items-error').textContent = String(e);
        return;
      }
      S.items.starts = [undefined];
      S.items.page = 0;
    }
    const { op, req } = S.items.request;
    const body = Object.assign({}, req);
    const start = S.items.starts[S.items.page];
    if (start) body.ExclusiveStartKey = start;
    const gen = S.gen;
    let out;
    try {
      out = await dynamo(op, body);
    } catch (e) {
      if (gen !== S.gen) return;
      $('items-error').textContent = String(e);
      $('items-table-out').textContent = '';
      $('items-status').textContent = '';
      $('items-next').disabled = true;
      $('items-table-out').dataset.count = 'error';
      return;
    }
    if (gen !== S.gen) return;
    S.items.lastKey = out.LastEvaluatedKey || null;
    renderItems(out.Items || []);
    const cc = out.ConsumedCapacity ? ' · ' + fmtUnits(out.ConsumedCapacity.CapacityUnits) + ' capacity units' : '';
    $('items-status').textContent = op + ' ' + req.TableName + (req.IndexName ? ' / ' + req.IndexName : '') +
      ' · page ' + (S.items.page + 1) + ' · ' + out.Count + (out.Count === 1 ? ' item, ' : ' items, ') +
      out.ScannedCount + ' scanned' + cc +
      (S.items.lastKey ? ' · more' : '');
    $('items-next').disabled = !S.items.lastKey;
    $('items-first').disabled = S.items.page === 0;
  }

  function avText(av) {
    const type = Object.keys(av)[0];
    const v = av[type];
    let text;
    if (type === 'S' || type === 'N' || type === 'B') text = v;
    else if (type === 'BOOL') text = String(v);
    else if (type === 'NULL') text = 'null';
    else text = JSON.stringify(v);
    if (text.length > 240) text = text.slice(0, 240) + '…';
    return [h('span', { class: 't' }, type), text];
  }

  function renderItems(items) {
    const r = itemsResource();
    const cols = [];
    const add = (n) => { if (n && !cols.includes(n)) cols.push(n); };
    if (r) {
      add(r.keys.hash && r.keys.hash.name);
      add(r.keys.range && r.keys.range.name);
      add(r.tableKeys.hash.name);
      add(r.tableKeys.range && r.tableKeys.range.name);
    }
    for (const it of items) for (const k of Object.keys(it)) add(k);
    const table = $('items-table-out');
    table.textContent = '';
    const isKey = (c) => r && [r.keys.hash, r.keys.range, r.tableKeys.hash, r.tableKeys.range]
      .some((k) => k && k.name === c);
    table.append(h('thead', {}, h('tr', {}, cols.map((c) => h('th', {}, c,
      isKey(c) ? h('span', { class: 'keytag' }, 'key') : null)))));
    table.append(h('tbody', {}, items.map((it) => h('tr', {
      onclick: () => openItem(it),
      dataset: { key: JSON.stringify(pickKey(it, r ? r.tableKeys : null)) },
    }, cols.map((c) => h('td', { class: 'av' }, it[c] ? avText(it[c]) : ''))))));
    table.dataset.count = String(items.length);
  }

  function pickKey(item, keys) {
    const k = {};
    if (!keys) return k;
    for (const e of [keys.hash, keys.range]) if (e && item[e.name]) k[e.name] = item[e.name];
    return k;
  }

  /*---- the item editor ----*/

  const E = { table: null, isNew: false, original: null, armed: false };

  async function openItem(item) {
    const r = itemsResource();
    let full = item;
    if (r.index) { // an index entry may hold a projection: read the table's item
      try {
        const out = await dynamo('GetItem', { TableName: r.desc.TableName, Key: pickKey(item, r.tableKeys) });
        if (out.Item) full = out.Item;
      } catch (e) { /* show what the index holds */ }
    }
    openEditor(r.desc.TableName, full, false);
  }

  function newItem() {
    const r = itemsResource();
    if (!r) return;
    const skeleton = {};
    for (const k of [r.tableKeys.hash, r.tableKeys.range]) if (k) skeleton[k.name] = { [k.type]: '' };
    openEditor(r.desc.TableName, skeleton, true);
  }

  function openEditor(table, item, isNew) {
    E.table = table;
    E.isNew = isNew;
    E.original = item;
    disarmDelete();
    $('editor-title').textContent = isNew ? 'New item' : 'Edit item';
    $('editor-table').textContent = table;
    $('editor-text').value = formatItem(item);
    $('editor-error').textContent = '';
    $('editor-delete').classList.toggle('hidden', isNew);
    $('editor').classList.remove('hidden');
    $('editor').dataset.state = 'open';
    $('editor-text').focus();
  }

  /* One attribute per line, each value compact: easy to read and to edit. */
  function formatItem(item) {
    const names = Object.keys(item);
    if (!names.length) return '{}';
    return '{\n' + names.map((n) => '  ' + JSON.stringify(n) + ': ' + JSON.stringify(item[n]))
      .join(',\n') + '\n}';
  }

  function closeEditor() {
    $('editor').classList.add('hidden');
    $('editor').dataset.state = 'closed';
  }

  function disarmDelete() {
    E.armed = false;
    $('editor-delete').textContent = 'Delete';
  }

  function editorItem() {
    try {
      const v = JSON.parse($('editor-text').value);
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('an item is a JSON object');
      return v;
    } catch (e) {
      $('editor-error').textContent = 'Not a DynamoDB JSON item: ' + e.message;
      return null;
    }
  }

  async function saveItem() {
    const item = editorItem();
    if (!item) return;
    const info = tableInfo(E.table);
    const req = { TableName: E.table, Item: item };
    if (E.isNew && info) { // create: never overwrite an existing item silently
      req.ConditionExpression = 'attribute_not_exists(#k)';
      req.ExpressionAttributeNames = { '#k': keysOf(info.Table.KeySchema, attrTypes(info.Table)).hash.name };
    }
    $('editor-error').textContent = '';
    $('editor').dataset.state = 'saving';
    try {
      await dynamo('PutItem', req);
    } catch (e) {
      $('editor-error').textContent = String(e);
      $('editor').dataset.state = 'error';
      return;
    }
    closeEditor();
    $('editor').dataset.state = 'saved';
    if (S.items.request) runItems(false);
  }

  async function deleteItem() {
    if (!E.armed) {
      E.armed = true;
      $('editor-delete').textContent = 'Confirm delete';
      return;
    }
    const info = tableInfo(E.table);
    const item = editorItem();
    if (!item || !info) return;
    const keys = keysOf(info.Table.KeySchema, attrTypes(info.Table));
    try {
      await dynamo('DeleteItem', { TableName: E.table, Key: pickKey(item, keys) });
    } catch (e) {
      $('editor-error').textContent = String(e);
      disarmDelete();
      return;
    }
    closeEditor();
    $('editor').dataset.state = 'deleted';
    if (S.items.request) runItems(false);
  }

  /*---- partition heat ----*/

  function openHeat(table) {
    $('heat-table').value = table;
    switchView('heat');
  }

  function showHeat() {
    $('heat-body').textContent = '';
    if (!$('heat-table').value) {
      $('heat-body').append(h('p', { class: 'muted' }, 'No tables in ' + S.region + '.'));
      return;
    }
    poll('heat', async (gen) => {
      const win = parseInt($('heat-window').value, 10);
      const m = await api('metrics', { region: S.region, table: $('heat-table').value, seconds: win });
      if (gen === S.gen) renderHeat(m, win);
    }, POLL_MS.heat, 'heat-status');
  }

  function sumTail(arr, n) {
    let s = 0;
    for (let i = Math.max(0, arr.length - n); i < arr.length; i++) s += arr[i];
    return s;
  }

  /* Peak utilisation (0..) over the window: the busiest second's consumed
   * units against the partition ceiling (or the resource's capacity when lower). */
  function partitionHeat(p, ceil, win) {
    const ps = p.PerSecond;
    let peak = 0;
    const r = ps.ConsumedReadCapacityUnits, w = ps.ConsumedWriteCapacityUnits;
    for (let i = Math.max(0, r.length - win); i < r.length; i++) {
      peak = Math.max(peak, r[i] / ceil.read, w[i] / ceil.write);
    }
    return {
      util: peak,
      read: sumTail(r, win),
      write: sumTail(w, win),
      throttles: sumTail(ps.ReadThrottleEvents, win) + sumTail(ps.WriteThrottleEvents, win),
    };
  }

  function heatColor(u) {
    if (!(u > 0)) return 'var(--cold)';
    const x = Math.min(u, 1);
    const hue = 120 - 120 * x;
    return 'hsl(' + hue.toFixed(0) + ', ' + (60 + 15 * x).toFixed(0) + '%, ' + (80 - 30 * x).toFixed(0) + '%)';
  }

  /* Top keys of the last two minutes (current + previous), merged. */
  function topKeys(ci, list, measure) {
    const byKey = new Map();
    const part = ci && ci[list];
    for (const period of ['CurrentMinute', 'PreviousMinute']) {
      for (const e of (part && part[period]) || []) {
        const cur = byKey.get(e.Key) || { key: e.Key, value: 0, partition: e.Partition };
        cur.value += e[measure];
        if (e.Partition !== undefined) cur.partition = e.Partition;
        byKey.set(e.Key, cur);
      }
    }
    return [...byKey.values()].sort((a, b) => b.value - a.value).slice(0, 10);
  }

  function renderHeat(m, win) {
    const t = m.Tables[0];
    const body = $('heat-body');
    body.textContent = '';
    const resources = [{ label: 'Table ' + t.TableName, index: '', r: t }]
      .concat((t.GlobalSecondaryIndexes || []).map((g) => ({ label: 'GSI ' + g.IndexName, index: g.IndexName, r: g })));
    let throttledParts = 0;
    for (const res of resources) {
      const r = res.r;
      const ceil = {
        read: Math.min(m.PartitionCeiling.Read, r.Capacity.Read > 0 ? r.Capacity.Read : Infinity),
        write: Math.min(m.PartitionCeiling.Write, r.Capacity.Write > 0 ? r.Capacity.Write : Infinity),
      };
      const grid = h('div', { class: 'parts' + (r.PartitionMap.length <= 32 ? ' few' : '') });
      let consumedR = 0, consumedW = 0, events = 0;
      for (const p of r.PartitionMap) {
        const x = partitionHeat(p, ceil, win);
        consumedR += x.read;
        consumedW += x.write;
        events += x.throttles;
        if (x.throttles > 0) throttledParts++;
        const pct = Math.round(x.util * 100);
        grid.append(h('div', {
          class: 'part' + (x.throttles > 0 ? ' throttled' : ''),
          style: 'background:' + heatColor(x.util),
          title: 'partition ' + p.Position + ' (id ' + p.Id + ')\nhash ' + p.Range[0] + ' – ' + p.Range[1] +
            '\nbusiest second: ' + pct + '% of ' + fmtUnits(ceil.read) + ' RCU / ' + fmtUnits(ceil.write) + ' WCU' +
            '\nconsumed in ' + win + ' s: ' + fmtUnits(x.read) + ' RCU, ' + fmtUnits(x.write) + ' WCU' +
            '\nthrottle events: ' + x.throttles,
          dataset: { position: String(p.Position), util: String(pct), throttles: String(x.throttles) },
        }, r.PartitionMap.length <= 32 ? String(p.Position) : ''));
      }
      const accessed = topKeys(r.ContributorInsights, 'MostAccessedKeys', 'ConsumedThroughputUnits');
      const throttled = topKeys(r.ContributorInsights, 'MostThrottledKeys', 'ThrottleCount');
      const throttledSet = new Set(throttled.map((k) => k.key));
      const focus = (pos, on) => {
        const cell = grid.querySelector('.part[data-position="' + pos + '"]');
        if (cell) cell.classList.toggle('focus', on);
      };
      const keyTable = (title, rows, unit) => h('div', { class: 'keys card' },
        h('h3', {}, title),
        rows.length ? h('table', { class: 'grid' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Partition key'), h('th', { class: 'num' }, unit), h('th', { class: 'num' }, 'Partition'))),
          h('tbody', {}, rows.map((k) => h('tr', {
            class: throttledSet.has(k.key) ? 'hot' : '',
            dataset: { key: k.key, partition: k.partition === undefined ? '' : String(k.partition) },
            onmouseenter: () => focus(k.partition, true), onmouseleave: () => focus(k.partition, false),
          }, h('td', { class: 'mono' }, k.key), h('td', { class: 'num' }, fmtUnits(k.value)),
            h('td', { class: 'num' }, k.partition === undefined ? '' : '#' + k.partition)))))
          : h('div', { class: 'muted' }, 'none in the last two minutes'));
      const cap = r.BillingMode === 'PROVISIONED' || r.ProvisionedWriteCapacityUnits !== undefined
        ? 'provisioned ' + fmtUnits(r.Capacity.Read) + ' RCU / ' + fmtUnits(r.Capacity.Write) + ' WCU'
        : 'on-demand capacity ' + fmtUnits(r.Capacity.Read) + ' / ' + fmtUnits(r.Capacity.Write);
      body.append(h('div', { class: 'card' },
        h('div', { class: 'heat-resource', dataset: { index: res.index } },
          h('div', {},
            h('h3', {}, res.label),
            h('div', { class: 'summary' }, r.Partitions + ' partitions · ceiling per partition ' +
              fmtUnits(ceil.read) + ' RCU / ' + fmtUnits(ceil.write) + ' WCU · ' + cap +
              ' · last ' + win + ' s: ' + fmtUnits(consumedR) + ' RCU, ' + fmtUnits(consumedW) +
              ' WCU consumed, ' + events + ' throttle events'),
            grid),
          h('div', {},
            keyTable('Hot keys (most accessed, last 2 min)', accessed, 'units (3×W+R)'),
            keyTable('Most throttled keys (last 2 min)', throttled, 'throttles')))));
    }
    $('heat-status').textContent = 'clock ' + m.ClockMode + ' · ' + fmtTime(m.Time) +
      (m.Throttling ? '' : ' · throttling off') + (throttledParts ? ' · ' + throttledParts + ' throttled partition(s)' : '');
    body.dataset.updated = String((parseInt(body.dataset.updated || '0', 10) + 1));
  }

  /*---- access decisions ----*/

  function showAccess() {
    renderDecisions();
    poll('access', async (gen) => {
      const r = await api('decisions', { after: S.lastSeq });
      if (gen !== S.gen) return;
      S.lastSeq = Math.max(S.lastSeq, r.Last);
      if (r.Decisions.length) {
        S.decisions = S.decisions.concat(r.Decisions).slice(-MAX_DECISIONS);
      }
      S.allDecisions = r.AllDecisions;
      renderDecisions();
    }, POLL_MS.access, 'access-status');
  }

  function decisionWhy(d) {
    const where = d.Policy !== undefined
      ? d.Policy + ' Statement[' + d.Statement + ']' + (d.Sid ? ' “' + d.Sid + '”' : '') : '';
    switch (d.Decision) {
      case 'Allow': return 'allowed by ' + where;
      case 'ExplicitDeny': return 'explicit deny in ' + where;
      case 'ImplicitDeny': return 'no identity-based policy allows';
      case 'Open': return 'open mode: every signed request is allowed';
      default: return where;
    }
  }

  /* The AccessDeniedException message the caller got, for a denial. */
  function deniedText(d) {
    if (d.Decision === 'ImplicitDeny') {
      return 'User: ' + d.Principal + ' is not authorized to perform: ' + d.Action + ' on resource: ' +
        d.Resource + ' because no identity-based policy allows the ' + d.Action + ' action';
    }
    if (d.Decision === 'ExplicitDeny') {
      return 'User: ' + d.Principal + ' is not authorized to perform: ' + d.Action + ' on resource: ' +
        d.Resource + ' with an explicit deny in an identity-based policy';
    }
    return undefined;
  }

  function renderDecisions() {
    const denialsOnly = $('access-denials').checked;
    const withConsole = $('access-console').checked;
    const filter = $('access-filter').value.trim().toLowerCase();
    const tbody = document.querySelector('#access-table tbody');
    tbody.textContent = '';
    let shown = 0, denials = 0, hidden = 0;
    for (let i = S.decisions.length - 1; i >= 0; i--) {
      const d = S.decisions[i];
      if (d.Console && !withConsole) { hidden++; continue; }
      const deny = d.Decision === 'ExplicitDeny' || d.Decision === 'ImplicitDeny';
      if (deny) denials++;
      if (denialsOnly && !deny) continue;
      if (filter && !(d.Principal + ' ' + d.Action + ' ' + d.Resource).toLowerCase().includes(filter)) continue;
      if (shown >= 500) continue;
      shown++;
      tbody.append(h('tr', {
        class: (deny ? 'deny' : d.Decision === 'Allow' ? 'allow' : 'open') + (d.Console ? ' console' : ''),
        dataset: { seq: String(d.Seq), decision: d.Decision },
      },
        h('td', {}, fmtTime(d.Time)),
        h('td', { title: d.Principal }, shortArn(d.Principal)),
        h('td', {}, d.Action),
        h('td', { title: d.Resource }, shortArn(d.Resource)),
        h('td', { class: 'decision' }, { Allow: 'Allow', ExplicitDeny: 'Explicit deny',
          ImplicitDeny: 'Implicit deny', Open: 'Open' }[d.Decision] || d.Decision),
        h('td', { class: 'why', title: deniedText(d) }, decisionWhy(d),
          d.Console ? h('span', { class: 'keytag' }, 'console check') : null)));
    }
    $('access-status').textContent = shown + ' shown · ' + denials + ' denial' + (denials === 1 ? '' : 's') +
      (hidden ? ' · ' + hidden + ' console check' + (hidden === 1 ? '' : 's') + ' hidden' : '') +
      ' · ' + (S.allDecisions === false ? 'your own requests only' : 'every principal');
    $('access-table').dataset.last = String(S.lastSeq);
  }

  /*---- metrics ----*/

  function openMetrics(table) {
    $('metrics-table').value = table;
    switchView('metrics');
  }

  function showMetrics() {
    $('metrics-charts').textContent = '';
    if (!$('metrics-table').value) {
      $('metrics-charts').append(h('p', { class: 'muted' }, 'No tables in ' + S.region + '.'));
      return;
    }
    poll('metrics', async (gen) => {
      const m = await api('metrics', { region: S.region, table: $('metrics-table').value, seconds: 120, partitions: 0 });
      if (gen !== S.gen) return;
      S.metrics = m;
      renderMetrics();
    }, POLL_MS.metrics, 'metrics-status');
  }

  function renderMetrics() {
    const m = S.metrics;
    if (!m) return;
    const t = m.Tables[0];
    const sel = $('metrics-resource');
    const keep = sel.value;
    sel.textContent = '';
    sel.append(h('option', { value: '' }, 'table ' + t.TableName));
    for (const g of t.GlobalSecondaryIndexes || []) sel.append(h('option', { value: g.IndexName }, 'GSI ' + g.IndexName));
    if ([...sel.options].some((o) => o.value === keep)) sel.value = keep;
    const r = sel.value ? (t.GlobalSecondaryIndexes || []).find((g) => g.IndexName === sel.value) : t;
    const minute = $('metrics-period').value === 'minute';
    const series = minute ? r.PerMinute : r.PerSecond;
    const slot = minute ? 60 : 1;
    const box = $('metrics-charts');
    box.textContent = '';
    const chart = (title, list) => {
      const el = h('div', { dataset: { chart: title } });
      box.append(el);
      DdbdCharts.draw(el, { title, slotSeconds: slot, series: list });
    };
    chart('Consumed read capacity units', [{ name: 'RCU', color: '#1f6feb', values: series.ConsumedReadCapacityUnits }]);
    chart('Consumed write capacity units', [{ name: 'WCU', color: '#8250df', values: series.ConsumedWriteCapacityUnits }]);
    chart('Throttle events', [
      { name: 'read', color: '#f0883e', values: series.ReadThrottleEvents, bars: true },
      { name: 'write', color: '#c62828', values: series.WriteThrottleEvents, bars: true }]);
    if (!sel.value && t.Operations && t.Operations.length) {
      box.append(h('div', { class: 'card' }, h('h3', {}, 'Requests by operation (since start)'),
        h('table', { class: 'grid' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Operation'), h('th', {}, 'Requests'), h('th', {}, 'Throttled'))),
          h('tbody', {}, t.Operations.map((o) => h('tr', {}, h('td', {}, o.Operation),
            h('td', {}, String(o.Requests)), h('td', {}, String(o.ThrottledRequests))))))));
    }
    $('metrics-status').textContent = 'clock ' + m.ClockMode + ' · ' + fmtTime(m.Time);
    box.dataset.updated = String((parseInt(box.dataset.updated || '0', 10) + 1));
  }

  /*---- wiring ----*/

  function wire() {
    for (const b of document.querySelectorAll('#tabs button')) {
      b.addEventListener('click', () => { if (!$('views').classList.contains('hidden')) switchView(b.dataset.view); });
    }
    $('region').addEventListener('change', changeRegion);
    $('signin-form').addEventListener('submit', signIn);
    $('signout').addEventListener('click', signOut);
    $('items-form').addEventListener('submit', (e) => { e.preventDefault(); runItems(true); });
    $('items-table').addEventListener('change', () => { fillIndexSelect(); updateKeyInputs(); });
    $('items-index').addEventListener('change', updateKeyInputs);
    $('items-sk-op').addEventListener('change', updateKeyInputs);
    for (const r of document.querySelectorAll('input[name="items-mode"]')) r.addEventListener('change', updateKeyInputs);
    $('items-new').addEventListener('click', newItem);
    $('items-next').addEventListener('click', () => {
      if (!S.items.lastKey) return;
      S.items.starts[S.items.page + 1] = S.items.lastKey;
      S.items.page++;
      runItems(false);
    });
    $('items-first').addEventListener('click', () => { S.items.page = 0; runItems(false); });
    $('editor-save').addEventListener('click', saveItem);
    $('editor-delete').addEventListener('click', deleteItem);
    $('editor-cancel').addEventListener('click', closeEditor);
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') closeEditor(); });
    $('heat-table').addEventListener('change', () => switchView('heat'));
    $('heat-window').addEventListener('change', () => switchView('heat'));
    $('access-denials').addEventListener('change', renderDecisions);
    $('access-console').addEventListener('change', renderDecisions);
    $('access-filter').addEventListener('input', renderDecisions);
    $('metrics-table').addEventListener('change', () => switchView('metrics'));
    $('metrics-resource').addEventListener('change', renderMetrics);
    $('metrics-period').addEventListener('change', renderMetrics);
  }

  async function boot() {
    wire();
    loadCreds();
    try {
      S.session = await api('session');
    } catch (e) {
      // only a server that enforces IAM refuses the console's signature
      showSignin(S.creds ? String(e) : '');
      S.creds = null;
      return;
    }
    await start();
  }

  boot();
})();
