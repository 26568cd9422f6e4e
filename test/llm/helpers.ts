/** What the language-model tests share. */
export { languageModelId } from "../../scripts/lib/localnet.js";
