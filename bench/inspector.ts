/**
 * A minimal client of workerd's V8 inspector (the Chrome DevTools Protocol),
 * for `npm run soak`: the heap of one isolate, after a full garbage
 * collection.
 *
 * Miniflare opens the inspector with its `inspectorPort` option; workerd then
 * lists one target per isolate at `/json` (`core:user:<name>` is the Worker,
 * `d1:db` and `kv:ns` the local storage simulators). `Runtime.getHeapUsage`
 * answers; workerd leaves `HeapProfiler.collectGarbage` unanswered, but
 * `HeapProfiler.takeHeapSnapshot` runs a full GC before it walks the heap, so
 * the snapshot is taken and its chunks are discarded. Node 22's global
 * `WebSocket` is the transport: no extra package.
 */

export interface HeapUsage {
  /** Bytes of the V8 heap in use (`usedSize`). */
  used: number;
  /** Bytes the V8 heap has reserved (`totalSize`). */
  total: number;
  /** Bytes outside the V8 heap held by ArrayBuffers and WebAssembly memories, when reported. */
  backingStorage?: number;
  /** Bytes of the embedder's (workerd's) own heap objects, when reported. */
  embedderUsed?: number;
}

interface Reply {
  id?: number;
  method?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
}

interface Target {
  id: string;
  webSocketDebuggerUrl: string;
}

/** The isolates workerd exposes, by target id (`core:user:edgeauth`, `d1:db`, ...). */
export async function listTargets(inspectorUrl: string): Promise<Map<string, string>> {
  const base = inspectorUrl.replace(/^ws:/, 'http:').replace(/\/$/, '');
  const targets = (await (await fetch(`${base}/json`)).json()) as Target[];
  return new Map(targets.map((target) => [target.id, target.webSocketDebuggerUrl]));
}

export class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event: MessageEvent) => {
      // Events (heap snapshot chunks among them) are dropped: only replies matter.
      const reply = JSON.parse(String(event.data)) as Reply;
      if (reply.id === undefined) return;
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    socket.addEventListener('close', () => {
      for (const resolve of this.pending.values()) resolve({ error: { message: 'closed' } });
      this.pending.clear();
    });
  }

  static open(url: string): Promise<InspectorSession> {
    const host = new URL(url).hostname;
    if (host !== '127.0.0.1') throw new Error(`refusing to inspect ${host}`);
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.addEventListener('open', () => resolve(new InspectorSession(socket)), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot open ${url}`)), {
        once: true,
      });
    });
  }

  /** Sends one command; rejects with its error, or when no reply comes within `seconds`. */
  send(method: string, params: object = {}, seconds = 120): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${seconds} s`));
      }, seconds * 1000);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.error) reject(new Error(`${method}: ${reply.error.message}`));
        else resolve(reply.result ?? {});
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  async heapUsage(): Promise<HeapUsage> {
    const result = await this.send('Runtime.getHeapUsage');
    const optional = (name: string) =>
      typeof result[name] === 'number' ? result[name] : undefined;
    const backingStorage = optional('backingStorageSize');
    const embedderUsed = optional('embedderHeapUsedSize');
    return {
      used: result.usedSize as number,
      total: result.totalSize as number,
      ...(backingStorage === undefined ? {} : { backingStorage }),
      ...(embedderUsed === undefined ? {} : { embedderUsed }),
    };
  }

  /** A full GC (through a heap snapshot, whose chunks are dropped), then the heap in use. */
  async heapAfterGc(): Promise<HeapUsage> {
    await this.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    return this.heapUsage();
  }

  close(): void {
    this.socket.close();
  }
}
