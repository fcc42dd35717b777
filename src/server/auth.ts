/**
 * Who a served client is: the secrets `eddy serve` accepts and the role each one grants. A full-access
 * secret may run any statement (within the allowed paths); a read-only secret only queries. The same
 * secret is the HTTP bearer token and the Postgres password (any user name). By default `eddy serve`
 * writes a fresh secret to a file only its owner can read (as Jupyter and CockroachDB do), so any local
 * user of the machine who cannot read the file cannot use the server.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';

/** What a client may do: anything (within the allowed paths), or only queries. */
export type Role = 'full' | 'read-only';

/** The secrets one door accepts (absent: that role has no secret; neither: the door is open to all, as full). */
export interface DoorSecrets {
  readonly full?: string;
  readonly readOnly?: string;
}

/** Constant-time equality of two strings. */
function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The role a presented token grants, or undefined for a wrong (or missing) one. Both secrets are
 * compared every time, so the time taken says nothing about which one nearly matched.
 */
export function roleOfToken(given: string | undefined, secrets: DoorSecrets): Role | undefined {
  if (given === undefined) return undefined;
  const full = secrets.full !== undefined && same(given, secrets.full);
  const readOnly = secrets.readOnly !== undefined && same(given, secrets.readOnly);
  return full ? 'full' : readOnly ? 'read-only' : undefined;
}

/** Whether a door needs a secret at all. */
export function needsSecret(secrets: DoorSecrets): boolean {
  return secrets.full !== undefined || secrets.readOnly !== undefined;
}

function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** The Postgres MD5 answer for `password`: 'md5' + md5(md5(password + user) + salt). */
export function md5Answer(password: string, user: string, salt: Buffer): string {
  return `md5${md5(Buffer.concat([Buffer.from(md5(password + user)), salt]))}`;
}

/** The role of a Postgres client's answer to an MD5 challenge, or undefined when it matches no secret. */
export function roleOfMd5Answer(given: string, user: string, salt: Buffer, secrets: DoorSecrets): Role | undefined {
  const full = secrets.full !== undefined && same(given, md5Answer(secrets.full, user, salt));
  const readOnly = secrets.readOnly !== undefined && same(given, md5Answer(secrets.readOnly, user, salt));
  return full ? 'full' : readOnly ? 'read-only' : undefined;
}

/** A secret file that cannot be used as it is (readable by others, or empty). */
export class SecretFileError extends Error {}

/**
 * The secret kept in `path`: read when the file exists (it must be readable by its owner only), else a new
 * random one written there with mode 0600. A server restarted on the same state directory keeps its secret.
 */
export function secretFromFile(path: string): string {
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new SecretFileError(`${path} can be read by other users (mode ${mode.toString(8)}): make it owner-only (chmod 600 ${path}) or delete it for a new one`);
    }
    const secret = readFileSync(path, 'utf8').trim();
    if (secret === '') throw new SecretFileError(`${path} is empty: delete it for a new secret`);
    return secret;
  }
  const secret = randomBytes(24).toString('base64url');
  // 'wx': never follow a file someone else put there in the meantime.
  writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600); // the umask cannot widen it, but make the intent explicit
  return secret;
}
