/** Where the stand-alone server listens: loopback only unless told otherwise, port 0 for any free one. */
export interface ListenOptions {
  readonly host?: string
  readonly port?: number
}
