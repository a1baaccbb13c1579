// Writes the JSON Schema of spec files (for editors) from the built package: `npm run schema`.
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { specJsonSchema } from "../dist/index.js"

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "schema", "cohort-spec.schema.json")
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, JSON.stringify(specJsonSchema(), null, 2) + "\n")
console.log(`wrote ${out}`)
