/*
 * Just enough of a Redis client for the fault tests to find and delete their
 * own keys (SCAN + UNLINK), without a Redis library among the plugin's
 * dependencies: RESP2 over one TCP connection, one command at a time.
 */
import { Socket, connect } from 'node:net';

type Reply = string | number | null | Reply[] | Error;

/** Parses one RESP2 reply at `offset`; undefined when more bytes are needed. */
function parse(buffer: Buffer, offset: number): [Reply, number] | undefined {
  const end = buffer.indexOf('\r\n', offset);
  if (end === -1) return undefined;
  const type = String.fromCharCode(buffer[offset]);
  const line = buffer.toString('utf8', offset + 1, end);
  const next = end + 2;
  switch (type) {
    case '+':
      return [line, next];
    case '-':
      return [new Error(line), next];
    case ':':
      return [Number(line), next];
    case '$': {
      const length = Number(line);
      if (length === -1) return [null, next];
      if (buffer.length < next + length + 2) return undefined;
      return [buffer.toString('utf8', next, next + length), next + length + 2];
    }
    case '*': {
      const count = Number(line);
      if (count === -1) return [null, next];
      const items: Reply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, at);
        if (!item) return undefined;
        items.push(item[0]);
        at = item[1];
      }
      return [items, at];
    }
    default:
      throw new Error(`Unexpected RESP reply type ${type}`);
  }
}

export class RedisKeys {
  #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiting: Array<{ resolve(reply: Reply): void; reject(e: Error): void }> = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      for (;;) {
        const parsed = parse(this.#buffer, 0);
        if (!parsed) break;
        this.#buffer = this.#buffer.subarray(parsed[1]);
        const waiter = this.#waiting.shift();
        if (parsed[0] instanceof Error) waiter?.reject(parsed[0]);
        else waiter?.resolve(parsed[0]);
      }
    });
    socket.on('error', error => {
      for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
    });
  }

  /** Connects to a redis:// URL (host, port, optional password and database). */
  static async connect(url: string): Promise<RedisKeys> {
    const parsed = new URL(url);
    const socket = connect(
      Number(parsed.port || 6379),
      parsed.hostname.replace(/^\[|\]$/g, ''),
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new RedisKeys(socket);
    if (parsed.password) {
      await client.command(
        'AUTH',
        ...(parsed.username ? [decodeURIComponent(parsed.username)] : []),
        decodeURIComponent(parsed.password),
      );
    }
    const db = parsed.pathname.replace('/', '');
    if (db) await client.command('SELECT', db);
    return client;
  }

  command(...args: string[]): Promise<Reply> {
    const parts = [`*${args.length}\r\n`];
    for (const arg of args) {
      parts.push(`$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#socket.write(parts.join(''));
    });
  }

  /** Every key matching `pattern` (SCAN), in batches. */
  async *scan(pattern: string): AsyncGenerator<string[]> {
    let cursor = '0';
    do {
      const [next, keys] = (await this.command(
        'SCAN',
        cursor,
        'MATCH',
        pattern,
        'COUNT',
        '1000',
      )) as [string, string[]];
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== '0');
  }

  async unlink(keys: string[]): Promise<number> {
    return keys.length
      ? ((await this.command('UNLINK', ...keys)) as number)
      : 0;
  }

  /** How many keys match `pattern`. */
  async count(pattern: string): Promise<number> {
    let count = 0;
    for await (const keys of this.scan(pattern)) count += keys.length;
    return count;
  }

  /** Deletes every key matching `pattern`; returns how many. */
  async deleteMatching(pattern: string): Promise<number> {
    let deleted = 0;
    for await (const keys of this.scan(pattern)) {
      deleted += await this.unlink(keys);
    }
    return deleted;
  }

  async close(): Promise<void> {
    await this.command('QUIT').catch(() => undefined);
    this.#socket.destroy();
  }
}
