// eslint.config.js plus typescript-eslint's rules that need type information (no floating
// or misused promises, no needless type assertions, ...). They need the TypeChain bindings
// in types/: without them every contract call is typed `any`, and these rules report
// differently. So `make typecheck` runs this config after the build, and `make lint`
// (no build) runs eslint.config.js alone.
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";
import base from "./eslint.config.js";

export default defineConfig(base, {
  files: ["**/*.{ts,mts}"],
  extends: [tseslint.configs.recommendedTypeCheckedOnly],
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  rules: {
    // Off: the no-unsafe-* family reports each use of a value typed `any`. Here nearly
    // all of them (99 lines) are ethers' own `any`s (a parsed log's `args`, `Result`,
    // the members of a `Contract` made from an ABI) and `JSON.parse` of CLI output in
    // tests: typing them would mean wrappers around ethers, not fixing bugs.
    "@typescript-eslint/no-unsafe-argument": "off",
    "@typescript-eslint/no-unsafe-assignment": "off",
    "@typescript-eslint/no-unsafe-call": "off",
    "@typescript-eslint/no-unsafe-member-access": "off",
    "@typescript-eslint/no-unsafe-return": "off",
  },
});
