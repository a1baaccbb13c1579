// Loaded with `node --import`: writes this process's resource usage (peak RSS) where the bench asks.
import { writeFileSync } from "node:fs"

process.on("exit", () => {
  if (process.env.BENCH_RUSAGE_OUT) writeFileSync(process.env.BENCH_RUSAGE_OUT, JSON.stringify(process.resourceUsage()))
})
