// Generates TypeScript types for every proto/ file into services/generated/ with
// grpc-node's proto-loader-gen-types. The generated folder is committed and never edited.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'services', 'generated');
const protos = readdirSync(join(root, 'proto')).filter((f) => f.endsWith('.proto'));
rmSync(out, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules', '@grpc', 'proto-loader', 'build', 'bin', 'proto-loader-gen-types.js'),
    '--keepCase',
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--grpcLib=@grpc/grpc-js',
    ...protos,
    '--outDir',
    out,
    '-I',
    join(root, 'proto'),
  ],
  { stdio: 'inherit' },
);

// The generator writes absolute paths into comments; make them relative so a checkout in any
// folder generates the same files. Its imports have no extensions, so the folder is CommonJS
// for the type checker (the files hold types only and are never loaded at run time).
function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
for (const file of walk(out)) {
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replaceAll(`${join(root, 'proto')}/`, 'proto/'));
}
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
