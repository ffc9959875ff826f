/**
 * One outgoing call made with `carrier telnet`: the record the client package writes
 * through its ConnectionHistory and the store keeps (client_history). Here because the
 * client may not depend on the store, nor the store on the client.
 */
export interface ClientHistoryEntry {
  readonly id: number;
  readonly host: string;
  readonly port: number;
  /** Milliseconds since the epoch. */
  readonly startedAt: number;
  /** null while the connection is open (or the caller crashed before recording the end). */
  readonly endedAt: number | null;
  /** Bytes received from the remote side, telnet protocol included. */
  readonly bytesIn: number;
  /** Bytes sent to the remote side. */
  readonly bytesOut: number;
}
