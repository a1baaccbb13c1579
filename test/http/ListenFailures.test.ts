import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import * as net from "node:net"
import * as os from "node:os"
import { runCohortHttpServer } from "../../src/http/index.js"

/** The failure `runCohortHttpServer` ends with on this host and port (it never listens, so it ends). */
const failureOf = (host: string, port: number) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(
      runCohortHttpServer({ dataRoot: os.tmpdir(), host, port }).pipe(Effect.timeout("10 seconds"))
    )
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isSuccess(exit)) return undefined
    // One typed failure: no defect, no interruption beside it.
    expect(Cause.isDie(exit.cause)).toBe(false)
    expect(Cause.isInterrupted(exit.cause)).toBe(false)
    return Option.getOrUndefined(Cause.failureOption(exit.cause))
  })

describe("runCohortHttpServer when it cannot listen", () => {
  it.effect("a port in use fails with a ServeError carrying node's EADDRINUSE, the host and the port", () =>
    Effect.gen(function*() {
      const blocker = net.createServer()
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => {
          blocker.listen(0, "127.0.0.1", () => resume(Effect.void))
        }),
        () => Effect.sync(() => blocker.close())
      )
      const port = (blocker.address() as net.AddressInfo).port
      const failure = yield* failureOf("127.0.0.1", port)
      expect(failure?._tag).toBe("ServeError")
      const cause = (failure as { cause?: NodeJS.ErrnoException & { address?: string; port?: number } }).cause
      expect({ code: cause?.code, address: cause?.address, port: cause?.port }).toEqual({
        code: "EADDRINUSE",
        address: "127.0.0.1",
        port
      })
    }).pipe(Effect.scoped))

  it.effect("a port outside 0–65535 or not whole fails with a ServeError naming it (node's listen would throw)", () =>
    Effect.gen(function*() {
      for (const port of [70_000, 65_536, -1, 1.5, Number.NaN]) {
        const failure = yield* failureOf("127.0.0.1", port)
        expect(failure?._tag).toBe("ServeError")
        const cause = (failure as { cause?: unknown }).cause
        expect(cause).toBeInstanceOf(RangeError)
        expect((cause as Error).message).toBe(`port must be a whole number from 0 to 65535, not ${port}`)
      }
      // A JS caller's string is refused too (the option is a number), shown quoted.
      const failure = yield* failureOf("127.0.0.1", "8080" as unknown as number)
      expect(failure?._tag).toBe("ServeError")
      expect((failure as { cause?: Error }).cause?.message).toBe(
        `port must be a whole number from 0 to 65535, not "8080"`
      )
    }))
})
