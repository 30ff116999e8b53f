import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** How a path answers: a status (or a list used in turn, the last one kept), or never. */
export type Behaviour = number | number[] | 'hang';

/**
 * A local HTTP receiver of notifications (node:http on a free port of 127.0.0.1): each path
 * answers as its behaviour says and records what it got; `hanging` counts requests left unanswered.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly counts = new Map<string, number>();
  private readonly open = new Set<ServerResponse>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  on(path: string, behaviour: Behaviour): string {
    this.behaviours.set(path, behaviour);
    return `${this.url}${path}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Requests received and not answered (a hanging path). */
  get hanging(): number {
    return this.open.size;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '/';
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : (value ?? '')]),
    );
    this.received.push({ path, headers, body: Buffer.concat(chunks).toString('utf8') });
    const behaviour = this.behaviours.get(path) ?? 404;
    const count = this.counts.get(path) ?? 0;
    this.counts.set(path, count + 1);
    if (behaviour === 'hang') {
      this.open.add(res);
      res.on('close', () => this.open.delete(res));
      return;
    }
    const status = Array.isArray(behaviour) ? (behaviour[Math.min(count, behaviour.length - 1)] ?? 200) : behaviour;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`answer ${status} to request ${count + 1}`);
  }
}
