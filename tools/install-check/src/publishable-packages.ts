import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPOSITORY_ROOT = resolve(import.meta.dirname, '../../..');

export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  engines?: Record<string, string>;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  sideEffects?: boolean;
  files?: string[];
  types?: string;
  exports?: Record<string, unknown>;
  typesVersions?: Record<string, Record<string, string[]>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface PublishablePackage {
  /** Folder under packages/, e.g. `redis`. */
  dir: string;
  path: string;
  manifest: PackageManifest;
}

/** Every package under packages/ that is not private: what npm users install. */
export function publishablePackages(): PublishablePackage[] {
  const packagesDir = join(REPOSITORY_ROOT, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const path = join(packagesDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as PackageManifest;
      return { dir: entry.name, path, manifest };
    })
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.dir.localeCompare(b.dir));
}
