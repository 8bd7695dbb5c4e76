// After tsc: dist/services/generated/ gets the `{ "type": "commonjs" }` marker its source folder
// has (scripts/gen-proto-types.mjs says why). tsc does not copy it, and without it a project that
// installs dcbox reads the generated declarations as ES modules, whose extensionless imports do
// not resolve, so the typed gRPC clients of `dcbox/testing` would fail its type check.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'services', 'generated');
mkdirSync(target, { recursive: true });
copyFileSync(join(root, 'services', 'generated', 'package.json'), join(target, 'package.json'));
