import { CliConfig, Command, type HelpDoc, Usage } from "@effect/cli"
import type { Span } from "@effect/cli/HelpDoc/Span"

export type AnyCommand = Command.Command<any, any, any, any>

/** What `--help` was asked of: the program (its subcommands listed), or one subcommand. */
export type HelpRequest =
  | { readonly program: string; readonly description: string; readonly subcommands: ReadonlyArray<AnyCommand> }
  | { readonly program: string; readonly command: AnyCommand }

/** Sentences @effect/cli adds under every option, which say nothing the option's own line does not. */
const BOILERPLATE = [
  /^A user-defined piece of text\.$/,
  /^An integer\.$/,
  /^A true or false value\.$/,
  /^This setting is optional\.$/,
  /^This option can be set from environment variables\.$/,
  /^One of the following: /
]

/** Built-in options apart from --log-level: shown once, in the program's help. */
const GLOBAL_OPTIONS = [
  "  --log-level all|trace|debug|info|warning|error|fatal|none   progress logs on stderr (default: none)",
  "  --version                                                   the version",
  "  --completions sh|bash|fish|zsh                              a shell completion script"
]

const spanText = (span: Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    default:
      return spanText(span.value)
  }
}

/** A help document as plain lines, boilerplate left out, descriptions indented under their term. */
const lines = (doc: HelpDoc.HelpDoc, bold: (s: string) => string, indent = ""): Array<string> => {
  switch (doc._tag) {
    case "Empty":
      return []
    case "Header": {
      const title = spanText(doc.value).trim().toLowerCase()
      return ["", bold(`${title.charAt(0).toUpperCase()}${title.slice(1)}:`)]
    }
    case "Paragraph": {
      const text = spanText(doc.value).trim()
      return text === "" || BOILERPLATE.some((b) => b.test(text)) ? [] : text.split("\n").map((l) => `${indent}${l}`)
    }
    case "DescriptionList":
      return doc.definitions.flatMap(([term, description]) => [
        `${indent}  ${bold(spanText(term).trim())}`,
        ...lines(description, bold, `${indent}      `)
      ])
    case "Enumeration":
      return doc.elements.flatMap((e) => lines(e, bold, indent))
    case "Sequence":
      return [...lines(doc.left, bold, indent), ...lines(doc.right, bold, indent)]
  }
}

/** A help document (a usage error, say) as plain text on one line per paragraph. */
export const plainText = (doc: HelpDoc.HelpDoc): string =>
  lines(doc, (s) => s).filter((l) => l.trim() !== "").join("\n")

const config = CliConfig.make({ showBuiltIns: false })

/** A command's description: the first paragraph after its DESCRIPTION header. */
const descriptionOf = (command: AnyCommand): string => {
  const all = lines(Command.getHelp(command, config), (s) => s)
  const at = all.indexOf("Description:")
  return at < 0 ? "" : (all[at + 1] ?? "")
}

/**
 * Help for `cohort [sub] --help`: how to call it, what it does, its arguments and options — plain text
 * (bold headers only when `color`), without the sentences @effect/cli repeats under every option.
 */
export const renderHelp = (request: HelpRequest, color: boolean): string => {
  const bold = color ? (s: string) => `\u001b[1m${s}\u001b[0m` : (s: string) => s
  if ("subcommands" in request) {
    const names = request.subcommands.map((c) => [...Command.getNames(c)][0] ?? "")
    const width = Math.max(...names.map((n) => n.length))
    return [
      bold("Usage:"),
      `  ${request.program} <command> [options]`,
      "",
      request.description,
      "",
      bold("Commands:"),
      ...request.subcommands.map((c, i) => `  ${names[i]!.padEnd(width)}  ${descriptionOf(c)}`),
      "",
      bold("Options of every command:"),
      ...GLOBAL_OPTIONS,
      "",
      `Run \`${request.program} <command> --help\` for a command's arguments, options and an example.`
    ].join("\n") + "\n"
  }
  const usage = Usage.enumerate(Command.getUsage(request.command), config)
    .map((span) => `  ${request.program} ${spanText(span).trim()}`)
  const body = lines(Command.getHelp(request.command, config), bold)
  return [bold("Usage:"), ...usage, ...body].join("\n").replace(/\n{3,}/g, "\n\n").trim() + "\n"
}
