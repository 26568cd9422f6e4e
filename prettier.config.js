// Prettier for TypeScript/JavaScript/JSON, and Solidity through prettier-plugin-solidity.
// The settings follow the style the code was written in, so that adopting the formatter
// changes as few lines as possible:
// - TypeScript: double quotes, semicolons, trailing commas, `(x) =>` (Prettier's defaults),
//   2-space indent and a 140-column width (the hand-written code runs to ~140 columns;
//   120 would rewrap about 1.7 times as many lines).
// - Solidity: the forge-fmt style the contracts were written in: 4-space indent, 120 columns,
//   `import {A} from` without bracket spacing, operators at the start of a wrapped line.
/** @type {import("prettier").Config} */
export default {
  printWidth: 140,
  plugins: ["prettier-plugin-solidity"],
  overrides: [
    {
      files: "*.sol",
      options: {
        printWidth: 120,
        tabWidth: 4,
        bracketSpacing: false,
        experimentalOperatorPosition: "start",
      },
    },
  ],
};
