// Every contender, and how one of its runs is measured: the OpenSSH-based tools and the
// paramiko script under GNU time (their ssh children included), the Node ones in a fresh
// Node process each (bench/remote/worker.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIsolated } from '../lib/isolate.js';
import type { ClientFiles } from './client-files.js';
import { COMMAND } from './expected.js';
import type { FleetAccess } from './fleet.js';
import { parseAnsibleOneLine, parseJsonLines, parsePrefixed, parsePsshDir } from './parse.js';
import { runTimed } from './timed.js';
import type { NodeJob, NodeOutcome } from './worker.js';

/** One run of one contender against one fleet. */
export interface Outcome {
  wallMs: number;
  /** Client CPU (user + system): the tool with its children, or the Node call alone. */
  cpuMs: number;
  /** Node rows: the whole worker process's CPU, Node and tsx start-up included. */
  processCpuMs?: number;
  /** Hosts that returned the expected output. */
  ok: number;
}

export interface RunContext {
  access: FleetAccess;
  files: ClientFiles;
  fanout: number;
  timeoutMs: number;
}

export interface Contender {
  /** What runs, as an engineer would type it (`$F` stands for the fanout). */
  label: string;
  measure(context: RunContext): Promise<Outcome>;
}

const WORKER = new URL('./worker.ts', import.meta.url);
const TEXTBOOK = fileURLToPath(new URL('./textbook.py', import.meta.url));
/** Debian's interpreter, the one python3-paramiko is installed for (not a pyenv shim). */
const PYTHON = '/usr/bin/python3';
const CURVE = '-o KexAlgorithms=curve25519-sha256';

function toolEnv(files: ClientFiles): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: files.home,
    LANG: 'C.UTF-8',
    // As shipped, but each run connects afresh (a persistent master would carry one round's connections into the next).
    ANSIBLE_SSH_ARGS: '-o ControlMaster=no',
    ANSIBLE_HOST_KEY_CHECKING: 'True',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCAL_TEMP: join(files.home, 'ansible-tmp'),
  };
}

/** An external tool; `argv` gets a fresh scratch dir for this run. */
function external(
  label: string,
  argv: (context: RunContext, scratch: string) => string[],
  count: (stdout: string, scratch: string) => Set<string>,
  extraEnv: (context: RunContext) => NodeJS.ProcessEnv = () => ({}),
): Contender {
  return {
    label,
    async measure(context) {
      const scratch = mkdtempSync(join(context.files.scratch, 'run-'));
      try {
        const run = await runTimed(argv(context, scratch), {
          env: { ...toolEnv(context.files), ...extraEnv(context) },
          cwd: scratch,
          timeoutMs: context.timeoutMs,
        });
        const ok = count(run.stdout, scratch);
        if (ok.size === 0)
          throw new Error(`no host answered; stderr: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
        return { wallMs: run.wallMs, cpuMs: run.cpuMs, ok: ok.size };
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
  };
}

function inNode(label: string, contender: NodeJob['contender']): Contender {
  return {
    label,
    async measure(context) {
      const job: NodeJob = { contender, access: context.access, fanout: context.fanout };
      const outcome = await runIsolated<NodeOutcome>(WORKER, [JSON.stringify(job)], context.timeoutMs);
      return {
        wallMs: outcome.wallMs,
        cpuMs: outcome.cpuMs,
        processCpuMs: outcome.processCpuMs,
        ok: outcome.okHosts.length,
      };
    },
  };
}

const pssh = (extra: string) => (context: RunContext, scratch: string) => [
  'parallel-ssh',
  ...['-p', String(context.fanout), '-h', context.files.hostsFile, '-o', join(scratch, 'out')],
  ...['-x', `-F ${context.files.sshConfig}${extra}`],
  COMMAND,
];
const psshCount = (_stdout: string, scratch: string) => parsePsshDir(join(scratch, 'out'));

export const CONTENDERS = {
  'sre-kit collect': inNode('collect(hosts, { commands, concurrency: $F })', 'sre-kit collect'),
  'bare ssh2 loop': inNode('ssh2 Client per host, p-limit($F): connect, exec, read, end', 'bare ssh2 loop'),
  pssh: external('parallel-ssh -p $F -h hosts -o DIR CMD', pssh(''), psshCount),
  'pssh, curve25519': external(`parallel-ssh -p $F -x '${CURVE}' …`, pssh(` ${CURVE}`), psshCount),
  pdsh: external(
    'pdsh -R ssh -f $F -w ^hosts CMD',
    (context) => [
      'pdsh',
      '-R',
      'ssh',
      '-f',
      String(context.fanout),
      '-l',
      'root',
      '-w',
      `^${context.files.hostsFile}`,
      COMMAND,
    ],
    parsePrefixed,
    (context) => ({ PDSH_SSH_ARGS_APPEND: `-F ${context.files.sshConfig}` }),
  ),
  clush: external(
    'clush -f $F --hostfile hosts CMD',
    (context) => [
      'clush',
      ...['-f', String(context.fanout), '-l', 'root', `--hostfile=${context.files.hostsFile}`],
      ...['-o', `-F ${context.files.sshConfig}`],
      COMMAND,
    ],
    parsePrefixed,
  ),
  'Ansible raw': external(
    'ansible all -i inv -m raw -a CMD -f $F -o',
    (context) => [
      'ansible',
      ...['all', '-i', context.files.inventory, '-u', 'root', '--private-key', context.access.keyPath],
      ...['--ssh-common-args', `-F ${context.files.sshConfig}`],
      ...['-m', 'raw', '-a', COMMAND, '-f', String(context.fanout), '-o'],
    ],
    parseAnsibleOneLine,
  ),
  'paramiko textbook': external(
    'paramiko SSHClient per host, ThreadPoolExecutor(10)',
    (context) => {
      const { access } = context;
      return [
        PYTHON,
        TEXTBOOK,
        access.knownHostsPath,
        access.keyPath,
        String(access.port),
        access.user,
        COMMAND,
        ...access.addresses,
      ];
    },
    parseJsonLines,
  ),
} satisfies Record<string, Contender>;

export type ContenderName = keyof typeof CONTENDERS;
export const BARE: ContenderName = 'bare ssh2 loop';
export const PSSH: ContenderName = 'pssh';
