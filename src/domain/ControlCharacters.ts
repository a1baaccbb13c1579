/**
 * Control characters (Unicode Cc: C0, DEL, C1). No id, plan value or name that reaches a folder name or a
 * terminal may hold one; the one pattern every such check uses.
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/

/** Whether a text holds a control character (C0, DEL or C1). */
export const hasControlCharacter = (text: string): boolean => CONTROL_CHARACTER.test(text)
