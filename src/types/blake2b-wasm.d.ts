/** blake2b-wasm's WebAssembly loader (the module behind its `Blake2b` class). */
declare module "blake2b-wasm/blake2b.js" {
  export interface Blake2bModule {
    readonly memory: WebAssembly.Memory
    /** Starts a hash state at `state`, reading the parameter block at bytes 0–63. */
    readonly blake2b_init: (state: number, digestBytes: number) => void
    /** Hashes memory[from, to) into the state. */
    readonly blake2b_update: (state: number, from: number, to: number) => void
    /** Finishes the hash: the digest is at state + 128. */
    readonly blake2b_final: (state: number) => void
  }
  const load: () => Promise<Blake2bModule>
  export default load
}
