/** Bounds every transfer obeys, whoever is on the other end. */
export interface TransferLimits {
  /** Resends of the same prompt after a stall before giving up (lrzsz: 10 tries of 10 s). */
  maxRetries: number;
  /** Bad frames (CRC, escape, length) in a row without progress before giving up. */
  maxErrors: number;
  /** Bytes of non-ZMODEM noise between two good headers before giving up. */
  maxGarbage: number;
  /** Smallest receive buffer a ZRINIT may announce (a smaller one is refused as absurd). */
  minReceiverBuffer: number;
}

export const DEFAULT_LIMITS: Readonly<TransferLimits> = {
  maxRetries: 5,
  maxErrors: 32,
  maxGarbage: 1024 * 1024,
  minReceiverBuffer: 256,
};

export type FailureCode = 'STALLED' | 'TOO_MANY_ERRORS' | 'GARBAGE' | 'ABSURD_ZRINIT' | 'PEER_ABORTED' | 'PROTOCOL' | 'TOO_LARGE' | 'CANCELLED';
