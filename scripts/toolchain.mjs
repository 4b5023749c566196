// Runs a command under Node.js >= 22.12, which wrangler 4 requires.
//
//   node scripts/toolchain.mjs <command> [args...]   runs the command
//   node scripts/toolchain.mjs --path                prints the PATH to use (for .ci/run)
//
// With a new enough Node on PATH it runs the command as it is. Otherwise it
// installs Node.js NODE_VERSION from the npm registry (the `node-<os>-<arch>`
// package, a plain Node binary) into the git-ignored .toolchain/ folder once,
// and runs the command with that Node first on PATH, so that wrangler, tsx and
// every script they start run under it. It says what it did in one line.
// Only Node built-ins and npm are used: it must run on the old Node too.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Node.js release provisioned when the machine's is too old (keep .ci/run's log in mind). */
export const NODE_VERSION = '22.23.5';
const MINIMUM = [22, 12];

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function newEnough(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1]);
}

function nodeOnPath(pathValue) {
  const found = spawnSync('node', ['--version'], {
    env: { ...process.env, PATH: pathValue },
    encoding: 'utf8',
  });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function packageName() {
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform];
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!os || !arch) {
    throw new Error(
      `no Node.js package for ${process.platform}-${process.arch}: install Node.js 22.12 or newer`,
    );
  }
  return `node-${os}-${arch}`;
}

/**
 * The PATH under which `node` is >= 22.12, provisioning Node into .toolchain/
 * when needed, and a one-line note of what was done (undefined when nothing).
 */
export function toolchainPath() {
  const current = process.env.PATH ?? '';
  const found = nodeOnPath(current);
  if (found && newEnough(found)) return { path: current, note: undefined };

  const name = packageName();
  const bin = join(root, '.toolchain', 'node_modules', name, 'bin');
  let action = 'already in .toolchain/';
  if (!existsSync(join(bin, 'node'))) {
    const install = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        join(root, '.toolchain'),
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `${name}@${NODE_VERSION}`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (install.status !== 0) throw new Error(`could not install ${name}@${NODE_VERSION} with npm`);
    action = 'installed into .toolchain/ from the npm registry';
  }
  return {
    path: `${bin}${delimiter}${current}`,
    note: `edgeauth: Node.js ${found ?? '(none)'} is older than ${MINIMUM.join('.')}, which wrangler needs; using Node.js v${NODE_VERSION}, ${action}.`,
  };
}

function main(args) {
  if (args.length === 0) {
    console.error('usage: node scripts/toolchain.mjs <command> [args...] | --path');
    return 2;
  }
  const { path, note } = toolchainPath();
  if (note) console.error(note);
  if (args[0] === '--path') {
    console.log(path);
    return 0;
  }
  const child = spawn(args[0], args.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, PATH: path },
  });
  // Ctrl-C reaches the child through the terminal's process group: let it
  // shut down on its own and wait for it. A signal sent to this process alone
  // is passed on.
  process.on('SIGINT', () => {});
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('error', (error) => {
    console.error(`edgeauth: could not run ${args[0]}: ${error.message}`);
    process.exit(127);
  });
  child.on('exit', (code, signal) =>
    process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1)),
  );
  return undefined;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const code = main(process.argv.slice(2));
    if (code !== undefined) process.exit(code);
  } catch (error) {
    console.error(`edgeauth: ${error.message}`);
    process.exit(1);
  }
}
