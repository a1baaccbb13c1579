/** The CLI writes counts as every sentence of the package does (`formatCount`: 1234567 → "1,234,567"). */
export { formatCount } from "../index.js"
