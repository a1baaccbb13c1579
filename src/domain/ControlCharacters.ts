/**
 * Control characters (Unicode Cc: C0, DEL, C1). No id, plan value or name that reaches a folder name or a
 * terminal may hold one; the one pattern every such check uses.
 */
export const CONTROL_RANGES = String.raw`\u0000-\u001f\u007f-\u009f`

/** One control character (the class of `CONTROL_RANGES`). */
export const CONTROL_CHARACTER = new RegExp(`[${CONTROL_RANGES}]`)

/** Whether a text holds a control character (C0, DEL or C1). */
export const hasControlCharacter = (text: string): boolean => CONTROL_CHARACTER.test(text)
