import { connect as tcpConnect, type Socket } from 'node:net';
import type { BunRedisRawClient, RedisCommandArgument } from 'bullmq';

/** Where a Redis server is, parsed from a redis:// URL. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

export function parseRedisUrl(url: string): RedisTarget {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    db: parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}

/** A decoded RESP2 reply. Error replies nested in arrays (EXEC results) stay Error values. */
export type RespReply = string | number | null | Error | RespReply[];

interface Pending {
  resolve: (reply: RespReply) => void;
  reject: (error: Error) => void;
}

const CLOSED = 'Connection closed';

/**
 * A minimal RESP2 connection with the surface of Bun's RedisClient, so BullMQ's own
 * `createBunRedisClient` adapter turns it into a full BullMQ Redis client.
 *
 * Why it exists: BullMQ 6 loads `ioredis` lazily and no Redis driver is installed in
 * the workspace (see the service report). Replace with ioredis once it is a dependency.
 */
export class RespConnection implements BunRedisRawClient {
  connected = false;
  onconnect: (() => void) | null = null;
  onclose: ((error?: Error) => void) | null = null;
  onerror: ((error: Error) => void) | null = null;

  private socket: Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private closed = false;

  constructor(private readonly target: RedisTarget) {}

  connect(): Promise<void> {
    if (this.socket !== undefined) return Promise.reject(new Error('RespConnection: connect() called twice'));
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host: this.target.host, port: this.target.port });
      this.socket = socket;
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 10_000);
      let opened = false;
      socket.on('data', (chunk: Buffer) => this.receive(chunk));
      socket.once('error', (error) => {
        if (!opened) reject(error);
        else this.onerror?.(error);
        this.shutdown(error);
      });
      socket.once('close', () => this.shutdown());
      socket.once('connect', () => {
        opened = true;
        void this.handshake().then(
          () => {
            this.connected = true;
            this.onconnect?.();
            resolve();
          },
          (error: Error) => {
            reject(error);
            socket.destroy();
          },
        );
      });
    });
  }

  send<T = RespReply>(command: string, args: RedisCommandArgument[]): Promise<T> {
    const socket = this.socket;
    if (socket === undefined || this.closed) return Promise.reject(new Error(CLOSED));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ resolve: resolve as (reply: RespReply) => void, reject });
      socket.write(encodeCommand(command, args));
    });
  }

  get(key: string): Promise<string | null> {
    return this.send<string | null>('GET', [key]);
  }

  smembers(key: string): Promise<unknown[]> {
    return this.send<unknown[]>('SMEMBERS', [key]);
  }

  incr(key: string): Promise<number> {
    return this.send<number>('INCR', [key]);
  }

  close(): void {
    this.socket?.end();
    this.shutdown();
  }

  async duplicate(): Promise<this> {
    return new RespConnection(this.target) as this;
  }

  private async handshake(): Promise<void> {
    if (this.target.password !== undefined) {
      const auth = this.target.username === undefined ? [this.target.password] : [this.target.username, this.target.password];
      await this.send('AUTH', auth);
    }
    if (this.target.db !== 0) await this.send('SELECT', [String(this.target.db)]);
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      let parsed: ReturnType<typeof parseReply>;
      try {
        parsed = parseReply(this.buffer, 0);
      } catch (error) {
        this.shutdown(error as Error);
        return;
      }
      if (parsed === undefined) return;
      this.buffer = this.buffer.subarray(parsed.end);
      const waiter = this.pending.shift();
      if (waiter === undefined) continue;
      if (parsed.reply instanceof Error) waiter.reject(parsed.reply);
      else waiter.resolve(parsed.reply);
    }
  }

  private shutdown(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    const wasConnected = this.connected;
    this.connected = false;
    for (const waiter of this.pending.splice(0)) waiter.reject(new Error(CLOSED));
    this.socket?.destroy();
    if (wasConnected) this.onclose?.(error);
  }
}

function encodeCommand(command: string, args: RedisCommandArgument[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length + 1}\r\n$${Buffer.byteLength(command)}\r\n${command}\r\n`)];
  for (const arg of args) {
    const data = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${data.length}\r\n`), data, CRLF);
  }
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n');

/** Parses one reply at `start`; undefined when the buffer does not hold all of it yet. */
export function parseReply(buffer: Buffer, start: number): { reply: RespReply; end: number } | undefined {
  const lineEnd = buffer.indexOf(CRLF, start);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[start] as number);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: line, end: next };
    case '-':
      return { reply: new Error(line), end: next };
    case ':':
      return { reply: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: RespReply[] = [];
      let offset = next;
      for (let i = 0; i < count; i += 1) {
        const item = parseReply(buffer, offset);
        if (item === undefined) return undefined;
        items.push(item.reply);
        offset = item.end;
      }
      return { reply: items, end: offset };
    }
    default:
      throw new Error(`unexpected RESP reply type ${JSON.stringify(type)}`);
  }
}
