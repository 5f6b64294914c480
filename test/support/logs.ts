import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { LogLevel } from '../../runtime/src/config.js';
import { createLogger } from '../../runtime/src/logger.js';

/** A real runtime logger (same redaction) writing parsed JSON lines into `lines` for assertions. */
export function captureLogs(level: LogLevel = 'debug'): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  text: () => string;
} {
  const raw: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger(level, stream), lines, text: () => raw.join('\n') };
}
