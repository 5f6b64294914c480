import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingBenchNodeFlags } from './bench-node-flags.js';
import { type ChildServer, startChildServer } from './child-server.js';
import { type BenchDatabase, createPostgresDatabase, createSqliteDatabase } from './databases.js';
import { measureJoseVerifyRate } from './jose-raw.js';
import { type LoadOptions, type LoadResult, runLoad } from './load.js';
import { median, medianPairedRatio } from './medians.js';
import type { PacedLoadOptions } from './paced-load.js';
import { runPacedLoadOnWorker } from './paced-load-worker.js';
import { PEER_CLIENT_ID, PEER_CLIENT_SECRET } from './peer-client.js';
import { type BenchResults, evaluate, renderReport, type Target } from './report.js';
import { type MajorGcDelta, majorGcBetween, readGcTotals } from './runtime-gc.js';
import { buildRuntime, freePort, productionEnv, runCli, startRuntime } from './runtime-process.js';
import { createApiKeys, createClient, issueAccessTokens, TOKEN_REQUEST_BODY } from './seed.js';
import { timeCommand } from './timings.js';

/**
 * `npm run bench`: loopback only, bounded (every load has a fixed duration or a fixed count), stops by itself.
 * Same load settings for the ceiling, the peer and the runtime. The ceiling and the peer run on the runtime's port
 * before, between and after the stores, and beside the runtime on ports of their own for the adjacent pairs that the
 * throughput targets use (measurePaired).
 */
/** Duration of each repetition of a saturation run, in seconds. */
const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 3);
/**
 * Repetitions of every duration-based run (saturation and fixed rate); the median is reported with each repetition
 * beside it. The ceiling, the peer and the runtime are repeated alike, so the ratios compare like with like.
 */
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
/**
 * Unrecorded load, in seconds, before the repetitions of every duration-based saturation run (the ceiling and the peer
 * alike): without it the first repetition after a server start or a seeding burst ran 5-20% below the next ones, while
 * V8 compiled the path and collected the seeding's garbage. Fixed-count runs spend one credential per request and
 * have none. The fixed-rate runs warm up on their own (paced-load.ts).
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
/**
 * Duration of each fixed-rate repetition, in seconds (after a 1 s warm-up that is not recorded). Long against periodic
 * pauses: a full mark-compact every 10 s or so (10-17 ms stopped) falls in a 3 s window once or not at all, which makes
 * its p99 a coin flip between 3 and 20-40 ms. The VM's own stalls remain; a 10 s window reports the tail a steady load
 * has rather than whether a stall fell inside it.
 */
