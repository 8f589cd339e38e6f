import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), '../template');
const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MIT = `MIT License

Copyright (c) 2026 FastAgentic contributors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

/** `acme-db` → `AcmeDb`. */
export function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function templateFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await templateFiles(path)));
    else files.push(path);
  }
  return files;
}

/**
 * Scaffolds `packages/<name>` in the repository at `root`: a provider backed by an in-memory
 * Map that passes the conformance suite as generated, its README, conformance test, package
 * metadata, LICENSE, and a changeset. Returns the files written, relative to `root`.
 */
export async function newProvider(name: string, root: string): Promise<string[]> {
  if (!NAME.test(name)) {
    throw new Error(`"${name}" is not a package name: lower-case letters and digits, words joined by "-" (e.g. acme-db)`);
  }
  const target = join(root, 'packages', name);
  if (await exists(target)) throw new Error(`packages/${name} exists already`);
  const fill = (text: string) =>
    text
      .replaceAll('__Pascal__', pascalCase(name))
      .replaceAll('__ENV__', name.toUpperCase().replaceAll('-', '_'))
      .replaceAll('__name__', name);
  const written: string[] = [];
  const write = async (path: string, text: string) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    written.push(relative(root, path));
  };
  for (const file of await templateFiles(TEMPLATE)) {
    const path = relative(TEMPLATE, file);
    const text = fill(await readFile(file, 'utf8'));
    if (path === 'changeset.md') await write(join(root, '.changeset', `${name}-provider.md`), text);
    else await write(join(target, fill(path).replace(/\.tmpl$/, '')), text);
  }
  const license = join(root, 'packages/memory/LICENSE');
  if (await exists(license)) {
    await copyFile(license, join(target, 'LICENSE'));
    written.push(relative(root, join(target, 'LICENSE')));
  } else {
    await write(join(target, 'LICENSE'), MIT);
  }
  return written.sort();
}
