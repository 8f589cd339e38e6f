// `pnpm lint`: what every publishable package must carry for users to trust and resolve it
// (attw and publint check the exports; this checks the rest).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishablePackages, type PublishablePackage } from './publishable-packages.js';

const REPOSITORY_URL = 'git+https://github.com/fastagentic/fastagentic-memory.git';
const COPYRIGHT = 'Copyright (c) 2026 FastAgentic contributors';

/** Bare package names a built ESM or types file imports, following its relative imports. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  const found = new Set<string>();
  if (seen.has(file) || !existsSync(file)) return found;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const pattern = /(?:^|[;\n}])\s*(?:import|export)\s*(?:[^'"()]*?\sfrom\s*)?["']([^"']+)["']|\bimport\(["']([^"']+)["']\)/g;
  for (const [, staticSpecifier, typeSpecifier] of text.matchAll(pattern)) {
    const specifier = staticSpecifier ?? typeSpecifier;
    if (specifier!.startsWith('.')) {
      for (const name of staticImports(join(file, '..', specifier!), seen)) found.add(name);
    } else if (!specifier!.startsWith('node:')) {
      const parts = specifier!.split('/');
      found.add(specifier!.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return found;
}

/** Every condition object inside an export entry, for the types-first check. */
function conditionObjects(value: unknown): Record<string, unknown>[] {
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Record<string, unknown>;
  return [object, ...Object.values(object).flatMap(conditionObjects)];
}

/** The ESM code and types files of an export entry (its first `import` condition). */
function esmFiles(entry: unknown): string[] {
  for (const object of conditionObjects(entry)) {
    const esm = object.import as Record<string, unknown> | undefined;
    if (esm) return [esm.types, esm.default].filter((file): file is string => typeof file === 'string');
  }
  return [];
}

export function packageProblems({ dir, path, manifest }: PublishablePackage): string[] {
  const problems: string[] = [];
  const expect = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  expect(manifest.engines?.node === '>=20', 'engines.node must be ">=20"');
  expect(manifest.license === 'MIT', 'license must be "MIT"');
  const license = join(path, 'LICENSE');
  expect(existsSync(license) && readFileSync(license, 'utf8').includes(COPYRIGHT), `LICENSE file with "${COPYRIGHT}"`);
  expect(
    manifest.repository?.type === 'git' && manifest.repository.url === REPOSITORY_URL && manifest.repository.directory === `packages/${dir}`,
    `repository must be { type: "git", url: "${REPOSITORY_URL}", directory: "packages/${dir}" }`,
  );
  expect(
    manifest.homepage === `https://github.com/fastagentic/fastagentic-memory/tree/main/packages/${dir}#readme`,
    'homepage must be the package folder on GitHub (#readme)',
  );
  expect(manifest.sideEffects === false, 'sideEffects must be false');
  expect(JSON.stringify(manifest.files) === '["dist"]', 'files must be ["dist"]');

  const exportsMap = manifest.exports ?? {};
  expect(typeof exportsMap['.'] === 'object', 'exports must map "." with conditions');
  const subpaths = Object.keys(exportsMap).filter((key) => key !== '.' && key !== './package.json');
  for (const [key, entry] of Object.entries(exportsMap)) {
    if (key === './package.json') continue;
    for (const object of conditionObjects(entry)) {
      if ('types' in object) expect(Object.keys(object)[0] === 'types', `exports["${key}"]: "types" must come first`);
      if ('import' in object || 'require' in object) {
        const conditions = [object.import, object.require] as (Record<string, unknown> | undefined)[];
        expect(conditions.every((condition) => typeof condition?.types === 'string'), `exports["${key}"]: import and require each need types`);
      }
    }
  }
  for (const subpath of subpaths) {
    const target = manifest.typesVersions?.['*']?.[subpath.slice(2)]?.[0];
    expect(
      target !== undefined && existsSync(join(path, target)),
      `typesVersions["*"]["${subpath.slice(2)}"] must point at the built types of ${subpath} (moduleResolution node)`,
    );
  }

  // A peer that some entry never imports (code or types) is one its users may not have: optional.
  const entries = Object.entries(exportsMap).filter(([key]) => key !== './package.json');
  const importsPerEntry = entries.map(([, entry]) => new Set(esmFiles(entry).flatMap((file) => [...staticImports(join(path, file))])));
  for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
    const everyEntryNeedsIt = importsPerEntry.every((imports) => imports.has(peer));
    const optional = manifest.peerDependenciesMeta?.[peer]?.optional === true;
    expect(everyEntryNeedsIt || optional, `peer "${peer}" is not imported by every entry: mark it optional in peerDependenciesMeta`);
    expect(!everyEntryNeedsIt || !optional, `peer "${peer}" is imported by every entry, so it is not optional`);
  }
  for (const peer of Object.keys(manifest.peerDependenciesMeta ?? {})) {
    expect(peer in (manifest.peerDependencies ?? {}), `peerDependenciesMeta names "${peer}", which is not a peer`);
  }
  return problems;
}

const failures = publishablePackages().flatMap((pkg) => packageProblems(pkg).map((problem) => `${pkg.manifest.name}: ${problem}`));
for (const failure of failures) console.error(failure);
if (failures.length > 0) process.exit(1);
console.log(`package metadata: ${publishablePackages().length} publishable packages checked, no problems`);
