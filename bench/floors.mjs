// The floors `npm run bench` compares our commands against: the least work each command must do on
// this machine, measured by small programs that do only that work. Each run is its own process and
// prints one JSON line with the time of the measured part only (setup, such as building the
// signatures or the folder names, is excluded):
//
//   node bench/floors.mjs hash <spec-dir> <threads> [reps]
//     BLAKE2b-80 (blake2b-wasm, the project's hash, driven through its exports as src/ does) of every
//     signature the spec's membership hashes, with the real ids as parents, so the inputs have the
//     real lengths. Drafts and essays on this thread; the evaluations split over <threads> threads.
//     After a warm-up, each part is the best of [reps] (3) passes.
//   node bench/floors.mjs write <dir> <bytes>
//     writes <bytes> of CSV-like text once to a new file in <dir> (1 MiB writes), then deletes it.
//   node bench/floors.mjs tree <dir> <drafts> <essays> <evaluations> <threads>
//     makes gens/<stage>/<name>/metadata.json (224 bytes) under <dir>: mkdir, open(O_EXCL), write,
//     close per generation, rows claimed from a shared counter by <threads> threads.
//   node bench/floors.mjs safe-tree <dir> <drafts> <essays> <evaluations> <threads>
//     the same tree made the way a build must make it so that no metadata.json is ever half-written or
//     replaced: mkdir, a temp file beside the target (open(O_EXCL), write, close), link, unlink.
//   node bench/floors.mjs read <dir> <drafts> <essays> <evaluations> <threads>
//     opens (O_NOATIME, as src/ does), reads and closes every file of such a tree.
//   node bench/floors.mjs read-store <data-root> <membership.csv> <threads>
//     the same for the metadata file of every generation a membership.csv lists (a built store).
//   node bench/floors.mjs read-parse-store <data-root> <membership.csv> <threads>
//     read-store, and each file's text parsed (JSON.parse) and one field looked at: the least a rerun
//     does, which must tell its own metadata from another signature's.
//   node bench/floors.mjs probe-store <data-root> <membership.csv> <threads>
//     for every generation folder a membership.csv lists, whether metadata.json, raw.txt and parsed.txt
//     exist (one existsSync each): the least `status` does, which reports all three.
//   node bench/floors.mjs list-store <data-root> <membership.csv> <threads>
//     the same by listing each such folder (readdirSync); not run by `npm run bench`. Measured by hand
//     on a built large-624k store (2026-12-04, one thread): 4.1-5.2 s whether or not the kernel had
//     cached the names, where probing took 3.35-3.42 s with them cached and 6.1-6.6 s without.
import * as fs from "node:fs"
import * as path from "node:path"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"
import { axesOf } from "./specs.mjs"

const DIGEST = 10
const STATE = 64
const INPUT = 280
const CHUNK = 256 * 1024 // signature bytes copied into the module's memory at a time (it has 640 KiB)

const loadHasher = async () => {
  const wasm = await (await import("blake2b-wasm/blake2b.js")).default()
  const mem = Buffer.from(wasm.memory.buffer)
  mem.fill(0, 0, STATE)
  mem[0] = DIGEST // digest length
  mem[2] = 1 // fanout
  mem[3] = 1 // depth
  return { wasm, mem, digest: mem.subarray(STATE + 128, STATE + 128 + DIGEST) }
}

/** Signatures as one latin1 buffer plus the end offset of each. */
const pack = (signatures) => {
  let bytes = 0
  for (const s of signatures) bytes += s.length
  const buf = Buffer.allocUnsafe(bytes)
  const ends = new Int32Array(signatures.length)
  let at = 0
  for (let i = 0; i < signatures.length; i++) {
    at += buf.write(signatures[i], at, "latin1")
    ends[i] = at
  }
  return { buf, ends }
}

