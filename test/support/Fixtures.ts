import { parse } from "csv-parse/sync"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures")
export const repoRoot = path.join(fixturesDir, "..", "..")

export const fixturePath = (...parts: Array<string>): string => path.join(fixturesDir, ...parts)

export const readText = (file: string): string => fs.readFileSync(file, "utf8")

/** A CSV fixture as records (all values strings, header order kept in `columns`). */
export const readCsv = (file: string): { columns: Array<string>; rows: Array<Record<string, string>> } => {
  const text = readText(file)
  const header = text.split("\n", 1)[0]!.split(",")
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>
  return { columns: header, rows }
}

export const goldenCases: Array<string> = fs
  .readdirSync(fixturePath("spec-golden"))
  .filter((name) => fs.statSync(fixturePath("spec-golden", name)).isDirectory())
  .sort()

/** Golden membership files with the cohort id they were built under. */
export const goldenMemberships = (): Array<{ file: string; cohortId: string; design: string }> => {
  const out: Array<{ file: string; cohortId: string; design: string }> = []
  for (const name of goldenCases) {
    const file = fixturePath("spec-golden", name, "expected_membership.csv")
    if (fs.existsSync(file)) {
      out.push({ file, cohortId: `golden-${name}`, design: fixturePath("spec-golden", name, "expected_design.csv") })
    }
    const seeded = fixturePath("spec-golden", name, "expected_membership_seed7.csv")
    if (fs.existsSync(seeded)) {
      out.push({
        file: seeded,
        cohortId: "golden-seeded",
        design: fixturePath("spec-golden", name, "expected_design_seed7.csv")
      })
    }
  }
  return out
}

/** Membership rows as CSV text, the way the original writes MEMBERSHIP_COLUMNS. */
export const membershipCsv = (rows: ReadonlyArray<object>, columns: ReadonlyArray<string>) =>
  [
    columns.join(","),
    ...rows.map((r) => columns.map((c) => String((r as Record<string, unknown>)[c] ?? "")).join(","))
  ].join("\n") + "\n"
