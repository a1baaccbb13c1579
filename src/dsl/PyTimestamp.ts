import { PyTimestamp } from "../domain/SpecValue.js"

// PyYAML's timestamp regexp (yaml/constructor.py), which decides the parts of a date or datetime.
const TIMESTAMP = new RegExp(
  String.raw`^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})` + // the date
    String.raw`(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?` + // the time
    String.raw`(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$` // the time zone
)

const pad = (n: number, width = 2): string => String(n).padStart(width, "0")

const daysIn = (year: number, month: number): number =>
  month === 2
    ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28)
    : [4, 6, 9, 11].includes(month)
    ? 30
    : 31

/** Python's `timedelta` repr inside `datetime.timezone(...)`: days and seconds, normalised. */
const timezoneRepr = (minutes: number): string => {
  if (minutes === 0) return "datetime.timezone.utc"
  const seconds = minutes * 60
  const days = Math.floor(seconds / 86400)
  const rest = seconds - days * 86400
  return `datetime.timezone(datetime.timedelta(${days === 0 ? "" : `days=${days}, `}seconds=${rest}))`
}

/**
 * A YAML timestamp as PyYAML's `construct_yaml_timestamp` makes it (a `date` without a time part, else a
 * `datetime`; the fraction cut to microseconds; `Z` or an offset makes it aware); throws when Python's
 * `date`/`datetime`/`timezone` would refuse the parts (month 13, hour 24, an offset of a day).
 */
export const pyTimestamp = (source: string): PyTimestamp => {
  const m = TIMESTAMP.exec(source)
  if (m === null) throw new Error("not a timestamp")
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) throw new Error("no such date")
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`
  if (m[4] === undefined) return new PyTimestamp(date, `datetime.date(${year}, ${month}, ${day})`, `d${date}`)
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])]
  if (hour > 23 || minute > 59 || second > 59) throw new Error("no such time")
  const micro = m[7] === undefined ? 0 : Number(m[7].slice(0, 6).padEnd(6, "0"))
  let text = `${date} ${pad(hour)}:${pad(minute)}:${pad(second)}${micro === 0 ? "" : `.${pad(micro, 6)}`}`
  const fields = [
    year,
    month,
    day,
    hour,
    minute,
    ...(second !== 0 || micro !== 0 ? [second] : []),
    ...(micro !== 0 ? [micro] : [])
  ]
  if (m[8] === undefined) return new PyTimestamp(text, `datetime.datetime(${fields.join(", ")})`, `t${text}`)
  const offset = m[8] === "Z" ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11] ?? 0))
  if (Math.abs(offset) >= 24 * 60) throw new Error("offset of a day or more")
  const abs = Math.abs(offset)
  text += `${offset < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  // Aware datetimes are equal when they name the same instant, whatever their offsets.
  const instant = Date.UTC(year, month - 1, day, hour, minute, second) - offset * 60000
  const utc = new Date(0)
  utc.setUTCFullYear(year, month - 1, day)
  const ms = instant + (utc.getTime() - Date.UTC(year, month - 1, day))
  return new PyTimestamp(
    text,
    `datetime.datetime(${fields.join(", ")}, tzinfo=${timezoneRepr(offset)})`,
    `a${ms}.${pad(micro, 6)}`
  )
}
