import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a server (here: PostgreSQL), to break connections the way a network does. `cut()`
 * resets every open connection at once (RST to the client); while `down`, new connections are reset on arrival.
 */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  /** While true, connections are refused (reset) as they arrive: the server is "unreachable". */
  down = false;
  /** Connections accepted so far. */
  accepted = 0;
  /** Connections accepted while held, waiting to be forwarded. */
  #held: Socket[] | undefined;

  constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  async start(): Promise<number> {
    this.#server = createServer((client) => this.#accept(client));
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as AddressInfo).port;
  }

  /** Accepts new connections but forwards nothing until `release()`: the server "hangs". */
  hold(): void {
    this.#held ??= [];
  }

  /** Forwards the held connections and every later one. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const client of held) if (!client.destroyed) this.#forward(client);
  }

  /** Resets every open connection, both sides, without a goodbye. */
  cut(): void {
    for (const socket of this.#sockets) {
      if (socket.destroyed) continue;
      if (typeof socket.resetAndDestroy === 'function' && socket.readyState === 'open') socket.resetAndDestroy();
      else socket.destroy();
    }
    this.#sockets.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  #accept(client: Socket): void {
    if (this.down) {
      client.resetAndDestroy();
      return;
    }
    this.accepted += 1;
    if (this.#held) {
      client.on('error', () => {});
      this.#held.push(client);
      return;
    }
    this.#forward(client);
  }

  #forward(client: Socket): void {
    const upstream = createConnection(this.#target);
    this.#sockets.add(client);
    this.#sockets.add(upstream);
    const drop = (socket: Socket) => () => {
      this.#sockets.delete(socket);
      if (socket === client) upstream.destroy();
      else client.destroy();
    };
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.on('close', drop(client));
    upstream.on('close', drop(upstream));
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