/** Hashes packed signatures (copying them into the module's memory chunk by chunk); returns seconds. */
const hashPacked = (h, { buf, ends }, keep) => {
  const { wasm, mem, digest } = h
  const start = process.hrtime.bigint()
  let i = 0
  let check = 0
  while (i < ends.length) {
    const base = i === 0 ? 0 : ends[i - 1]
    let j = i
    while (j < ends.length && ends[j] - base <= CHUNK) j++
    mem.set(buf.subarray(base, ends[j - 1]), INPUT)
    let from = INPUT
    for (let k = i; k < j; k++) {
      const to = INPUT + ends[k] - base
      wasm.blake2b_init(STATE, DIGEST)
      wasm.blake2b_update(STATE, from, to)
      wasm.blake2b_final(STATE)
      if (keep !== undefined) keep.set(digest, k * DIGEST)
      else check ^= digest[0]
      from = to
    }
    i = j
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return { seconds, check }
}

/** Runs the hash and the loop hot first (V8 tiers WebAssembly and JS up after some calls): the floor is the best case. */
const warmUp = (h) => {
  const sample = Array.from(
    { length: 4096 },
    (_, i) => `e_${(i * 7919).toString(36).padStart(15, "0")}|ev-${i % 10}|j${i % 3}|1`
  )
  const packed = pack(sample)
  for (let r = 0; r < 40; r++) hashPacked(h, packed, r % 2 === 0 ? new Uint8Array(sample.length * DIGEST) : undefined)
}

const idsOf = (prefix, digests, n) =>
  Array.from(
    { length: n },
    (_, i) =>
      prefix + BigInt("0x" + Buffer.from(digests.subarray(i * DIGEST, (i + 1) * DIGEST)).toString("hex")).toString(36)
  )

/** The evaluation signatures of these essays, packed straight into one buffer (10M rows: ~0.3 GB). */
const packEvaluations = (essayIds, a) => {
  const suffixes = []
  for (const t of a.evaluationTemplates) {
    for (const l of a.evaluationLlms) for (const r of a.evaluationReplicates) suffixes.push(`|${t}|${l}|${r}`)
  }
  const suffixBytes = suffixes.reduce((n, s) => n + s.length, 0)
  const bytes = essayIds.reduce((n, e) => n + e.length * suffixes.length + suffixBytes, 0)
  const buf = Buffer.allocUnsafe(bytes)
  const ends = new Int32Array(essayIds.length * suffixes.length)
  let at = 0
  let k = 0
  for (const e of essayIds) {
    for (const s of suffixes) {
      at += buf.write(e, at, "latin1")
      at += buf.write(s, at, "latin1")
      ends[k++] = at
    }
  }
  return { buf, ends }
}

// The floor is a best case: each part is the minimum of `reps` passes over the same inputs.
const hashFloor = async (specDir, threads, reps) => {
  const a = axesOf(specDir)
  const h = await loadHasher()
  warmUp(h)
  const best = (f) => Math.min(...Array.from({ length: reps }, f))
  const draftSigs = []
  for (const c of a.combos) {
    for (const t of a.draftTemplates) {
      for (const l of a.draftLlms) for (const r of a.draftReplicates) draftSigs.push(`${c}|${t}|${l}|${r}`)
    }
  }
  const draftDigests = new Uint8Array(draftSigs.length * DIGEST)
  const draftsPacked = pack(draftSigs)
  const drafts = best(() => hashPacked(h, draftsPacked, draftDigests).seconds)
  const draftIds = idsOf("d_", draftDigests, draftSigs.length)
  const essaySigs = []
  for (const d of draftIds) {
    for (const t of a.essayTemplates) for (const r of a.essayReplicates) essaySigs.push(`${d}|${t}|${r}`)
  }
  const essayDigests = new Uint8Array(essaySigs.length * DIGEST)
  const essaysPacked = pack(essaySigs)
  const essays = best(() => hashPacked(h, essaysPacked, essayDigests).seconds)
  const essayIds = idsOf("e_", essayDigests, essaySigs.length)
  const perEssay = a.evaluationTemplates.length * a.evaluationLlms.length * a.evaluationReplicates.length
  let evaluations = Infinity
  let sigBytes = draftsPacked.buf.length + essaysPacked.buf.length
  if (threads <= 1) {
    const packed = packEvaluations(essayIds, a)
    sigBytes += packed.buf.length
    evaluations = best(() => hashPacked(h, packed).seconds)
  } else {
    // Each worker packs its share of the evaluation signatures first; each pass's clock runs from
    // "go" to the last "done".
    const share = Math.ceil(essayIds.length / threads)
    const workers = Array.from({ length: threads }, (_, w) =>
      new Worker(new URL(import.meta.url), {
        workerData: { kind: "hash", essayIds: essayIds.slice(w * share, (w + 1) * share), axes: a }
      }))
    const ready = await Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve))))
    sigBytes += ready.reduce((n, m) => n + m.bytes, 0)
    for (let r = 0; r < reps; r++) {
      const start = process.hrtime.bigint()
      const done = workers.map((w) => new Promise((resolve) => w.once("message", resolve)))
      for (const w of workers) w.postMessage("go")
      await Promise.all(done)
      evaluations = Math.min(evaluations, Number(process.hrtime.bigint() - start) / 1e9)
    }
    await Promise.all(workers.map((w) => w.terminate()))
  }
  const rows = draftSigs.length + essaySigs.length + essayIds.length * perEssay
  const seconds = drafts + essays + evaluations
  return {
    threads,
    reps,
    rows,
    drafts: draftSigs.length,
    essays: essaySigs.length,
    evaluations: essayIds.length * perEssay,
    seconds,
    usPerId: (seconds * 1e6) / rows,
    meanSignatureBytes: sigBytes / rows
  }
}

