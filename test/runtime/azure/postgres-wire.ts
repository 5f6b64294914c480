import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback server speaking just enough of the PostgreSQL wire protocol to see what a client sends as its password:
 * it answers the startup message with AuthenticationCleartextPassword (as Azure's Entra authentication does, over
 * TLS), records the user, database and password, then accepts the login (AuthenticationOk, ReadyForQuery) and answers
 * every simple query with an empty result, so `pg` sees a working connection.
 */
export class PasswordRecordingServer {
  readonly logins: Array<{ user: string; database: string; password: string }> = [];
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();

  async start(): Promise<number> {
    this.#server = createServer((socket) => this.#serve(socket));
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  #serve(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    let buffer = Buffer.alloc(0);
    let startup: Record<string, string> | undefined;
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (!startup) {
          if (buffer.length < 4) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const fields = buffer
            .subarray(8, length - 1)
            .toString('utf8')
            .split('\0');
          startup = {};
          for (let i = 0; i + 1 < fields.length; i += 2) startup[fields[i]] = fields[i + 1];
          buffer = buffer.subarray(length);
          socket.write(message('R', int32(3))); // AuthenticationCleartextPassword
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]);
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        const body = buffer.subarray(5, length + 1);
        buffer = buffer.subarray(length + 1);
        if (type === 'p') {
          this.logins.push({
            user: startup.user,
            database: startup.database,
            password: body.subarray(0, body.length - 1).toString('utf8'),
          });
          socket.write(Buffer.concat([message('R', int32(0)), message('Z', Buffer.from('I'))]));
        } else if (type === 'Q') {
          socket.write(Buffer.concat([message('C', Buffer.from('SELECT 0\0')), message('Z', Buffer.from('I'))]));
        } else if (type === 'X') {
          socket.end();
          return;
        }
      }
    });
  }
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}
