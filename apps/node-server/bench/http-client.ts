import { Agent, request } from 'node:http';

export interface Reply {
  status: number;
  body: string;
}

/** A POST over keep-alive connections of `agent`, given up after `timeoutMs`. */
export function post(agent: Agent, url: URL, headers: Record<string, string>, body: string, timeoutMs = 10_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no reply within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** What a chat reply says when it went on without memories (backend failed or ran past the budget). */
export const WITHOUT_MEMORIES = '"memoryAvailable":false';