const writeFloor = (dir, bytes) => {
  const line = Buffer.from("evaluation,v_0123456789abcdef,bench,e_0123456789abcdef,combo_v1_000000000000,ev-1,j1,1\n")
  const chunk = Buffer.alloc(1 << 20)
  for (let at = 0; at < chunk.length; at += line.length) line.copy(chunk, at)
  const file = path.join(dir, `.write-floor-${process.pid}.csv`)
  const start = process.hrtime.bigint()
  const fd = fs.openSync(file, "wx")
  for (let left = bytes; left > 0; left -= chunk.length) fs.writeSync(fd, chunk, 0, Math.min(left, chunk.length))
  fs.closeSync(fd)
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  fs.unlinkSync(file)
  return { bytes, seconds }
}

// Tree floors: generation k of the concatenation [drafts, essays, evaluations]; names of an id's length.
const STAGES = [["draft", "d_"], ["essay", "e_"], ["evaluation", "v_"]]
const nameOf = (k) =>
  (Math.imul(k + 1, 0x9e3779b1) >>> 0).toString(36).padStart(7, "0") + k.toString(36).padStart(9, "0")
const fileOf = (dir, counts, k) => {
  let s = 0
  let i = k
  while (i >= counts[s]) i -= counts[s++]
  return path.join(dir, "gens", STAGES[s][0], STAGES[s][1] + nameOf(k))
}
const BLOCK = 256
const METADATA = Buffer.from(
  JSON.stringify(
    {
      stage: "evaluation",
      gen_id: "v_0123456789abcdef",
      parent_gen_id: "e_0123456789abcdef",
      template_id: "ev-1",
      llm_model_id: "j1",
      mode: "llm",
      origin_cohort_id: "bench",
      replicate: 1,
      combo_id: "combo_v1_000000000000x"
    },
    null,
    2
  ).slice(0, 223) + "\n"
)
// `files` (read floors of a real store): the metadata files to read, else the generated tree's.
const treeWork = (kind, dir, counts, counter, files) => {
  const total = files !== undefined ? files.length : counts[0] + counts[1] + counts[2]
  const buf = Buffer.alloc(4096)
  const flags = fs.constants.O_RDONLY | (fs.constants.O_NOATIME ?? 0)
  let done = 0
  let found = 0
  for (;;) {
    const from = Atomics.add(counter, 0, BLOCK)
    if (from >= total) return { done, found }
    const to = Math.min(total, from + BLOCK)
    for (let k = from; k < to; k++) {
      if (kind === "list") {
        found += fs.readdirSync(files[k]).length
        done++
        continue
      }
      if (kind === "probe") {
        // files[k] is a generation folder: the three files status looks for.
        const folder = files[k]
        if (fs.existsSync(`${folder}/metadata.json`)) found++
        if (fs.existsSync(`${folder}/raw.txt`)) found++
        if (fs.existsSync(`${folder}/parsed.txt`)) found++
        done++
        continue
      }
      if (files !== undefined) {
        const fd = fs.openSync(files[k], flags)
        const n = fs.readSync(fd, buf, 0, buf.length, 0)
        fs.closeSync(fd)
        // read-parse: what a rerun cannot skip either, the metadata parsed and one field of it compared.
        if (kind === "read-parse" && JSON.parse(buf.toString("utf8", 0, n)).stage !== undefined) found++
        done++
        continue
      }
      const folder = fileOf(dir, counts, k)
      if (kind === "tree") {
        fs.mkdirSync(folder)
        const fd = fs.openSync(path.join(folder, "metadata.json"), "wx")
        fs.writeSync(fd, METADATA)
        fs.closeSync(fd)
      } else if (kind === "safe-tree") {
        fs.mkdirSync(folder)
        const temp = path.join(folder, `.metadata.json.${process.pid}-${k}.tmp`)
        const fd = fs.openSync(temp, "wx")
        fs.writeSync(fd, METADATA)
        fs.closeSync(fd)
        fs.linkSync(temp, path.join(folder, "metadata.json"))
        fs.unlinkSync(temp)
      } else {
        const fd = fs.openSync(path.join(folder, "metadata.json"), flags)
        fs.readSync(fd, buf, 0, buf.length, 0)
        fs.closeSync(fd)
      }
      done++
    }
  }
}
const treeFloor = async (kind, dir, counts, threads, files) => {
  if (kind === "tree" || kind === "safe-tree") {
    for (const [stage] of STAGES) {
      fs.mkdirSync(path.join(dir, "gens", stage), { recursive: true })
    }
  }
  const counter = new Int32Array(new SharedArrayBuffer(4))
  let seconds
  let parts
  if (threads <= 1) {
    const start = process.hrtime.bigint()
    parts = [treeWork(kind, dir, counts, counter, files)]
    seconds = Number(process.hrtime.bigint() - start) / 1e9
  } else {
    const workers = Array.from(
      { length: threads },
      () => new Worker(new URL(import.meta.url), { workerData: { kind, dir, counts, counter, files } })
    )
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once("message", resolve))))
    const start = process.hrtime.bigint()
    const done = workers.map((w) =>
      new Promise((resolve, reject) => {
        w.once("message", resolve)
        w.once("error", reject)
      })
    )
    for (const w of workers) w.postMessage("go")
    parts = await Promise.all(done)
    seconds = Number(process.hrtime.bigint() - start) / 1e9
    await Promise.all(workers.map((w) => w.terminate()))
  }
  const total = files !== undefined ? files.length : counts[0] + counts[1] + counts[2]
  const done = parts.reduce((sum, p) => sum + p.done, 0)
  if (done !== total) throw new Error(`${kind}: ${done} of ${total} items done`)
  return { kind, threads, files: total, found: parts.reduce((sum, p) => sum + p.found, 0), seconds }
}

