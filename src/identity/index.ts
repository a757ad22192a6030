export type { KeyType, AppRoute, TeleportIdentity, Credentials, IdentitySource } from './types';
export { loadCredentials } from './load-credentials';
export { validityOf, validityError, expiringSoonAt, formatDuration, type Validity } from './validity';
export { CredentialWatcher, type CredentialWatcherOptions } from './credential-watcher';
export { TBOT_FILES } from './layout';
