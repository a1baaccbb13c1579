import { describe, expect, it } from "vitest"
import { isStdoutClosed } from "../../src/cli/Output.js"
import { ArtifactWriteFailed } from "../../src/index.js"

describe("a failed write to stdout", () => {
  it("ends quietly only when the reader closed the pipe; a full disk or an I/O error is a failure", () => {
    const closed = new ArtifactWriteFailed({ path: "<stdout>", cause: "the reader closed the pipe (EPIPE)" })
    const full = new ArtifactWriteFailed({ path: "<stdout>", cause: "ENOSPC: no space left on device, write" })
    const io = new ArtifactWriteFailed({ path: "<stdout>", cause: "EIO: i/o error, write" })
    const file = new ArtifactWriteFailed({ path: "out.csv", cause: "the reader closed the pipe (EPIPE)" })
    expect([closed, full, io, file, new Error("x")].map(isStdoutClosed)).toEqual([true, false, false, false, false])
  })
})