if (!isMainThread) {
  const job = workerData
  if (job.kind === "hash") {
    const h = await loadHasher()
    warmUp(h)
    const packed = packEvaluations(job.essayIds, job.axes)
    parentPort.postMessage({ bytes: packed.buf.length })
    parentPort.on("message", () => parentPort.postMessage(hashPacked(h, packed)))
  } else {
    parentPort.postMessage("ready")
    parentPort.once(
      "message",
      () => parentPort.postMessage(treeWork(job.kind, job.dir, job.counts, job.counter, job.files))
    )
  }
} else {
  const [kind, ...args] = process.argv.slice(2)
  let result
  if (kind === "hash") result = await hashFloor(args[0], Number(args[1] ?? 1), Number(args[2] ?? 3))
  else if (kind === "write") result = writeFloor(args[0], Number(args[1]))
  else if (kind === "tree" || kind === "safe-tree" || kind === "read") {
    result = await treeFloor(kind, args[0], args.slice(1, 4).map(Number), Number(args[4] ?? 1))
  } else if (kind === "read-store" || kind === "read-parse-store" || kind === "probe-store" || kind === "list-store") {
    // A data root's generations as its membership.csv lists them (stage, gen_id first).
    const lines = fs.readFileSync(args[1], "utf8").trim().split("\n").slice(1)
    const files = lines.map((l) => {
      const [stage, id] = l.split(",", 2)
      const folder = path.join(args[0], "gens", stage, id)
      return kind === "probe-store" || kind === "list-store" ? folder : path.join(folder, "metadata.json")
    })
    const work = kind.slice(0, -"-store".length)
    result = await treeFloor(work, args[0], [0, 0, 0], Number(args[2] ?? 1), files)
  } else {
    process.stderr.write(
      "usage: node bench/floors.mjs hash|write|tree|safe-tree|read|read-store|read-parse-store|probe-store|list-store ...\n"
    )
    process.exit(2)
  }
  process.stdout.write(JSON.stringify(result) + "\n")
}
