/**
 * @module fuzz/runner
 * One fuzz case from end to end: resolve it against the current pool, send
 * it through the configuration's real entry, check the answer, count it, and
 * renew the pool when the answer may have spent its credentials.
 */
import { documentedOperations, undocumented, type DocumentedOperations } from './documented';
import type { FuzzCase, Pool, TargetName } from './model';
import { violations, type Answer, type Exchange } from './oracle';
import { makePool } from './pool';
import { ORIGIN, resolveCase } from './resolve';
import { Tally } from './tally';
import { makeTargets, type Target } from './targets';

/** Renew the pool this often anyway, and after every answer that may have spent it. */
const RENEW_EVERY = 100;
/** Routes whose success revokes, rotates, renames or deletes what the pool holds. */
const SPENDS_POOL =
  /\/(logout|logoutall|logoutothers|blacklist|refresh|login|me|change)\/?$|\/(tokens|sessions)\/[^/]+\/?$/;

function spendsPool(x: Exchange): boolean {
  const method = x.request.method.toUpperCase();
  const unsafe = !['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(method);
  return unsafe && x.answer.status < 400 && SPENDS_POOL.test(new URL(x.request.url).pathname);
}

async function readAnswer(res: Response): Promise<Answer> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: new TextDecoder().decode(bytes) };
}

function preview(text: string, max = 400): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** What broke, and the request and answer, for the failure message. */
export function report(x: Exchange, problems: string[]): string {
  const { request, answer } = x;
  return [
    ...problems,
    `request (${x.target}): ${request.method} ${preview(request.url, 300)}`,
    ...[...request.headers].map(([name, value]) => `  ${name}: ${preview(value, 200)}`),
    `answer: ${answer.status}`,
    ...[...answer.headers].map(([name, value]) => `  ${name}: ${preview(value, 200)}`),
    `  ${preview(answer.body)}`,
  ].join('\n');
}

export class Runner {
  readonly tally = new Tally();
  private readonly pools = {} as Record<TargetName, Pool>;
  private runs = 0;

  private constructor(
    private readonly targets: Record<TargetName, Target>,
    private readonly documents: Record<TargetName, DocumentedOperations>,
  ) {}

  static async create(): Promise<Runner> {
    const targets = await makeTargets();
    const documents = {} as Record<TargetName, DocumentedOperations>;
    for (const target of Object.values(targets)) {
      const res = await target.fetch(new Request(`${ORIGIN}/api/schema/`));
      documents[target.name] = documentedOperations(await res.json());
    }
    const runner = new Runner(targets, documents);
    await runner.renew();
    return runner;
  }

  async renew(names = Object.keys(this.targets) as TargetName[]): Promise<void> {
    for (const name of names) this.pools[name] = await makePool(this.targets[name]);
  }

  /** Runs one case; throws the report when the answer breaks a property. */
  async run(generated: FuzzCase): Promise<void> {
    this.runs += 1;
    if (this.runs % RENEW_EVERY === 0) await this.renew();
    const target = this.targets[generated.target];
    const resolved = await resolveCase(generated, this.pools[generated.target]);
    const answer = await readAnswer(await target.fetch(resolved.request));
    const x: Exchange = {
      ...resolved,
      target: generated.target,
      serverSecrets: target.serverSecrets,
      answer,
    };
    this.tally.add(x);
    const problems = [...violations(x), ...undocumented(x, this.documents[x.target])];
    if (problems.length > 0) throw new Error(report(x, problems));
    if (spendsPool(x)) await this.renew([x.target]);
  }
}
