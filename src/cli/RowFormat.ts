// Kept until test/spec/Goldens.test.ts imports it from src/engine (a file this branch may not touch).
export { csvLine } from "../engine/RowFormat.js"
