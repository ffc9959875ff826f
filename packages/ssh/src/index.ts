export {
  SshServer,
  SSH_DEFAULT_GRACE_TIME_MS,
  SSH_DEFAULT_MAX_AUTH_ATTEMPTS,
  SSH_DEFAULT_MAX_PASSWORD_TRIES,
  type SshServerOptions,
} from './ssh-server.js';
export { SshConnection, SSH_DEFAULT_MAX_OUTPUT_BUFFER } from './ssh-connection.js';
export { ensureHostKeys, type HostKeys, type HostKeyPaths } from './host-keys.js';
export { DEFAULT_SSH_ALGORITHMS, type SshAlgorithms } from './algorithms.js';
export { NEW_USER_LOGIN, type AuthResult, type SshAuthenticator } from './authenticator.js';
export { EXEC_REFUSAL } from './session-requests.js';
export { serveSftp, sftpSegments, MAX_SFTP_HANDLES, type SftpBackend, type SftpEntry, type SftpRefusal, type SftpUploadTarget } from './sftp-server.js';
export { publicKeyProblem } from './public-key.js';
