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
 * a snapshot is taken; its chunks are discarded, or summed by node type and
 * name to show what grew. Node 22's global
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

/** What a heap snapshot holds, by node type and by `type:name` (constructor, code kind, ...). */
export interface HeapComposition {
  /** Bytes (self sizes) by node type: `object`, `string`, `code`, `closure`, `native`, ... */
  byType: Record<string, number>;
  /** Count and bytes by `type:name`, for diffs. */
  byName: Record<string, { count: number; bytes: number }>;
}

interface Reply {
  id?: number;
  method?: string;
  params?: { chunk?: string };
  result?: Record<string, unknown>;
  error?: { message: string };
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);

/** Sums a snapshot's nodes by type and by name (strings by their first 40 characters). */
function compose(snapshot: Snapshot): HeapComposition {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const composition: HeapComposition = { byType: {}, byName: {} };
  const { nodes, strings } = snapshot;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const kind = types[nodes[i + type!]!]!;
    const bytes = nodes[i + size!]!;
    let label = strings[nodes[i + name!]!]!;
    if (STRING_TYPES.has(kind)) label = JSON.stringify(label.slice(0, 40));
    composition.byType[kind] = (composition.byType[kind] ?? 0) + bytes;
    const entry = (composition.byName[`${kind}:${label}`] ??= { count: 0, bytes: 0 });
    entry.count++;
    entry.bytes += bytes;
  }
  return composition;
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
  /** The chunks of the snapshot being taken, when it is kept; otherwise they are dropped. */
  private chunks: string[] | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event: MessageEvent) => {
      const reply = JSON.parse(String(event.data)) as Reply;
      if (reply.method === 'HeapProfiler.addHeapSnapshotChunk' && reply.params?.chunk) {
        this.chunks?.push(reply.params.chunk);
      }
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

  /**
   * A full GC (through a heap snapshot), then the heap in use; with
   * `compose`, also what the snapshot holds (else its chunks are dropped).
   */
  async heapAfterGc(compose: true): Promise<HeapUsage & { composition: HeapComposition }>;
  async heapAfterGc(compose?: false): Promise<HeapUsage>;
  async heapAfterGc(keep = false): Promise<HeapUsage & { composition?: HeapComposition }> {
    this.chunks = keep ? [] : undefined;
    try {
      await this.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      const composition = this.chunks && compose(JSON.parse(this.chunks.join('')) as Snapshot);
      return { ...(await this.heapUsage()), ...(composition ? { composition } : {}) };
    } finally {
      this.chunks = undefined;
    }
  }

  close(): void {
    this.socket.close();
  }
}
