import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { pyStr, valueKey } from "../../src/domain/SpecValue.js"
import { parseJson as parseJsonEffect, parseYaml as parseYamlEffect, TextSyntaxError } from "../../src/dsl/PyYaml.js"
import { PyFloat, type SpecValue } from "../../src/index.js"

/** The value read, or the syntax error the parser failed with. */
const parseYaml = (text: string): unknown => Effect.runSync(Effect.merge(parseYamlEffect(text)))
const parseJson = (text: string): unknown => Effect.runSync(Effect.merge(parseJsonEffect(text)))

const values = (yaml: string) => (parseYaml(`v: [${yaml}]`) as { v: Array<unknown> }).v

describe("YAML read as PyYAML's safe_load types it", () => {
  it("booleans are yes/no/on/off/true/false but not y/n", () => {
    expect(values("yes, No, on, OFF, true, y, n, Y")).toEqual([true, false, true, false, true, "y", "n", "Y"])
  })

  it("floats need a dot (1e3 is a string) and print as Python prints them", () => {
    const [a, b, c, d, e] = values("1.0, 1e3, 1.0e+3, .5, 1e+3")
    expect(a).toBeInstanceOf(PyFloat)
    expect(pyStr(a as PyFloat)).toBe("1.0")
    expect(b).toBe("1e3")
    expect(pyStr(c as PyFloat)).toBe("1000.0")
    expect(pyStr(d as PyFloat)).toBe("0.5")
    expect(e).toBe("1e+3")
  })

  it("integers: octal 017, hex, binary, sexagesimal, underscores, and exact beyond 2^53", () => {
    expect(values("017, 0x1F, 0b101, 1:30, 1_000, 12345678901234567890")).toEqual([
      15,
      31,
      5,
      90,
      1000,
      12345678901234567890n
    ])
    expect(pyStr(values("12345678901234567890")[0] as bigint)).toBe("12345678901234567890")
  })

  it("1, '1' and 1.0 keep Python's equality: 1 == 1.0 != '1'", () => {
    const [one, quoted, float] = values("1, '1', 1.0")
    expect(valueKey(one as number)).toBe(valueKey(float as PyFloat))
    expect(valueKey(one as number)).not.toBe(valueKey(quoted as string))
  })

  it("null forms and timestamps (as Python's date, printed by str())", () => {
    const [a, b, date] = values("~, null, 2025-09-10")
    expect([a, b]).toEqual([null, null])
    expect(pyStr(date as SpecValue)).toBe("2025-09-10")
    expect(valueKey(date as SpecValue)).not.toBe(valueKey("2025-09-10"))
  })

  it("refuses duplicate keys, plain-number keys, unknown tags and alias bombs", () => {
    expect(parseYaml("a: 1\na: 2\n")).toBeInstanceOf(TextSyntaxError)
    expect(parseYaml("axes:\n  1: [x]\n")).toBeInstanceOf(TextSyntaxError)
    expect(parseYaml("a: !!python/object:os.system x\n")).toBeInstanceOf(TextSyntaxError)
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for (let i = 1; i < 9; i++) {
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${
          Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")
        }]`
      )
    }
    const bomb = parseYaml(levels.join("\n") + "\n")
    expect(bomb).toBeInstanceOf(TextSyntaxError)
    expect((bomb as TextSyntaxError).reason).toContain("alias")
  })

  it("JSON: integers stay int, fractions and exponents are floats", () => {
    const data = parseJson("{\"a\": [1, 1.0, 1e3, 12345678901234567890]}") as { a: Array<unknown> }
    expect(data.a[0]).toBe(1)
    expect(pyStr(data.a[1] as PyFloat)).toBe("1.0")
    expect(pyStr(data.a[2] as PyFloat)).toBe("1000.0")
    expect(data.a[3]).toBe(12345678901234567890n)
    expect(parseJson("{\"a\": [1,}")).toBeInstanceOf(TextSyntaxError)
  })
})

describe("what PyYAML reads that we once refused (expected values printed by PyYAML 6 safe_load)", () => {
  const json = (value: unknown) => JSON.parse(JSON.stringify(value))

  it("explicit standard tags construct as PyYAML's constructors do", () => {
    const data = parseYaml(
      "a: !!float 2\nb: !!str 12\nc: !!int '12'\nd: !!bool yes\ne: !!null ''\nf: !!float 1e3\n"
    ) as Record<
      string,
      SpecValue
    >
    expect(pyStr(data["a"]!)).toBe("2.0")
    expect(data["b"]).toBe("12")
    expect(data["c"]).toBe(12)
    expect(data["d"]).toBe(true)
    expect(data["e"]).toBeNull()
    expect(pyStr(data["f"]!)).toBe("1000.0")
    for (const bad of ["!!int x", "!!float x", "!!bool maybe", "!!timestamp 2025-09-10x"]) {
      expect(parseYaml(`a: ${bad}\n`), bad).toBeInstanceOf(TextSyntaxError)
    }
  })

  it("merge keys: merged keys first (the first listed mapping wins), own keys win their values", () => {
    const data = parseYaml(
      "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nn:\n  <<: [*b, {z: 4}]\no: {a: 1, <<: {b: 2, a: 9}}\np: {<<: [{k: 1}, {k: 2, j: 3}]}\n"
    )
    const expected = {
      base: { x: 1, y: 2 },
      m: { x: 1, y: 3 },
      n: { z: 4, x: 1, y: 2 },
      o: { b: 2, a: 1 },
      p: { k: 1, j: 3 }
    }
    expect(json(data)).toEqual(expected)
    // Key order is the axis order of a spec: compare it too.
    expect(JSON.stringify(data)).toBe(JSON.stringify(expected))
    expect(parseYaml("a: {<<: 1}\n")).toBeInstanceOf(TextSyntaxError)
  })

  it("timestamps print as Python's str() of the date or datetime", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["2025-09-10T12:00:00", "2025-09-10 12:00:00"],
      ["2025-09-10 12:00:00Z", "2025-09-10 12:00:00+00:00"],
      ["2025-9-1 1:02:03.5 +05:30", "2025-09-01 01:02:03.500000+05:30"],
      ["2025-09-10t12:00:00-05:00", "2025-09-10 12:00:00-05:00"],
      ["2025-09-10T12:00:00.123456789+01", "2025-09-10 12:00:00.123456+01:00"],
      ["2025-09-10 12:00:00 +05", "2025-09-10 12:00:00+05:00"],
      ["0099-01-02 00:00:00Z", "0099-01-02 00:00:00+00:00"],
      ["2025-09-10 12:00:00.5-00:30", "2025-09-10 12:00:00.500000-00:30"]
    ]
    for (const [source, text] of cases) expect(pyStr(values(source)[0] as SpecValue), source).toBe(text)
    // repr(), as a tuple of them prints.
    expect(pyStr([values("2025-09-10 12:00:00.5-00:30")[0] as SpecValue])).toBe(
      "(datetime.datetime(2025, 9, 10, 12, 0, 0, 500000, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=84600))),)"
    )
    expect(pyStr([values("0099-01-02 00:00:00Z")[0] as SpecValue, values("2025-09-10")[0] as SpecValue])).toBe(
      "(datetime.datetime(99, 1, 2, 0, 0, tzinfo=datetime.timezone.utc), datetime.date(2025, 9, 10))"
    )
    for (const bad of ["2025-02-30", "2025-09-10 24:00:00", "2025-09-10 12:00:00 +24:00"]) {
      expect(parseYaml(`a: ${bad}\n`), bad).toBeInstanceOf(TextSyntaxError)
    }
  })

  it("aware datetimes naming one instant are one level; naive, aware and date never equal", () => {
    const [a, b, naive, date] = values(
      "2025-09-10 12:00:00Z, 2025-09-10 14:00:00+02:00, 2025-09-10 12:00:00, 2025-09-10"
    )
    expect(valueKey(a as SpecValue)).toBe(valueKey(b as SpecValue))
    expect(new Set([a, naive, date, "2025-09-10"].map((v) => valueKey(v as SpecValue))).size).toBe(4)
  })

  it("json.loads reads NaN, Infinity and -Infinity (1e400 is inf too), but not inside strings", () => {
    const data = parseJson("{\"a\": [NaN, Infinity, -Infinity, \"NaN\", 1e400]}") as { a: Array<SpecValue> }
    expect(data.a.map(pyStr)).toEqual(["nan", "inf", "-inf", "NaN", "inf"])
    expect(parseJson("[nan]")).toBeInstanceOf(TextSyntaxError)
  })
})

describe("what stays refused", () => {
  it("tags whose values are no level (!!binary, !!set, !!omap, !!pairs) and raw tabs in unquoted values", () => {
    for (
      const yaml of [
        "a: !!binary aGVsbG8=",
        "a: !!set {x: null}",
        "a: !!omap [{x: 1}]",
        "a: !!pairs [{x: 1}]",
        "a: [x\ty]",
        "a: x\ty"
      ]
    ) {
      expect(parseYaml(yaml), yaml).toBeInstanceOf(TextSyntaxError)
    }
    expect(parseYaml("a: [\"x\\ty\"]")).toEqual({ a: ["x\ty"] })
  })
})
