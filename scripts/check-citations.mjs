#!/usr/bin/env node
// Every citation of the project's references must resolve inside the repository: "docs/<file>.md
// §<Section>" names a heading of that file, and nothing cites a file outside the repository (the
// background notes the project was first written from are not shipped, so a clone could not follow
// such a reference). A path of the repository that a Markdown page names in backticks must exist,
// so the map in ARCHITECTURE.md and the docs cannot drift from the tree. Part of `npm test`; exits
// 1 with one line per broken citation.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  encoding: 'utf8',
})
  .split('\n')
  .filter(
    (f) => f && existsSync(f) && !f.startsWith('services/generated/') && !f.endsWith('package-lock.json'),
  )
  .filter((f) => /\.(ts|js|mjs|cjs|md|proto|ya?ml|json|sh|html|css)$|Dockerfile$/.test(f));

const headings = new Map();
function headingsOf(doc) {
  if (!headings.has(doc)) {
    const text = existsSync(doc) ? readFileSync(doc, 'utf8') : '';
    headings.set(
      doc,
      [...text.matchAll(/^#{2,4} +(.+?)\s*$/gm)].map((m) => m[1]),
    );
  }
  return headings.get(doc);
}

const OUTSIDE = /\b(DOMAIN\.md|BRIEF\.md|STYLE\.md)\b|\.\.\/shared\/|seed\/000_/;
const CITATION = /(docs\/[a-z0-9-]+\.md) (?:§|\\u00a7)([^\n`"'*)]+)/g;
const broken = [];
let cited = 0;
const TOP = 'services|orchestrator|cli|chaos|bench|sim|test|scripts|docs|observability|topologies|proto|bin';
const PATH = new RegExp(`\`((?:${TOP})/[A-Za-z0-9_./-]*)\``, 'g');
for (const file of files) {
  if (file === 'scripts/check-citations.mjs') continue;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const where = `${file}:${i + 1}`;
      if (OUTSIDE.test(line)) broken.push(`${where}: cites a file outside the repository: ${line.trim()}`);
      if (file.endsWith('.md'))
        for (const [, path] of line.matchAll(PATH))
          if (!existsSync(path)) broken.push(`${where}: names ${path}, which does not exist`);
      for (const m of line.matchAll(CITATION)) {
        cited++;
        const [, doc, rest] = m;
        if (!headingsOf(doc).some((h) => rest.startsWith(h)))
          broken.push(`${where}: ${doc} has no section that "§${rest.trim()}" names`);
      }
    });
}
if (cited === 0) broken.push('no citation of docs/*.md found: the check itself is broken');
for (const b of broken) console.error(b);
if (broken.length) process.exit(1);
console.log(`check-citations: ${cited} citations of docs/*.md resolve, none outside the repository`);
