// SPDX-License-Identifier: MIT
//
// sigv4_vectors.mjs -- the web console's signer (emulator/console/sigv4.js)
// against the AWS SigV4 test suite in fixtures/sigv4/, with WebCrypto and with
// its own SHA-256 (the fallback of pages that are not a secure context).
//
//   node sigv4_vectors.mjs REPO_ROOT
//
// Prints {"compared":n,"skipped":[...],"failures":[...]} as JSON. A case is
// compared when the signer would sign the same headers as the case does
// (cases that sign a header only after the fact, or keep the path
// unnormalized, or repeat or fold headers, are skipped with the reason).
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const root = process.argv[2];
vm.runInThisContext(fs.readFileSync(path.join(root, 'emulator/console/sigv4.js'), 'utf8'));
const S = globalThis.DdbdSigV4;
const dir = path.join(root, 'fixtures/sigv4');

function parse(text) {
  const [head, ...rest] = text.split('\n\n');
  const lines = head.split('\n');
  const first = lines.shift();
  const m = /^(\S+) (.*) HTTP\/1\.1$/.exec(first);
  const target = m[2];
  const q = target.indexOf('?');
  const headers = {};
  for (const l of lines) {
    if (l === '') continue;
    if (/^\s/.test(l)) return { skip: 'folded header value' };
    const c = l.indexOf(':');
    const name = l.slice(0, c);
    if (Object.keys(headers).some((n) => n.toLowerCase() === name.toLowerCase())) {
      return { skip: 'repeated header' };
    }
    headers[name] = l.slice(c + 1);
  }
  return { method: m[1], path: q < 0 ? target : target.slice(0, q), query: q < 0 ? '' : target.slice(q + 1),
           headers, body: rest.join('\n\n') };
}

const result = { compared: 0, skipped: [], failures: [] };
for (const name of fs.readdirSync(dir).sort()) {
  const cdir = path.join(dir, name);
  if (!fs.statSync(cdir).isDirectory()) continue;
  const ctx = JSON.parse(fs.readFileSync(path.join(cdir, 'context.json'), 'utf8'));
  if (ctx.normalize === false) { result.skipped.push(name + ': unnormalized path'); continue; }
  const req = parse(fs.readFileSync(path.join(cdir, 'request.txt'), 'utf8'));
  if (req.skip) { result.skipped.push(name + ': ' + req.skip); continue; }
  const want = fs.readFileSync(path.join(cdir, 'header-canonical-request.txt'), 'utf8');
  const wantSig = fs.readFileSync(path.join(cdir, 'header-signature.txt'), 'utf8').trim();
  if (ctx.sign_body) req.headers['X-Amz-Content-Sha256'] = await S.sha256Hex(req.body);
  const creds = { accessKeyId: ctx.credentials.access_key_id, secretAccessKey: ctx.credentials.secret_access_key,
                  sessionToken: ctx.credentials.token };
  const wantSigned = want.split('\n').slice(-2, -1)[0];
  for (const fallback of [false, true]) {
    S.forceFallback = fallback;
    const got = await S.sign(req, creds, ctx.region, ctx.service, new Date(ctx.timestamp));
    const gotSigned = got.canonical.split('\n').slice(-2, -1)[0];
    if (gotSigned !== wantSigned) {
      if (!fallback) result.skipped.push(name + ': signs ' + wantSigned);
      break;
    }
    result.compared++;
    if (got.canonical !== want || got.signature !== wantSig) {
      result.failures.push({ name, fallback, canonical: got.canonical, want, signature: got.signature, wantSig });
    }
  }
}
process.stdout.write(JSON.stringify(result) + '\n');
