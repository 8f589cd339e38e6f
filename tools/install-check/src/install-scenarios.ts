import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { publishablePackages, REPOSITORY_ROOT } from './publishable-packages.js';

const run = promisify(execFile);
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/**
 * The environment of a user's shell: without what the test runner and pnpm add (NODE_PATH would
 * let a program find packages the project never installed).
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
  for (const name of Object.keys(env)) {
    if (/^(NODE_PATH|NODE_OPTIONS|VITEST.*|npm_(?!config_update_notifier).*|PNPM_.*)$/.test(name)) delete env[name];
  }
  return env;
}

/** A fresh project a user makes: npm installs these, then small programs import them. */
export interface InstallScenario {
  name: string;
  /** Our packages, installed from the tarballs `pnpm pack` made. */
  packages: string[];
  /** Anything else from the registry, e.g. `ioredis@6.0.0`. */
  registry?: string[];
  /** Node ESM program (`check.mjs`); prints `ok` when it got what it expected. */
  esm: string;
  /** The same from CommonJS (`check.cjs`). */
  cjs: string;
  /** TypeScript compiled without skipLibCheck under node16 (as .mts and .cts) and bundler. */
  typescript: string;
}

export interface InstalledScenario {
  name: string;
  dir: string;
  /** Every package in node_modules (package-lock.json entries), ours included. */
  packages: string[];
  /** Packages that declare an install script (npm would run it: a native build, a download). */
  withInstallScripts: string[];
  /** Compiled addons (build/Release folders, .node files) anywhere in node_modules. */
  nativeBuilds: string[];
  installedBytes: number;
}

/**
 * Packs every publishable package as it would be published (`workspace:` ranges rewritten) into
 * `destination`; resolves to each package's tarball.
 */
export async function packPublishablePackages(destination: string): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  for (const pkg of publishablePackages()) {
    await run('pnpm', ['pack', '--pack-destination', destination], { cwd: pkg.path });
    const file = `${pkg.manifest.name.replace(/^@/, '').replace('/', '-')}-${pkg.manifest.version}.tgz`;
    tarballs.set(pkg.manifest.name, join(destination, file));
  }
  return tarballs;
}

async function directorySize(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += await directorySize(child);
    else if (entry.isFile()) total += (await stat(child)).size;
  }
  return total;
}

async function findNativeBuilds(path: string, found: string[] = []): Promise<string[]> {
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'Release' && path.endsWith('build')) found.push(child);
      else await findNativeBuilds(child, found);
    } else if (entry.name.endsWith('.node')) {
      found.push(child);
    }
  }
  return found;
}

/**
 * Installs a scenario into a new folder with npm, as a user would. Scripts are not run
 * (--ignore-scripts), and the lockfile then tells which packages have one that npm would run.
 */
export async function installScenario(scenario: InstallScenario, tarballs: Map<string, string>): Promise<InstalledScenario> {
  const dir = await mkdtemp(join(tmpdir(), `fastagentic-install-${scenario.name.replace(/\W+/g, '-')}-`));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'install-check', version: '0.0.0', private: true }));
  const specs = [...scenario.packages.map((name) => tarballs.get(name) ?? name), ...(scenario.registry ?? [])];
  await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: dir,
    env: userEnvironment(),
    maxBuffer: 16 * 1024 * 1024,
  });
  const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean }>;
  };
  const entries = Object.entries(lock.packages).filter(([path]) => path !== '');
  const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return {
    name: scenario.name,
    dir,
    packages: entries.map(([path]) => nameOf(path)).sort(),
    withInstallScripts: entries.filter(([, entry]) => entry.hasInstallScript).map(([path]) => nameOf(path)),
    nativeBuilds: await findNativeBuilds(join(dir, 'node_modules')),
    installedBytes: await directorySize(join(dir, 'node_modules')),
  };
}

/** Runs the scenario's ESM and CommonJS programs with Node; resolves to what each printed. */
export async function runPrograms(scenario: InstallScenario, installed: InstalledScenario): Promise<{ esm: string; cjs: string }> {
  await writeFile(join(installed.dir, 'check.mjs'), scenario.esm);
  await writeFile(join(installed.dir, 'check.cjs'), scenario.cjs);
  const [esm, cjs] = await Promise.all(
    ['check.mjs', 'check.cjs'].map(async (file) => (await run(process.execPath, [file], { cwd: installed.dir, env: userEnvironment(), timeout: 60_000 })).stdout.trim()),
  );
  return { esm: esm!, cjs: cjs! };
}

/**
 * Compiles TypeScript programs (one file each) in an installed project under one module
 * resolution, as the strictest user does: without skipLibCheck and with exactOptionalPropertyTypes,
 * so the published declarations must hold under both; resolves to tsc's diagnostics (empty when clean).
 */
export async function compileTypeScript(
  programs: { name: string; typescript: string }[],
  installed: InstalledScenario,
  resolution: 'node16' | 'bundler',
): Promise<string> {
  const folder = join(installed.dir, `ts-${resolution}`);
  await mkdir(folder, { recursive: true });
  // node16 checks each program as ESM (.mts) and as CommonJS (.cts): both export conditions.
  const extensions = resolution === 'node16' ? ['mts', 'cts'] : ['ts'];
  const files: string[] = [];
  for (const program of programs) {
    for (const extension of extensions) {
      const file = `${program.name.replace(/\W+/g, '-')}.${extension}`;
      await writeFile(join(folder, file), program.typescript);
      files.push(file);
    }
  }
  const tsconfig = {
    compilerOptions: {
      module: resolution === 'node16' ? 'node16' : 'esnext',
      moduleResolution: resolution,
      target: 'es2022',
      lib: ['es2022', 'dom'],
      strict: true,
      exactOptionalPropertyTypes: true,
      esModuleInterop: true,
      noEmit: true,
      skipLibCheck: false,
      types: ['node'],
      typeRoots: [join(REPOSITORY_ROOT, 'node_modules/@types')],
    },
    files,
  };
  await writeFile(join(folder, 'tsconfig.json'), JSON.stringify(tsconfig));
  try {
    await run(process.execPath, [TSC, '-p', folder], { cwd: folder, env: userEnvironment(), maxBuffer: 16 * 1024 * 1024 });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error).trim();
  }
}
