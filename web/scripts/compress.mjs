// After `vite build`: a gzip twin (level 9) beside every text file in dist/, so the server sends
// pre-compressed bytes and never compresses at request time; then dist/files.txt, the list the
// C build embeds (one path per line with its SHA-256, so the list changes whenever a file does).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('../dist/', import.meta.url).pathname;
const text = /\.(html|js|css|svg|json|txt|webmanifest)$/;
const lines = [];

function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      walk(p);
      continue;
    }
    if (name.endsWith('.gz') || (dir === root && name === 'files.txt')) continue;
    const data = readFileSync(p);
    if (text.test(name)) {
      const gz = gzipSync(data, { level: 9 });
      // A gzip twin only pays when it is smaller.
      if (gz.length < data.length) writeFileSync(p + '.gz', gz);
    }
    const sum = createHash('sha256').update(data).digest('hex');
    lines.push(`${relative(root, p)} ${sum}`);
  }
}
walk(root);
writeFileSync(join(root, 'files.txt'), lines.join('\n') + '\n');
