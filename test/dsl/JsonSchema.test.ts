import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { specJsonSchema } from "../../src/index.js"

/** The JSON Schema shipped for editors (`npm run schema`) is current and accepts every golden spec. */

const here = path.dirname(fileURLToPath(import.meta.url))
const shipped = path.join(here, "..", "..", "schema", "cohort-spec.schema.json")
const goldenDir = path.join(here, "..", "fixtures", "spec-golden")
const goldenConfigs = fs
  .readdirSync(goldenDir)
  .map((name) => path.join(goldenDir, name, "config.yaml"))
  .filter((file) => fs.existsSync(file))
  .sort()

type JsonSchema = Readonly<Record<string, unknown>>

/**
 * The JSON Schema keywords `specJsonSchema` emits ($ref to `#/$defs`, type, required, properties,
 * additionalProperties, items, minItems, minLength, pattern, enum, anyOf): the problems, as `where: what`.
 */
const validate = (root: JsonSchema) => {
  const resolve = (schema: JsonSchema): JsonSchema => {
    const ref = schema["$ref"]
    if (typeof ref !== "string") return schema
    const name = ref.replace(/^#\/\$defs\//, "")
    const target = (root["$defs"] as Record<string, JsonSchema> | undefined)?.[name]
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`)
    return resolve(target)
  }
  const typeOf = (value: unknown) =>
    value === null ? "null" : Array.isArray(value) ? "array" : typeof value === "number" ? "number" : typeof value
  const check = (schema0: JsonSchema, value: unknown, at: string): Array<string> => {
    const schema = resolve(schema0)
    if (Array.isArray(schema["anyOf"])) {
      const branches = (schema["anyOf"] as Array<JsonSchema>).map((s) => check(s, value, at))
      if (branches.some((b) => b.length === 0)) return []
      return [`${at}: matches no alternative (${branches.flat().join("; ")})`]
    }
    const type = schema["type"]
    if (typeof type === "string" && type !== typeOf(value)) return [`${at}: expected ${type}, got ${typeOf(value)}`]
    if (Array.isArray(schema["enum"]) && !(schema["enum"] as Array<unknown>).includes(value)) {
      return [`${at}: not one of ${JSON.stringify(schema["enum"])}`]
    }
    const problems: Array<string> = []
    if (typeof value === "string") {
      const minLength = schema["minLength"]
      if (typeof minLength === "number" && value.length < minLength) problems.push(`${at}: too short`)
      if (typeof schema["pattern"] === "string" && !new RegExp(schema["pattern"]).test(value)) {
        problems.push(`${at}: does not match ${schema["pattern"]}`)
      }
    }
    if (Array.isArray(value)) {
      const minItems = schema["minItems"]
      if (typeof minItems === "number" && value.length < minItems) problems.push(`${at}: too few items`)
      const items = schema["items"] as JsonSchema | undefined
      if (items !== undefined) value.forEach((item, i) => problems.push(...check(items, item, `${at}[${i}]`)))
    }
    if (typeOf(value) === "object") {
      const record = value as Record<string, unknown>
      const properties = (schema["properties"] ?? {}) as Record<string, JsonSchema>
      for (const key of (schema["required"] ?? []) as Array<string>) {
        if (!(key in record)) problems.push(`${at}.${key}: required`)
      }
      const extra = schema["additionalProperties"] as JsonSchema | boolean | undefined
      for (const [key, v] of Object.entries(record)) {
        const sub = properties[key]
        if (sub !== undefined) problems.push(...check(sub, v, `${at}.${key}`))
        else if (extra === false) problems.push(`${at}.${key}: not allowed`)
        else if (typeof extra === "object") problems.push(...check(extra, v, `${at}.${key}`))
      }
    }
    return problems
  }
  return (value: unknown) => check(root, value, "$")
}

describe("the shipped JSON Schema", () => {
  it("is what specJsonSchema() generates (run `npm run schema` after changing SpecSchema.ts)", () => {
    expect(fs.readFileSync(shipped, "utf8")).toBe(JSON.stringify(specJsonSchema(), null, 2) + "\n")
  })

  it("describes a draft-07 object with axes, rules and output", () => {
    const schema = JSON.parse(fs.readFileSync(shipped, "utf8")) as JsonSchema
    expect(schema["$schema"]).toBe("http://json-schema.org/draft-07/schema#")
    const defs = schema["$defs"] as Record<string, JsonSchema>
    const root = defs[String(schema["$ref"]).replace("#/$defs/", "")]!
    expect(Object.keys(root["properties"] as object).sort()).toEqual(["axes", "output", "rules"])
    expect(root["required"]).toEqual(["output"])
    expect(root["additionalProperties"]).toBe(false)
  })

  it("finds golden configs to check", () => {
    expect(goldenConfigs.length).toBeGreaterThanOrEqual(5)
  })

  const schema = JSON.parse(fs.readFileSync(shipped, "utf8")) as JsonSchema
  const defs = schema["$defs"] as Record<string, JsonSchema>
  const rootProperties = Object.keys(defs[String(schema["$ref"]).replace("#/$defs/", "")]!["properties"] as object)
  const problemsOf = validate(schema)

  for (const file of goldenConfigs) {
    it(`accepts ${path.basename(path.dirname(file))}/config.yaml`, () => {
      const config = parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>
      for (const key of Object.keys(config)) expect(rootProperties).toContain(key)
      expect(problemsOf(config)).toEqual([])
    })
  }

  it("is not vacuous: it refuses typos and wrong shapes", () => {
    const base = { axes: { a: ["x"] }, output: { field_order: ["a"] } }
    expect(problemsOf(base)).toEqual([])
    expect(problemsOf({ ...base, axis: {} })).toEqual(["$.axis: not allowed"])
    expect(problemsOf({ axes: {} })).toEqual(["$.output: required"])
    expect(problemsOf({ ...base, rules: { pair: {} } })).toHaveLength(1)
    expect(problemsOf({ ...base, axes: { a: "levels.csv" } })).toHaveLength(1)
    expect(problemsOf({ ...base, axes: { a: "@file:levels.csv" } })).toEqual([])
    expect(problemsOf({ ...base, rules: { pairs: { p: { left: "a", right: "b", allowed: [], balance: "up" } } } }))
      .toHaveLength(1)
    expect(problemsOf({ ...base, rules: { ties: { t: [] } } })).toHaveLength(1)
    expect(problemsOf({ ...base, rules: { ties: { t: { axes: ["a"] } }, tuples: { u: { axes: ["b"], items: [] } } } }))
      .toEqual([])
  })
})

describe("the JSON Schema knows the field names", () => {
  it("axes offers every field and alias with a description, and still allows any other axis name", () => {
    const root = specJsonSchema() as unknown as { $defs: Record<string, { properties: Record<string, JsonSchema> }> }
    const axes = root.$defs["CohortSpec"]!.properties["axes"] as {
      properties: Record<string, JsonSchema>
      additionalProperties: unknown
    }
    const names = Object.keys(axes.properties)
    for (
      const name of [
        "combo_id",
        "combo",
        "draft_llm",
        "generation_llm",
        "essay_llm",
        "evaluation_replicate",
        "evaluation_rep"
      ]
    ) {
      expect(names).toContain(name)
      expect(String(axes.properties[name]!["description"])).not.toBe("")
    }
    expect(String(axes.properties["generation_llm"]!["description"])).toContain("Read as draft_llm")
    expect(axes.additionalProperties).not.toBe(false)
  })
})
