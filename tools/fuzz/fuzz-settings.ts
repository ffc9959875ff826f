// Seed and size of every fuzz property in the repo (the `*.fuzz.test.ts` files beside the
// code). `npm test` runs each property a bounded number of times from a fixed seed, so a
// CI run is quick and repeatable; `node tools/fuzz/run.mjs --runs N --seed S` sets the
// environment below for longer or differently seeded runs.
import fc from 'fast-check';

/**
 * fast-check keeps generated arrays and strings to about ten elements unless told
 * otherwise, whatever `maxLength` says. A fuzz property that asks for 2,000 bytes means
 * it (long SBs, long handshakes), so a given `maxLength` is the size generated up to.
 */
fc.configureGlobal({ defaultSizeToMaxWhenMaxSpecified: true });

/** The seed CI uses when none is given: fixed, so a red build reproduces on any machine. */
export const CI_SEED = 20261121;

export interface FuzzSettings {
  seed: number;
  /** runs per property, or undefined to use each property's own CI default */
  runs: number | undefined;
}

export function fuzzSettings(env: NodeJS.ProcessEnv = process.env): FuzzSettings {
  const seed = env['CARRIER_FUZZ_SEED'] === undefined || env['CARRIER_FUZZ_SEED'] === '' ? CI_SEED : Number(env['CARRIER_FUZZ_SEED']);
  const runs = env['CARRIER_FUZZ_RUNS'] === undefined || env['CARRIER_FUZZ_RUNS'] === '' ? undefined : Number(env['CARRIER_FUZZ_RUNS']);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`CARRIER_FUZZ_SEED must be an integer (got ${env['CARRIER_FUZZ_SEED']})`);
  if (runs !== undefined && !(Number.isSafeInteger(runs) && runs > 0)) {
    throw new RangeError(`CARRIER_FUZZ_RUNS must be a positive integer (got ${env['CARRIER_FUZZ_RUNS']})`);
  }
  return { seed, runs };
}

/**
 * fc.assert with the repo's seed and run count. `ciRuns` keeps a property's share of
 * `npm test` small (large inputs get fewer runs). A failure names the seed, fast-check's
 * replay path and the command that runs the same property again.
 */
export function fuzz<Ts>(property: fc.IProperty<Ts>, ciRuns: number): void {
  const { seed, runs } = fuzzSettings();
  const numRuns = runs ?? ciRuns;
  try {
    fc.assert(property, { seed, numRuns });
  } catch (err) {
    const e = err as Error;
    // fast-check prints strings as JSON, which leaves DEL (Backspace to a BBS) and the C1
    // controls raw: a terminal shows them as nothing, and a counterexample copied from it
    // would not replay. Inside its string literals \uXXXX is exact; elsewhere it names the character.
    e.message = e.message.replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    e.message += `\n\nfuzz seed ${seed}, ${numRuns} runs; again: node tools/fuzz/run.mjs --seed ${seed} --runs ${numRuns}`;
    throw e;
  }
}

/**
 * One byte stream cut into reads at arbitrary points, the way TCP may deliver it:
 * every codec here keeps state across pushes and must not care where the cuts fall.
 */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % (bytes.length + 1))))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const p of points) {
    out.push(Buffer.from(bytes.subarray(at, p)));
    at = p;
  }
  out.push(Buffer.from(bytes.subarray(at)));
  return out;
}

/** The same for text, cut between code points (a decoder of text never sees half a character). */
export function splitText(text: string, cuts: readonly number[]): string[] {
  const points = [...text];
  const idx = [...new Set(cuts.map((c) => c % (points.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let at = 0;
  for (const p of idx) {
    out.push(points.slice(at, p).join(''));
    at = p;
  }
  out.push(points.slice(at).join(''));
  return out;
}

/** Arbitrary cut points for splitAt/splitText. */
export const cutPoints = fc.array(fc.nat({ max: 1 << 20 }), { maxLength: 12 });