const PACED_DURATION_SECONDS = Number(process.env.BENCH_PACED_DURATION_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** Distinct credentials for the cold-cache and fresh-token runs: each request presents one never seen before. */
const DISTINCT = Number(process.env.BENCH_DISTINCT_CREDENTIALS ?? 4000);
const VERIFY_SCOPE = 'incidents:read';

const load: Record<string, LoadResult> = {};
const measurements: Record<string, number> = {};

/** The repetition with the median of `key`, errors summed over all of them. */
function medianOf(runs: readonly LoadResult[], key: 'requestsPerSecond' | 'p99Ms'): LoadResult {
  const sorted = [...runs].sort((a, b) => a[key] - b[key]);
  const median = sorted[Math.floor((sorted.length - 1) / 2)] as LoadResult;
  return { ...median, errors: runs.reduce((sum, run) => sum + run.errors, 0) };
}

/** Keeps a scenario's result for the report and prints it, with each repetition where there were several. */
function record(name: string, result: LoadResult): LoadResult {
  load[name] = result;
  const rpsRuns = result.requestsPerSecondRuns ? ` (runs: ${result.requestsPerSecondRuns.join(', ')})` : '';
  const p99Runs = result.p99MsRuns ? ` (runs: ${result.p99MsRuns.join(', ')})` : '';
  const generatorLate = result.generatorLateP99MsRuns
    ? `; generator's own lateness, p99 of each run: ${result.generatorLateP99MsRuns.join(', ')} ms`
    : '';
  const majorGc = result.majorGcRuns
    ? `; runtime major GCs in each run: ${result.majorGcRuns.map((gc) => `${gc.count} (${gc.pauseMs} ms)`).join(', ')}`
    : '';
  process.stderr.write(
    `${name}: ${result.requestsPerSecond} req/s${rpsRuns}, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms${p99Runs}, errors ${result.errors}${generatorLate}${majorGc}\n`,
  );
  return result;
}

type SaturationTarget = Omit<LoadOptions, 'connections' | 'durationSeconds'>;

/** One saturation repetition. */
function saturationRun(options: SaturationTarget): Promise<LoadResult> {
  return runLoad({ connections: CONNECTIONS, durationSeconds: DURATION_SECONDS, ...options });
}

/** WARMUP_SECONDS of unrecorded load; its errors still count. */
async function warmUp(options: SaturationTarget): Promise<number> {
  if (WARMUP_SECONDS <= 0) return 0;
  return (await runLoad({ connections: CONNECTIONS, durationSeconds: WARMUP_SECONDS, ...options })).errors;
}

/** The median repetition of a saturation scenario, with every repetition beside it, recorded under `name`. */
function recordRepetitions(name: string, runs: readonly LoadResult[], warmupErrors: number): LoadResult {
  const median = medianOf(runs, 'requestsPerSecond');
  return record(name, {
    ...median,
    errors: median.errors + warmupErrors,
    ...(runs.length > 1 ? { requestsPerSecondRuns: runs.map((run) => run.requestsPerSecond) } : {}),
  });
}

/**
 * A saturation run (closed loop, CONNECTIONS connections): WARMUP_SECONDS unrecorded, then REPEATS runs of
 * DURATION_SECONDS, the median throughput reported; errors of the warm-up count too. Fixed-count runs (`amount`: one
 * distinct credential per request) run once, without a warm-up.
 */
async function measure(name: string, options: SaturationTarget): Promise<LoadResult> {
  if (options.amount) {
    return record(name, await runLoad({ connections: CONNECTIONS, durationSeconds: DURATION_SECONDS, ...options }));
  }
  const warmupErrors = await warmUp(options);
  const runs: LoadResult[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await saturationRun(options));
  return recordRepetitions(name, runs, warmupErrors);
}

/** A baseline server (the ceiling or the peer) running beside the runtime, on a port of its own. */
interface PairedBaseline {
  /** Its row's name, as the bracketing runs name it. */
  readonly name: string;
  readonly target: SaturationTarget;
}

/**
 * A runtime saturation scenario measured in REPEATS adjacent pairs with a baseline running beside it (the ceiling or
 * the peer, on a port of its own): after both warm up, a baseline repetition, then a runtime one, and again. The
 * target's ratio is the median of the pairs' ratios (medians.ts), as for fresh tokens against jose. The bracketing
 * baselines, on the runtime's own port before and after each store, are a minute and a half or more from most
 * scenarios, and a shared VM's speed moves by tens of percent within seconds: the ceiling between the stores and the
 * one after SQLite can differ by a third.
 */
async function measurePaired(
  name: string,
  options: SaturationTarget,
  baseline: PairedBaseline,
): Promise<{ runtime: LoadResult; ratio: number }> {
  const baselineWarmupErrors = await warmUp(baseline.target);
  const runtimeWarmupErrors = await warmUp(options);
  const baselineRuns: LoadResult[] = [];
  const runtimeRuns: LoadResult[] = [];
  for (let i = 0; i < REPEATS; i++) {
    baselineRuns.push(await saturationRun(baseline.target));
    runtimeRuns.push(await saturationRun(options));
  }
  recordRepetitions(`${baseline.name}, paired with ${name}`, baselineRuns, baselineWarmupErrors);
  const runtime = recordRepetitions(name, runtimeRuns, runtimeWarmupErrors);
  const ratio = medianPairedRatio(
    runtimeRuns.map((run) => run.requestsPerSecond),
    baselineRuns.map((run) => run.requestsPerSecond),
  );
  process.stderr.write(`${name}: median of the pairs' ratios to the ${baseline.name}: ${ratio.toFixed(3)}\n`);
  return { runtime, ratio };
}

/**
 * Latency at a fixed rate, open loop (see paced-load.ts for why not autocannon's overallRate), REPEATS repetitions
 * right after the saturation run the rate derives from; the median p99 is reported, with every repetition's beside it.
 * Errors add up over all. Each repetition carries the runtime's full GCs, read from its own /metrics (runtime-gc.ts).
 */
async function measureAtRate(
  name: string,
  metricsOrigin: string,
  options: Omit<PacedLoadOptions, 'connections' | 'durationSeconds'>,
): Promise<LoadResult> {
  const runs: LoadResult[] = [];
  const majorGcRuns: MajorGcDelta[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const before = await readGcTotals(metricsOrigin);
    runs.push(
      await runPacedLoadOnWorker({ connections: CONNECTIONS, durationSeconds: PACED_DURATION_SECONDS, ...options }),
    );
    majorGcRuns.push(majorGcBetween(before, await readGcTotals(metricsOrigin)));
  }
  return record(name, {
    ...medianOf(runs, 'p99Ms'),
    p99MsRuns: runs.map((run) => run.p99Ms),
    generatorLateP99MsRuns: runs.map((run) => run.generatorLateP99Ms ?? 0),
    majorGcRuns,
  });
}

/** Hands out each credential once, in order, for fixed-count runs. */
function oneEach(values: readonly string[], header: string, prefix = ''): () => Record<string, string> {
  let next = 0;
  return () => ({ [header]: `${prefix}${values[next++ % values.length]}` });
}

/**
 * Fresh-token verify against jose's raw ES256 rate, in REPEATS adjacent pairs: jose's rate, then right after it one
 * fixed-count run of DISTINCT tokens never presented before. Each run is a second or two, short against the VM's swings,
 * so the target takes the median of the pairs' ratios (`medianPairedRatio`), each pair measured on about the same
 * machine.
 */
async function measureFreshTokensAgainstJose(
  tag: string,
  verifyUrl: string,
  freshTokens: readonly string[],
): Promise<LoadResult & { versusJosePercent: number }> {
  const runs: LoadResult[] = [];
  const joseRates: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    joseRates.push(await measureJoseVerifyRate());
    runs.push(
      await runLoad({
        connections: CONNECTIONS,
        durationSeconds: DURATION_SECONDS,
        url: verifyUrl,
        amount: DISTINCT,
        perRequestHeaders: oneEach(freshTokens.slice(i * DISTINCT, (i + 1) * DISTINCT), 'authorization', 'Bearer '),
      }),
    );
  }
  const versusJosePercent =
    medianPairedRatio(
      runs.map((run) => run.requestsPerSecond),
      joseRates,
    ) * 100;
  measurements[`${tag}.jose_es256_verify_per_second`] = median(joseRates);
  process.stderr.write(
    `${tag}: jose raw ES256 verify right before each fresh-token run: ${joseRates.join(', ')}/s; ` +
      `median of the pairs' ratios ${versusJosePercent.toFixed(1)}%\n`,
  );
  const result = record(`${tag}: verify, JWT, fresh token each request (${DISTINCT})`, {
    ...medianOf(runs, 'requestsPerSecond'),
    requestsPerSecondRuns: runs.map((run) => run.requestsPerSecond),
  });
  return { ...result, versusJosePercent };
}

