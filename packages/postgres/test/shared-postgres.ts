import pg from 'pg';
import type { Embedder } from '@fastagentic/memory';
import { terms } from '@fastagentic/memory/provider';

/** The machine's PostgreSQL (trust auth); every test file works in a schema of its own, dropped afterwards. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function uniqueSchema(label: string): string {
  return `fa_test_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Runs one statement on a short-lived connection (schema set-up and clean-up, inspection). */
export async function adminQuery<Row = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/**
 * A bag-of-words embedder over the core's terms, hashed into 256 dimensions: texts sharing words
 * point the same way, so similarity search has real structure without a model.
 */
export const wordEmbedder: Embedder = {
  dimensions: 256,
  async embed(texts) {
    return texts.map((text) => {
      const vector: number[] = new Array<number>(256).fill(0);
      for (const term of terms(text)) {
        let hash = 2166136261;
        for (let i = 0; i < term.length; i++) hash = Math.imul(hash ^ term.charCodeAt(i), 16777619);
        vector[(hash >>> 0) % 256]! += 1;
      }
      if (!vector.some((value) => value !== 0)) vector[0] = 1e-3;
      return vector;
    });
  },
};
