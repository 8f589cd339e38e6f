import { terms, TERMS_VERSION } from '@fastagentic/memory/provider';
import type { Cluster, Redis } from 'ioredis';
import { decodeRecords } from '../src/memory-record.js';
import type { UserKeys } from '../src/redis-key-layout.js';

/**
 * What the user's index keys hold, and what they should hold given the user's records (built
 * here from the records with the core's terms, independently of the scripts' encoding code).
 */
export async function indexAgainstRecords(client: Redis | Cluster, keys: UserKeys, sessionField = 'sessionId') {
  const records = decodeRecords(await client.hvals(keys.records));
  const expectedPostings: string[] = [];
  const expectedEntries: Record<string, string> = {};
  const expectedSessions: string[] = [];
  let totalTerms = 0;
  for (const record of records) {
    const all = terms(record.memory);
    totalTerms += all.length;
    const counts = new Map<string, number>();
    for (const term of all) counts.set(term, (counts.get(term) ?? 0) + 1);
    const seqHex = record.seq.toString(16).padStart(14, '0');
    for (const [term, tf] of counts) expectedPostings.push(`${term}\0${seqHex}\0${tf}\0${all.length}`);
    expectedEntries[seqHex] = String(all.length) + [...counts].map(([term, tf]) => `\0${term}\x01${tf}`).join('') + `\x02${record.id}`;
    // Tests that check the layout use sessionIds of plain ASCII, which Lua and JavaScript encode alike.
    const session = record.metadata[sessionField];
    const sessions = Array.isArray(session) ? session : [session];
    for (const each of new Set(sessions)) {
      if (typeof each === 'string' && !each.includes('\0')) expectedSessions.push(`${each}\0${seqHex}\0${record.id}`);
    }
  }
  const timeline = await client.zrange(keys.timeline, '0', '-1', 'WITHSCORES');
  const timelineById: Record<string, number> = {};
  for (let i = 0; i < timeline.length; i += 2) timelineById[timeline[i]!] = Number(timeline[i + 1]);
  const stats = await client.hgetall(keys.stats);
  return {
    actual: {
      postings: (await client.zrange(keys.postings, '0', '-1')).sort(),
      sessions: (await client.zrange(keys.sessions, '0', '-1')).sort(),
      entries: await client.hgetall(keys.terms),
      stats,
      timeline: timelineById,
    },
    expected: {
      postings: expectedPostings.sort(),
      sessions: expectedSessions.sort(),
      entries: expectedEntries,
      stats: records.length === 0 ? {} : { v: TERMS_VERSION, c: String(totalTerms), e: JSON.stringify(sessionField) },
      timeline: Object.fromEntries(records.map((record) => [record.id, record.seq])),
    },
  };
}
