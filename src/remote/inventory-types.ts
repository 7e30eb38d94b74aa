/** A bastion a host is reached through (OpenSSH's ProxyJump). */
export interface JumpHost {
  /** The inventory name, when the jump host is a host of the inventory. */
  readonly name?: string;
  readonly host: string;
  readonly port: number;
  readonly user?: string;
  readonly identityFile?: string;
}

/** One host of an inventory, with the defaults applied and its jump host resolved. */
export interface Host {
  /** Unique in the inventory; what results and selections name the host by. */
  readonly name: string;
  /** The address to connect to; the name when not given. */
  readonly host: string;
  /** 22 when not given. */
  readonly port: number;
  /** Without it, the caller's default user applies. */
  readonly user?: string;
  /** A private key file. `loadInventory` makes relative paths relative to the inventory file and expands `~/`. */
  readonly identityFile?: string;
  readonly groups: readonly string[];
  readonly tags: readonly string[];
  readonly jump?: JumpHost;
}

/** A validated inventory. */
export interface Inventory {
  readonly hosts: readonly Host[];
}

/** The `defaults` of an inventory: what every host gets unless it sets its own. */
export interface InventoryDefaults {
  readonly port?: number;
  readonly user?: string;
  readonly identityFile?: string;
  /** Combined with each host's own groups. */
  readonly groups?: readonly string[];
  /** Combined with each host's own tags. */
  readonly tags?: readonly string[];
  /** The name of a host of the inventory, or `[user@]host[:port]`. */
  readonly jump?: string;
}

/** One host as written in an inventory file, before the defaults. */
export interface HostEntry extends InventoryDefaults {
  readonly name: string;
  /** @default name */
  readonly host?: string;
}

/** The fields a host entry and the defaults share, as validated. */
export interface EntryFields {
  readonly port?: number | undefined;
  readonly user?: string | undefined;
  readonly identityFile?: string | undefined;
  readonly groups?: readonly string[] | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly jump?: string | undefined;
}

/** A host entry as validated, before defaults. */
export interface ParsedEntry extends EntryFields {
  readonly name: string;
  readonly host?: string | undefined;
}
