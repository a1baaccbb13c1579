/** Where the stand-alone server listens: loopback only unless told otherwise, port 0 for any free one. */
export interface ListenOptions {
  readonly host?: string
  readonly port?: number
}

/** The stand-alone server listens on this machine only unless given another host. */
export const DEFAULT_HOST = "127.0.0.1"
