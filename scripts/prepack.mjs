// `npm pack` and `npm publish` run this first (package.json's prepack): a clean build, so the
// tarball carries dist/ (the compiled code and its type declarations) and nothing an earlier
// build of a moved or deleted source left there. DCBOX_PACK_PREBUILT=1 skips it when dist/ was
// just built (test/package.test.ts runs after `npm test`'s build), and fails when there is none.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.DCBOX_PACK_PREBUILT === '1') {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    console.error('prepack: DCBOX_PACK_PREBUILT=1 but dist/ is not built; run `npm run build`');
    process.exit(1);
  }
} else {
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const npm = process.env.npm_execpath;
  const [cmd, args] = npm
    ? [process.execPath, [npm, 'run', 'build', '--silent']]
    : ['npm', ['run', 'build', '--silent']];
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
}
