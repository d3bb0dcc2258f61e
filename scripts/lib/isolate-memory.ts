/**
 * The worker isolate's own memory, read through wrangler dev's inspector port with the DevTools protocol's
 * `Runtime.getHeapUsage`: the V8 heap of the one isolate, which is what Cloudflare's 128 MB per-isolate limit counts
 * (with wasm memory, which V8 does not report here), unlike workerd's process RSS (the runtime itself, other
 * isolates, freed memory V8 or the allocator keeps).
 */
import { WebSocket } from 'undici';

/** One `Runtime.getHeapUsage` answer, in bytes. */
export interface HeapUsage {
  /** JS heap in use, garbage not yet collected included (workerd does not answer `HeapProfiler.collectGarbage`). */
  used: number;
  /** ArrayBuffer backing stores (typed arrays, PNG and image buffers) outside the JS heap. */
  backingStores: number;
  /** workerd's own objects on the isolate's C++ heap (Request, Response, streams). */
  embedder: number;
}

/** A DevTools protocol reply. */
interface Reply {
  id: number;
  result?: Record<string, number>;
  error?: { message: string };
}

/** A DevTools protocol session with the worker through wrangler dev's inspector proxy. */
export class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: Reply) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      // Events (no id, or the proxy's own ids) have no waiter here.
      const reply: Reply = JSON.parse(String(event.data));
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
  }

  /** Connects to the inspector on `port` (loopback). */
  static open(port: number): Promise<InspectorSession> {
    // The proxy refuses WebSocket upgrades without an Origin it trusts (a guard against DNS rebinding).
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { Origin: 'http://127.0.0.1' } });
    return new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(new InspectorSession(socket)));
      socket.addEventListener('error', () => reject(new Error(`inspector on port ${port} refused the connection`)));
    });
  }

  /** The isolate's heap now. */
  async heapUsage(): Promise<HeapUsage> {
    const id = this.nextId++;
    const { result, error } = await new Promise<Reply>((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method: 'Runtime.getHeapUsage' }));
    });
    if (!result) throw new Error(`Runtime.getHeapUsage failed: ${error?.message}`);
    return { used: result.usedSize, backingStores: result.backingStorageSize, embedder: result.embedderHeapUsedSize };
  }

  close(): void {
    this.socket.close();
  }
}
