/* SPDX-License-Identifier: MIT
 *
 * sigv4.js -- AWS Signature Version 4 in the browser, for the ddbd console.
 * Signs a request exactly as the AWS SDKs do: canonical request (method,
 * normalized path, sorted query, sorted lower-case headers, SHA-256 of the
 * body), string to sign, HMAC-SHA256 key chain. Hashing and HMAC use
 * WebCrypto (crypto.subtle); a page opened over plain HTTP from another
 * machine is not a secure context and has no crypto.subtle, so a small
 * SHA-256 written here takes over there. Exposes window.DdbdSigV4.
 */
(function (global) {
  'use strict';

  const utf8 = new TextEncoder();

  function bytes(data) {
    return typeof data === 'string' ? utf8.encode(data) : new Uint8Array(data || []);
  }

  function hex(buf) {
    const b = new Uint8Array(buf);
    let s = '';
    for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return s;
  }

  /*---- SHA-256 and HMAC without WebCrypto (FIPS 180-4) ----*/

  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  function sha256Sync(msg) {
    const m = bytes(msg);
    const len = m.length;
    const total = ((len + 9 + 63) >> 6) << 6;
    const p = new Uint8Array(total);
    p.set(m);
    p[len] = 0x80;
    const bits = len * 8;
    const dv = new DataView(p.buffer);
    dv.setUint32(total - 8, Math.floor(bits / 0x100000000));
    dv.setUint32(total - 4, bits >>> 0);
    const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    const w = new Uint32Array(64);
    const rotr = (x, n) => (x >>> n) | (x << (32 - n));
    for (let off = 0; off < total; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + i * 4);
      for (let i = 16; i < 64; i++) {
        const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
        const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
      }
      let [a, b, c, d, e, f, g, k] = h;
      for (let i = 0; i < 64; i++) {
        const t1 = (k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
                    K[i] + w[i]) >>> 0;
        const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        k = g; g = f; f = e; e = (d + t1) >>> 0;
        d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
    }
    const out = new Uint8Array(32);
    const ov = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) ov.setUint32(i * 4, h[i]);
    return out;
  }

  function hmacSync(key, msg) {
    let k = bytes(key);
    if (k.length > 64) k = sha256Sync(k);
    const ipad = new Uint8Array(64 + 0), opad = new Uint8Array(64);
    for (let i = 0; i < 64; i++) {
      ipad[i] = (k[i] || 0) ^ 0x36;
      opad[i] = (k[i] || 0) ^ 0x5c;
    }
    const m = bytes(msg);
    const inner = new Uint8Array(64 + m.length);
    inner.set(ipad);
    inner.set(m, 64);
    const ih = sha256Sync(inner);
    const outer = new Uint8Array(64 + 32);
    outer.set(opad);
    outer.set(ih, 64);
    return sha256Sync(outer);
  }

  /*---- the two back ends ----*/

  function subtle() {
    if (DdbdSigV4.forceFallback) return null;
    return global.crypto && global.crypto.subtle ? global.crypto.subtle : null;
  }

  async function sha256(data) {
    const s = subtle();
    if (s) return new Uint8Array(await s.digest('SHA-256', bytes(data)));
    return sha256Sync(data);
  }

  async function hmac(key, data) {
    const s = subtle();
    if (!s) return hmacSync(key, data);
    const k = await s.importKey('raw', bytes(key), { name: 'HMAC', hash: 'SHA-256' }, false,
                                ['sign']);
    return new Uint8Array(await s.sign('HMAC', k, bytes(data)));
  }

  /*---- canonical request ----*/

  /* RFC 3986: keep A-Z a-z 0-9 - . _ ~, %XX (upper case) for every other byte. */
  function uriEncode(s) {
    return encodeURIComponent(s).replace(/[!'()*]/g,
      (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  }

  function safeDecode(s) {
    try { return decodeURIComponent(s); } catch (e) { return s; }
  }

  /* Normalized path: empty and "." segments dropped, ".." removes its
   * predecessor, each segment decoded then encoded once, trailing slash kept. */
  function canonicalPath(path) {
    if (!path) return '/';
    const parts = path.split('/');
    const out = [];
    let trailing = false;
    for (let i = 0; i < parts.length; i++) {
      const seg = safeDecode(parts[i]);
      const last = i === parts.length - 1;
      if (seg === '' || seg === '.') {
        if (last && (seg === '.' || i > 0)) trailing = true;
      } else if (seg === '..') {
        out.pop();
        if (last) trailing = true;
      } else {
        out.push(uriEncode(seg));
      }
    }
    let s = '/' + out.join('/');
    if (trailing && out.length > 0) s += '/';
    return s;
  }

  /* Sorted query: names and values decoded, re-encoded, sorted by name then value. */
  function canonicalQuery(query) {
    if (!query) return '';
    const pairs = [];
    for (const piece of query.split('&')) {
      if (piece === '') continue;
      const eq = piece.indexOf('=');
      const name = eq < 0 ? piece : piece.slice(0, eq);
      const value = eq < 0 ? '' : piece.slice(eq + 1);
      pairs.push([uriEncode(safeDecode(name)), uriEncode(safeDecode(value))]);
    }
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    return pairs.map((p) => p[0] + '=' + p[1]).join('&');
  }

  function amzDate(date) {
    return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  }

  /*
   * Sign a request. 'req': {method, path, query (no '?'), headers: {name: value}
   * (must include host), body (string or bytes)}; 'creds': {accessKeyId,
   * secretAccessKey, sessionToken?}; 'region', 'service'; 'date' (a Date,
   * default now). Every header given is signed, plus X-Amz-Date and
   * X-Amz-Security-Token. Resolves to the headers to send with the request
   * (the given ones plus X-Amz-Date, Authorization, X-Amz-Security-Token),
   * and the intermediate texts for tests.
   */
  async function sign(req, creds, region, service, date) {
    const stamp = amzDate(date || new Date());
    const day = stamp.slice(0, 8);
    const headers = Object.assign({}, req.headers, { 'X-Amz-Date': stamp });
    if (creds.sessionToken) headers['X-Amz-Security-Token'] = creds.sessionToken;
    const canon = {};
    for (const name of Object.keys(headers)) {
      canon[name.toLowerCase()] = String(headers[name]).trim().replace(/\s+/g, ' ');
    }
    const names = Object.keys(canon).sort();
    const signedHeaders = names.join(';');
    const payloadHash = hex(await sha256(req.body || ''));
    const canonical = [
      req.method.toUpperCase(),
      canonicalPath(req.path),
      canonicalQuery(req.query),
      names.map((n) => n + ':' + canon[n] + '\n').join(''),
      signedHeaders,
      payloadHash,
    ].join('\n');
    const scope = day + '/' + region + '/' + service + '/aws4_request';
    const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope,
                          hex(await sha256(canonical))].join('\n');
    let key = await hmac('AWS4' + creds.secretAccessKey, day);
    key = await hmac(key, region);
    key = await hmac(key, service);
    key = await hmac(key, 'aws4_request');
    const signature = hex(await hmac(key, stringToSign));
    headers.Authorization = 'AWS4-HMAC-SHA256 Credential=' + creds.accessKeyId + '/' + scope +
      ', SignedHeaders=' + signedHeaders + ', Signature=' + signature;
    return { headers, canonical, stringToSign, signature };
  }

  const DdbdSigV4 = { sign, canonicalPath, canonicalQuery, uriEncode, amzDate,
                      sha256Hex: async (d) => hex(await sha256(d)), forceFallback: false };
  global.DdbdSigV4 = DdbdSigV4;
})(typeof window !== 'undefined' ? window : globalThis);
