import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetAccess } from './fleet.js';

/** The files the OpenSSH-based tools read, all in the bench's temp dir: nothing of ~/.ssh. */
export interface ClientFiles {
  /** `ssh -F` file: the fleet's user, port, key and known_hosts; StrictHostKeyChecking and BatchMode on. */
  sshConfig: string;
  /** One address a line (pssh, pdsh, clush). */
  hostsFile: string;
  /** An INI inventory of the same hosts (Ansible). */
  inventory: string;
  /** HOME for the tools, empty (Ansible writes ~/.ansible there). */
  home: string;
  /** Scratch space for one run (pssh's output dir). */
  scratch: string;
}

/** Writes the client files for the hosts of `access` into `dir` (a dir per fleet size). */
export function writeClientFiles(dir: string, access: FleetAccess): ClientFiles {
  mkdirSync(dir, { recursive: true });
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(
    sshConfig,
    [
      'Host *',
      `  User ${access.user}`,
      `  Port ${access.port}`,
      `  IdentityFile ${access.keyPath}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  UserKnownHostsFile ${access.knownHostsPath}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      // Ansible's ControlPersist would otherwise reuse the first round's connections.
      '  ControlMaster no',
      '  ControlPath none',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const hostsFile = join(dir, 'hosts');
  writeFileSync(hostsFile, `${access.addresses.join('\n')}\n`);
  const inventory = join(dir, 'inventory.ini');
  writeFileSync(inventory, `[fleet]\n${access.addresses.join('\n')}\n`);
  const home = join(dir, 'home');
  const scratch = join(dir, 'scratch');
  mkdirSync(home, { recursive: true });
  mkdirSync(scratch, { recursive: true });
  return { sshConfig, hostsFile, inventory, home, scratch };
}