async function benchRuntime(database: BenchDatabase, port: number): Promise<void> {
  const env = productionEnv(port, await freePort(), database.databaseUrl, database.dataDir);
  const admin = JSON.parse(runCli(['bootstrap-admin', '--name', 'bench', '--json'], env)) as { api_key: string };
  const runtime = await startRuntime(env);
  const tag = database.name;
  let ceiling: ChildServer | undefined;
  let peer: ChildServer | undefined;
  try {
    // The ceiling and the peer beside the runtime, each on a port of its own, idle but for its paired repetitions.
    const ceilingPort = await freePort();
    ceiling = await startChildServer('bench/ceiling-server.ts', { PORT: String(ceilingPort) });
    const peerPort = await freePort();
    peer = await startChildServer('bench/peer-oidc-provider.ts', { PORT: String(peerPort) });
    const pairedCeiling = { name: CEILING, target: ceilingTarget(ceilingPort) };
    const pairedPeer = { name: PEER, target: peerTarget(peerPort) };
    const verifyUrl = `${runtime.baseUrl}/auth/verify?scope=${VERIFY_SCOPE}`;
    const [warmKey] = await createApiKeys(runtime.baseUrl, admin.api_key, 1);
    const coldKeys = await createApiKeys(runtime.baseUrl, admin.api_key, DISTINCT);
    const client = await createClient(runtime.baseUrl, admin.api_key);
    const [repeatedToken] = await issueAccessTokens(runtime.baseUrl, client, 1);
    // One set of DISTINCT never-seen tokens for each fresh-token repetition.
    const freshTokens = await issueAccessTokens(runtime.baseUrl, client, DISTINCT * REPEATS);
    await database.settle();
    const tokenRequest = {
      url: `${runtime.baseUrl}/oauth2/token`,
      method: 'POST' as const,
      headers: { authorization: client.basicAuthorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: TOKEN_REQUEST_BODY,
    };

    const metricsOrigin = runtime.metricsOrigin as string;
    const keyWarm = await measurePaired(
      `${tag}: verify, API key, warm cache`,
      { url: verifyUrl, headers: { 'x-api-key': warmKey as string } },
      pairedCeiling,
    );
    const verifyHalf = await measureAtRate(`${tag}: verify, API key, at half saturation (fixed rate)`, metricsOrigin, {
      url: verifyUrl,
      headers: { 'x-api-key': warmKey as string },
      rate: Math.max(1, Math.round(keyWarm.runtime.requestsPerSecond / 2)),
    });
    await measure(`${tag}: verify, API key, cold cache (${DISTINCT} distinct keys)`, {
      url: verifyUrl,
      amount: DISTINCT,
      perRequestHeaders: oneEach(coldKeys, 'x-api-key'),
    });
    // Every cold key recorded its first use: DISTINCT row updates.
    await database.settle();
    const jwtRepeated = await measurePaired(
      `${tag}: verify, JWT, same token`,
      { url: verifyUrl, headers: { authorization: `Bearer ${repeatedToken}` } },
      pairedCeiling,
    );
    const jwtFresh = await measureFreshTokensAgainstJose(tag, verifyUrl, freshTokens);
    const issuance = await measurePaired(`${tag}: token issuance (client credentials)`, tokenRequest, pairedPeer);
    const issuanceHalf = await measureAtRate(`${tag}: token issuance at half saturation (fixed rate)`, metricsOrigin, {
      ...tokenRequest,
      rate: Math.max(1, Math.round(issuance.runtime.requestsPerSecond / 2)),
    });
    measurements[`${tag}.verify_api_key_warm_rps`] = keyWarm.runtime.requestsPerSecond;
    measurements[`${tag}.verify_api_key_warm_vs_ceiling_pct`] = keyWarm.ratio * 100;
    measurements[`${tag}.verify_jwt_repeated_rps`] = jwtRepeated.runtime.requestsPerSecond;
    measurements[`${tag}.verify_jwt_repeated_vs_ceiling_pct`] = jwtRepeated.ratio * 100;
    measurements[`${tag}.verify_jwt_fresh_rps`] = jwtFresh.requestsPerSecond;
    measurements[`${tag}.verify_jwt_fresh_vs_jose_pct`] = jwtFresh.versusJosePercent;
    measurements[`${tag}.issuance_rps`] = issuance.runtime.requestsPerSecond;
    measurements[`${tag}.issuance_vs_peer_ratio`] = issuance.ratio;
    measurements[`${tag}.verify_p99_half_ms`] = verifyHalf.p99Ms;
    measurements[`${tag}.issuance_p99_half_ms`] = issuanceHalf.p99Ms;
    if (tag === 'sqlite') measurements['sqlite.cold_start_ms'] = runtime.coldStartMs;
  } finally {
    await ceiling?.stop();
    await peer?.stop();
    const exitCode = await runtime.stop();
    if (exitCode !== 0) process.stderr.write(`warning: gatehouse serve exited with ${exitCode} on SIGTERM\n`);
  }
}

const CEILING = 'ceiling: bare node:http 200';
const PEER = 'peer: oidc-provider token endpoint, client credentials, ES256 JWT';

function ceilingTarget(port: number): SaturationTarget {
  return { url: `http://127.0.0.1:${port}/` };
}

function peerTarget(port: number): SaturationTarget {
  const peerBasic = Buffer.from(`${PEER_CLIENT_ID}:${PEER_CLIENT_SECRET}`).toString('base64');
  return {
    url: `http://127.0.0.1:${port}/token`,
    method: 'POST',
    headers: { authorization: `Basic ${peerBasic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: TOKEN_REQUEST_BODY,
  };
}

/** The bare node:http ceiling and the oidc-provider peer, on the runtime's port, under the same load settings. */
async function measureBaselines(port: number, when: string): Promise<{ ceiling: number; peer: number }> {
  const ceiling = await startChildServer('bench/ceiling-server.ts', { PORT: String(port) });
  const ceilingLoad = await measure(`${CEILING} (${when})`, ceilingTarget(port));
  await ceiling.stop();

  const peer = await startChildServer('bench/peer-oidc-provider.ts', { PORT: String(port) });
  const peerLoad = await measure(`${PEER} (${when})`, peerTarget(port));
  await peer.stop();
  return { ceiling: ceilingLoad.requestsPerSecond, peer: peerLoad.requestsPerSecond };
}

async function main(): Promise<void> {
  const missingFlags = missingBenchNodeFlags();
  if (missingFlags.length > 0) {
    throw new Error(
      `bench/run.ts must run under node ${missingFlags.join(' ')} (see bench/bench-node-flags.ts); use npm run bench`,
    );
  }
  const startedAt = new Date().toISOString();
  await buildRuntime();
  const port = await freePort();

  // The ceiling and the peer are also measured on the runtime's own port before, between and after the two stores. The
  // targets' ratios come from the adjacent pairs of measurePaired; these, with the mean of the baselines right before
  // and right after a store's runs, give the same ratios from runs up to minutes apart, for comparison.
  const stores = [createPostgresDatabase, async () => createSqliteDatabase()];
  let previous = await measureBaselines(port, 'before postgres');
  for (const [index, create] of stores.entries()) {
    const database = await create();
    try {
      await benchRuntime(database, port);
    } finally {
      await database.drop();
    }
    const following = await measureBaselines(port, index + 1 < stores.length ? 'between the stores' : 'after sqlite');
    measurements[`${database.name}.ceiling_rps`] = Math.round((previous.ceiling + following.ceiling) / 2);
    measurements[`${database.name}.peer_rps`] = Math.round((previous.peer + following.peer) / 2);
    previous = following;
  }

  const synthOut = join(tmpdir(), 'gatehouse-bench-synth');
  // The app command `cdktf synth` runs (cdktf.json), as it runs it; the CLI's own time is the next measurement.
  const appCommand = (JSON.parse(readFileSync('cdktf.json', 'utf8')) as { app: string }).app;
  measurements.synth_all_environments_ms = timeCommand('sh', ['-c', appCommand], 2, { CDKTF_OUTDIR: synthOut });
  measurements.cdktf_cli_synth_ms = timeCommand('npx', ['cdktf', 'synth', '--output', synthOut], 1, {
    CHECKPOINT_DISABLE: '1',
  });
  measurements.typecheck_ms = timeCommand('npm', ['run', '--silent', 'typecheck'], 2);

  const ratio = (a: number, b: number) => (b > 0 ? (a / b) * 100 : 0);
  const targets: Target[] = [];
  for (const tag of ['postgres', 'sqlite']) {
    const m = (key: string) => measurements[`${tag}.${key}`] ?? 0;
    measurements[`${tag}.verify_api_key_warm_vs_bracketing_ceiling_pct`] = ratio(
      m('verify_api_key_warm_rps'),
      m('ceiling_rps'),
    );
    measurements[`${tag}.verify_jwt_repeated_vs_bracketing_ceiling_pct`] = ratio(
      m('verify_jwt_repeated_rps'),
      m('ceiling_rps'),
    );
    measurements[`${tag}.issuance_vs_bracketing_peer_ratio`] = ratio(m('issuance_rps'), m('peer_rps')) / 100;
    targets.push(
      {
        name: `${tag}: API-key verify (warm) / ceiling, adjacent pairs`,
        actual: m('verify_api_key_warm_vs_ceiling_pct'),
        kind: 'min',
        limit: 35,
        unit: '%',
      },
      {
        name: `${tag}: JWT verify (same token) / ceiling, adjacent pairs`,
        actual: m('verify_jwt_repeated_vs_ceiling_pct'),
        kind: 'min',
        limit: 35,
        unit: '%',
      },
      {
        name: `${tag}: JWT verify (fresh tokens) / raw jose ES256 verify`,
        actual: m('verify_jwt_fresh_vs_jose_pct'),
        kind: 'min',
        limit: 70,
        unit: '%',
      },
      {
        name: `${tag}: issuance / oidc-provider peer, adjacent pairs`,
        actual: m('issuance_vs_peer_ratio'),
        kind: 'min',
        limit: 2,
        unit: 'x',
      },
      {
        name: `${tag}: verify p99 at half saturation`,
        actual: m('verify_p99_half_ms'),
        kind: 'max',
        limit: 5,
        unit: 'ms',
      },
      {
        name: `${tag}: issuance p99 at half saturation`,
        actual: m('issuance_p99_half_ms'),
        kind: 'max',
        limit: 10,
        unit: 'ms',
      },
    );
  }
  const errors = Object.values(load).reduce((sum, r) => sum + r.errors, 0);
  targets.push(
    { name: 'errors under load (all runs)', actual: errors, kind: 'max', limit: 0, unit: '' },
    {
      name: 'synth of all environments (app)',
      actual: measurements.synth_all_environments_ms,
      kind: 'max',
      limit: 2000,
      unit: 'ms',
    },
    { name: 'type-check', actual: measurements.typecheck_ms, kind: 'max', limit: 3000, unit: 'ms' },
    {
      name: 'cold start to /readyz (SQLite)',
      actual: measurements['sqlite.cold_start_ms'] ?? 0,
      kind: 'max',
      limit: 1000,
      unit: 'ms',
    },
  );

  const results: BenchResults = {
    startedAt,
    machine: { cpus: cpus().length, node: process.version },
    load,
    measurements,
    targets: targets.map(evaluate),
  };
  mkdirSync('bench', { recursive: true });
  writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(renderReport(results));
}

await main();
